/*
Copyright 2026 The vipps-token-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package install

import (
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

var _ = Describe("dist/install.yaml", func() {
	var inst *installer
	BeforeEach(func() { inst = defaultInstaller() })

	It("holds the operator and nothing else: no webhook, cert-manager or optional objects", func() {
		Expect(inst.kinds()).To(ConsistOf(
			"Namespace", "CustomResourceDefinition", "ServiceAccount",
			"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment",
		))
		for _, obj := range inst.Objects {
			if obj.GetKind() == "CustomResourceDefinition" {
				continue // named after its group, as every CRD must be
			}
			Expect(obj.GetName()).To(HavePrefix("vipps-token-operator-"), "%s %s", obj.GetKind(), obj.GetName())
			if obj.GetKind() != "Namespace" && namespaced(obj) {
				Expect(obj.GetNamespace()).To(Equal("vipps-token-operator-system"), "%s %s", obj.GetKind(), obj.GetName())
			}
		}
	})

	It("is accepted by the API server as it is, every object of it, without a warning", func() {
		createNamespaces(inst)
		kubectl.ExpectAccepted(inst.Manifest)
	})

	It("runs the manager as the restricted Pod Security Standard asks, with probes and limits", func() {
		deploy := inst.deployment()
		pod := deploy.Spec.Template.Spec
		Expect(pod.SecurityContext).NotTo(BeNil())
		Expect(pod.SecurityContext.RunAsNonRoot).To(HaveValue(BeTrue()))
		Expect(pod.SecurityContext.SeccompProfile).To(HaveValue(HaveField("Type", corev1.SeccompProfileTypeRuntimeDefault)))

		manager := container(pod, "manager")
		sc := manager.SecurityContext
		Expect(sc).NotTo(BeNil())
		Expect(sc.ReadOnlyRootFilesystem).To(HaveValue(BeTrue()))
		Expect(sc.AllowPrivilegeEscalation).To(HaveValue(BeFalse()))
		Expect(sc.Capabilities).To(HaveValue(HaveField("Drop", ConsistOf(corev1.Capability("ALL")))))
		Expect(sc.Capabilities.Add).To(BeEmpty())
		Expect(sc.Privileged).To(Or(BeNil(), HaveValue(BeFalse())))

		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			Expect(manager.Resources.Requests).To(HaveKey(res))
			Expect(manager.Resources.Limits).To(HaveKey(res))
			request, limit := manager.Resources.Requests[res], manager.Resources.Limits[res]
			Expect(request.Cmp(limit)).To(BeNumerically("<=", 0),
				"the %s request exceeds the limit", res)
		}

		Expect(manager.LivenessProbe).To(HaveValue(HaveField("HTTPGet.Path", "/healthz")))
		Expect(manager.ReadinessProbe).To(HaveValue(HaveField("HTTPGet.Path", "/readyz")))
		for _, probe := range []*corev1.Probe{manager.LivenessProbe, manager.ReadinessProbe} {
			Expect(installtest.ContainerPort(manager, probe.HTTPGet.Port)).To(BeEquivalentTo(8081))
		}
		Expect(manager.Args).To(ContainElements(
			"--leader-elect", "--health-probe-bind-address=:8081", "--metrics-bind-address=:8443"))
		Expect(manager.Args).NotTo(ContainElement("--metrics-secure=false"), "metrics are served over HTTPS")
		Expect(installtest.ContainerPort(manager, intstr.FromString("metrics"))).To(BeEquivalentTo(8443))

		By("in a namespace that enforces the restricted standard")
		ns := inst.Object("Namespace", "vipps-token-operator-system")
		Expect(ns.GetLabels()).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))
	})

	It("binds the manager's roles to the ServiceAccount its pod runs as, and the metrics Service to its pod", func() {
		deploy := inst.deployment()
		sa := inst.Object("ServiceAccount", deploy.Spec.Template.Spec.ServiceAccountName)
		Expect(sa.GetNamespace()).To(Equal(deploy.Namespace))

		for _, obj := range inst.Objects {
			if obj.GetKind() != "RoleBinding" && obj.GetKind() != "ClusterRoleBinding" {
				continue
			}
			binding := &rbacv1.RoleBinding{} // a ClusterRoleBinding has the same fields
			installtest.FromUnstructured(obj, binding)
			Expect(binding.Subjects).To(ConsistOf(rbacv1.Subject{
				Kind: rbacv1.ServiceAccountKind, Name: sa.GetName(), Namespace: sa.GetNamespace(),
			}), "%s %s", obj.GetKind(), obj.GetName())
			Expect(inst.Object(binding.RoleRef.Kind, binding.RoleRef.Name)).NotTo(BeNil())
		}

		service := &corev1.Service{}
		installtest.FromUnstructured(
			inst.Object("Service", "vipps-token-operator-controller-manager-metrics-service"), service)
		Expect(labels.SelectorFromSet(service.Spec.Selector).Matches(labels.Set(deploy.Spec.Template.Labels))).To(BeTrue())
		Expect(service.Spec.Ports).To(ConsistOf(HaveField("Port", BeEquivalentTo(8443))))
		manager := container(deploy.Spec.Template.Spec, "manager")
		Expect(installtest.ContainerPort(manager, service.Spec.Ports[0].TargetPort)).To(BeEquivalentTo(8443))
	})
})

var _ = Describe("The optional components", func() {
	It("with the NetworkPolicies enabled, the installer is still accepted, and they select the manager", func() {
		inst := buildInstaller(installtest.EnableComponent("network-policy"))
		createNamespaces(inst)
		kubectl.ExpectAccepted(inst.Manifest)

		podLabels := labels.Set(inst.deployment().Spec.Template.Labels)
		policies := 0
		for _, obj := range inst.Objects {
			if obj.GetKind() != "NetworkPolicy" {
				continue
			}
			policies++
			policy := &networkingv1.NetworkPolicy{}
			installtest.FromUnstructured(obj, policy)
			selector, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
			Expect(err).NotTo(HaveOccurred())
			Expect(selector.Matches(podLabels)).To(BeTrue(), "NetworkPolicy %s selects the manager's pod", policy.Name)
		}
		Expect(policies).To(Equal(2), "one for ingress to the metrics, one for egress")
	})

	It("with the ServiceMonitor enabled, the installer builds and the monitor scrapes the metrics Service", func() {
		// The Prometheus Operator's CRDs are not in envtest, so this variant is built but not applied.
		inst := buildInstaller(installtest.EnableComponent("prometheus"))
		monitor := inst.Object("ServiceMonitor", "vipps-token-operator-controller-manager-metrics-monitor")
		Expect(monitor.GetNamespace()).To(Equal("vipps-token-operator-system"))
		selector, _, err := unstructured.NestedStringMap(monitor.Object, "spec", "selector", "matchLabels")
		Expect(err).NotTo(HaveOccurred())
		endpoints, _, err := unstructured.NestedSlice(monitor.Object, "spec", "endpoints")
		Expect(err).NotTo(HaveOccurred())
		Expect(endpoints).To(HaveLen(1))

		service := &corev1.Service{}
		installtest.FromUnstructured(
			inst.Object("Service", "vipps-token-operator-controller-manager-metrics-service"), service)
		Expect(labels.SelectorFromSet(selector).Matches(labels.Set(service.Labels))).To(BeTrue())
		Expect(endpoints[0]).To(HaveKeyWithValue("port", service.Spec.Ports[0].Name))
		Expect(endpoints[0]).To(HaveKeyWithValue("scheme", "https"))
	})
})

var _ = Describe("The dry run", func() {
	It("reports a manager pod that breaks the restricted Pod Security Standard, so its silence means something", func() {
		inst := buildInstaller(installtest.Edit{File: "manager/manager.yaml",
			Old: "allowPrivilegeEscalation: false", Replacement: "allowPrivilegeEscalation: true"})
		createNamespaces(inst)
		_, stderr, err := kubectl.ApplyDryRun(inst.Manifest)
		Expect(err).NotTo(HaveOccurred(), "PodSecurity warns about a Deployment; it refuses only its pods")
		Expect(stderr).To(ContainSubstring(`would violate PodSecurity "restricted:latest"`))
		Expect(stderr).To(ContainSubstring("allowPrivilegeEscalation != false"))
	})
})

// installer is a built dist/install.yaml.
type installer struct{ *installtest.Manifest }

// defaultInstaller returns the installer of $INSTALL_YAML, or builds config/default.
func defaultInstaller() *installer {
	if path := os.Getenv("INSTALL_YAML"); path != "" {
		return &installer{installtest.ReadManifest(path)}
	}
	return buildInstaller()
}

// buildInstaller builds config/default as `make build-installer` does, from a copy of
// config/ with the edits made.
func buildInstaller(edits ...installtest.Edit) *installer {
	return &installer{installtest.BuildInstaller(kustomize, edits...)}
}

func (inst *installer) kinds() []string {
	seen := map[string]bool{}
	var kinds []string
	for _, obj := range inst.Objects {
		if !seen[obj.GetKind()] {
			seen[obj.GetKind()] = true
			kinds = append(kinds, obj.GetKind())
		}
	}
	return kinds
}

func (inst *installer) deployment() *appsv1.Deployment {
	deploy := &appsv1.Deployment{}
	installtest.FromUnstructured(inst.Object("Deployment", "vipps-token-operator-controller-manager"), deploy)
	return deploy
}

// createNamespaces creates the installer's namespaces for real: a dry run creates nothing,
// so the namespaced objects of the same dry run would find no namespace to go into.
func createNamespaces(inst *installer) {
	for _, obj := range inst.Objects {
		if obj.GetKind() != "Namespace" {
			continue
		}
		err := k8sClient.Create(ctx, obj.DeepCopy())
		if !apierrors.IsAlreadyExists(err) {
			Expect(err).NotTo(HaveOccurred())
		}
	}
}

func namespaced(obj *unstructured.Unstructured) bool {
	switch obj.GetKind() {
	case "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding":
		return false
	}
	return true
}

func container(pod corev1.PodSpec, name string) corev1.Container {
	for _, c := range pod.Containers {
		if c.Name == name {
			return c
		}
	}
	Fail("the pod has no container " + name)
	return corev1.Container{}
}
