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
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// The lines of config/default/kustomization.yaml that enable the optional components.
const (
	networkPolicyOff = "#- ../network-policy"
	prometheusOff    = "#- ../prometheus"
)

var _ = Describe("dist/install.yaml", func() {
	var inst *installer
	BeforeEach(func() { inst = defaultInstaller() })

	It("holds the operator and nothing else: no webhook, cert-manager or optional objects", func() {
		Expect(inst.kinds()).To(ConsistOf(
			"Namespace", "CustomResourceDefinition", "ServiceAccount",
			"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment",
		))
		for _, obj := range inst.objects {
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
		expectAccepted(inst)
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
			Expect(containerPort(manager, probe.HTTPGet.Port)).To(BeEquivalentTo(8081))
		}
		Expect(manager.Args).To(ContainElements(
			"--leader-elect", "--health-probe-bind-address=:8081", "--metrics-bind-address=:8443"))
		Expect(manager.Args).NotTo(ContainElement("--metrics-secure=false"), "metrics are served over HTTPS")
		Expect(containerPort(manager, intstr.FromString("metrics"))).To(BeEquivalentTo(8443))

		By("in a namespace that enforces the restricted standard")
		ns := inst.object("Namespace", "vipps-token-operator-system")
		Expect(ns.GetLabels()).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))
	})

	It("binds the manager's roles to the ServiceAccount its pod runs as, and the metrics Service to its pod", func() {
		deploy := inst.deployment()
		sa := inst.object("ServiceAccount", deploy.Spec.Template.Spec.ServiceAccountName)
		Expect(sa.GetNamespace()).To(Equal(deploy.Namespace))

		for _, obj := range inst.objects {
			if obj.GetKind() != "RoleBinding" && obj.GetKind() != "ClusterRoleBinding" {
				continue
			}
			binding := &rbacv1.RoleBinding{} // a ClusterRoleBinding has the same fields
			fromUnstructured(obj, binding)
			Expect(binding.Subjects).To(ConsistOf(rbacv1.Subject{
				Kind: rbacv1.ServiceAccountKind, Name: sa.GetName(), Namespace: sa.GetNamespace(),
			}), "%s %s", obj.GetKind(), obj.GetName())
			Expect(inst.object(binding.RoleRef.Kind, binding.RoleRef.Name)).NotTo(BeNil())
		}

		service := &corev1.Service{}
		fromUnstructured(inst.object("Service", "vipps-token-operator-controller-manager-metrics-service"), service)
		Expect(labels.SelectorFromSet(service.Spec.Selector).Matches(labels.Set(deploy.Spec.Template.Labels))).To(BeTrue())
		Expect(service.Spec.Ports).To(ConsistOf(HaveField("Port", BeEquivalentTo(8443))))
		Expect(containerPort(container(deploy.Spec.Template.Spec, "manager"), service.Spec.Ports[0].TargetPort)).
			To(BeEquivalentTo(8443))
	})
})

var _ = Describe("The optional components", func() {
	It("with the NetworkPolicies enabled, the installer is still accepted, and they select the manager", func() {
		inst := buildInstaller(edit{"default/kustomization.yaml", networkPolicyOff, "- ../network-policy"})
		createNamespaces(inst)
		expectAccepted(inst)

		podLabels := labels.Set(inst.deployment().Spec.Template.Labels)
		policies := 0
		for _, obj := range inst.objects {
			if obj.GetKind() != "NetworkPolicy" {
				continue
			}
			policies++
			policy := &networkingv1.NetworkPolicy{}
			fromUnstructured(obj, policy)
			selector, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
			Expect(err).NotTo(HaveOccurred())
			Expect(selector.Matches(podLabels)).To(BeTrue(), "NetworkPolicy %s selects the manager's pod", policy.Name)
		}
		Expect(policies).To(Equal(2), "one for ingress to the metrics, one for egress")
	})

	It("with the ServiceMonitor enabled, the installer builds and the monitor scrapes the metrics Service", func() {
		// The Prometheus Operator's CRDs are not in envtest, so this variant is built but not applied.
		inst := buildInstaller(edit{"default/kustomization.yaml", prometheusOff, "- ../prometheus"})
		monitor := inst.object("ServiceMonitor", "vipps-token-operator-controller-manager-metrics-monitor")
		Expect(monitor.GetNamespace()).To(Equal("vipps-token-operator-system"))
		selector, _, err := unstructured.NestedStringMap(monitor.Object, "spec", "selector", "matchLabels")
		Expect(err).NotTo(HaveOccurred())
		endpoints, _, err := unstructured.NestedSlice(monitor.Object, "spec", "endpoints")
		Expect(err).NotTo(HaveOccurred())
		Expect(endpoints).To(HaveLen(1))

		service := &corev1.Service{}
		fromUnstructured(inst.object("Service", "vipps-token-operator-controller-manager-metrics-service"), service)
		Expect(labels.SelectorFromSet(selector).Matches(labels.Set(service.Labels))).To(BeTrue())
		Expect(endpoints[0]).To(HaveKeyWithValue("port", service.Spec.Ports[0].Name))
		Expect(endpoints[0]).To(HaveKeyWithValue("scheme", "https"))
	})
})

var _ = Describe("The dry run", func() {
	It("reports a manager pod that breaks the restricted Pod Security Standard, so its silence means something", func() {
		inst := buildInstaller(edit{"manager/manager.yaml",
			"allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"})
		createNamespaces(inst)
		_, stderr, err := applyDryRun(inst)
		Expect(err).NotTo(HaveOccurred(), "PodSecurity warns about a Deployment; it refuses only its pods")
		Expect(stderr).To(ContainSubstring(`would violate PodSecurity "restricted:latest"`))
		Expect(stderr).To(ContainSubstring("allowPrivilegeEscalation != false"))
	})
})

// installer is a built dist/install.yaml: its path and its objects.
type installer struct {
	path    string
	objects []*unstructured.Unstructured
}

// edit replaces old with replacement in a file of the copy of config/ an installer is built from.
type edit struct{ file, old, replacement string }

// defaultInstaller returns the installer of $INSTALL_YAML, or builds config/default.
func defaultInstaller() *installer {
	if path := os.Getenv("INSTALL_YAML"); path != "" {
		return parseInstaller(path)
	}
	return buildInstaller()
}

// buildInstaller builds config/default as `make build-installer` does, from a copy of
// config/ with the edits made.
func buildInstaller(edits ...edit) *installer {
	dir := GinkgoT().TempDir()
	config := filepath.Join(dir, "config")
	Expect(os.CopyFS(config, os.DirFS(filepath.Join(testenv.RepoRoot(), "config")))).To(Succeed())
	for _, e := range edits {
		path := filepath.Join(config, e.file)
		contents, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(contents)).To(ContainSubstring(e.old), "config/%s no longer holds the line the test enables", e.file)
		Expect(os.WriteFile(path, []byte(strings.Replace(string(contents), e.old, e.replacement, 1)), 0o600)).To(Succeed())
	}
	stdout, stderr, err := run(kustomize, "build", filepath.Join(config, "default"))
	Expect(err).NotTo(HaveOccurred(), stderr)
	path := filepath.Join(dir, "install.yaml")
	Expect(os.WriteFile(path, []byte(stdout), 0o600)).To(Succeed())
	return parseInstaller(path)
}

func parseInstaller(path string) *installer {
	contents, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	inst := &installer{path: path}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(contents), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := decoder.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		Expect(err).NotTo(HaveOccurred())
		if len(obj.Object) > 0 {
			inst.objects = append(inst.objects, obj)
		}
	}
	Expect(inst.objects).NotTo(BeEmpty(), "%s holds no object", path)
	return inst
}

func (inst *installer) kinds() []string {
	seen := map[string]bool{}
	var kinds []string
	for _, obj := range inst.objects {
		if !seen[obj.GetKind()] {
			seen[obj.GetKind()] = true
			kinds = append(kinds, obj.GetKind())
		}
	}
	return kinds
}

// object returns the object of the kind and name, failing the spec when there is none.
func (inst *installer) object(kind, name string) *unstructured.Unstructured {
	for _, obj := range inst.objects {
		if obj.GetKind() == kind && obj.GetName() == name {
			return obj
		}
	}
	Fail("the installer holds no " + kind + " " + name)
	return nil
}

func (inst *installer) deployment() *appsv1.Deployment {
	deploy := &appsv1.Deployment{}
	fromUnstructured(inst.object("Deployment", "vipps-token-operator-controller-manager"), deploy)
	return deploy
}

// createNamespaces creates the installer's namespaces for real: a dry run creates nothing,
// so the namespaced objects of the same dry run would find no namespace to go into.
func createNamespaces(inst *installer) {
	for _, obj := range inst.objects {
		if obj.GetKind() != "Namespace" {
			continue
		}
		err := k8sClient.Create(ctx, obj.DeepCopy())
		if !apierrors.IsAlreadyExists(err) {
			Expect(err).NotTo(HaveOccurred())
		}
	}
}

// applyDryRun hands the installer to kubectl as `kubectl apply --server-side` would, with a
// server-side dry run: each object goes through the API server's validation, admission
// (Pod Security included) and defaulting, and nothing is stored.
func applyDryRun(inst *installer) (stdout, stderr string, err error) {
	return run(kubectl, "--kubeconfig", kubeconfig, "apply", "--server-side", "--dry-run=server",
		"--field-manager=vipps-token-operator-installer", "-f", inst.path)
}

// expectAccepted expects kubectl to succeed, to say nothing on stderr (no warning either),
// and to report each object of the installer as applied, and nothing else.
func expectAccepted(inst *installer) {
	stdout, stderr, err := applyDryRun(inst)
	Expect(err).NotTo(HaveOccurred(), stderr)
	Expect(stderr).To(BeEmpty())

	want := make([]string, 0, len(inst.objects))
	for _, obj := range inst.objects {
		want = append(want, kubectlName(obj)+" serverside-applied (server dry run)")
	}
	Expect(strings.Split(strings.TrimSpace(stdout), "\n")).To(ConsistOf(want))
}

// kubectlName is how kubectl names an object in its output: kind.group/name.
func kubectlName(obj *unstructured.Unstructured) string {
	gvk := obj.GroupVersionKind()
	name := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		name += "." + gvk.Group
	}
	return name + "/" + obj.GetName()
}

func namespaced(obj *unstructured.Unstructured) bool {
	switch obj.GetKind() {
	case "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding":
		return false
	}
	return true
}

func fromUnstructured(obj *unstructured.Unstructured, into any) {
	Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into)).To(Succeed())
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

// containerPort resolves a port by number or by name to the container's port number.
func containerPort(c corev1.Container, port intstr.IntOrString) int32 {
	if port.Type == intstr.Int {
		return port.IntVal
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return p.ContainerPort
		}
	}
	Fail("container " + c.Name + " has no port named " + port.StrVal)
	return 0
}
