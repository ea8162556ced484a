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
	authorizationv1 "k8s.io/api/authorization/v1"
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

	It("lets nobody touch a workload: no role grants anything in apps, and rollout restarts are off", func() {
		inst.ExpectNoWorkloadAccess()
		Expect(inst.deployment().Spec.Template.Spec.Containers).To(HaveEach(
			HaveField("Args", Not(ContainElement(HavePrefix("--enable-rollout-restarts"))))))
	})

	It("holds both CRDs, VippsToken namespaced and ClusterVippsToken cluster-scoped", func() {
		for name, scope := range map[string]string{
			"vippstokens.tokens.vippsoperator.dev":        "Namespaced",
			"clustervippstokens.tokens.vippsoperator.dev": "Cluster",
		} {
			crd := inst.Object("CustomResourceDefinition", name)
			Expect(crd.Object["spec"]).To(HaveKeyWithValue("scope", scope), name)
		}
	})

	It("aggregates the VippsToken roles into the built-in ones, and the ClusterVippsToken roles into none", func() {
		for role, aggregateTo := range map[string]string{"admin": "admin", "editor": "edit", "viewer": "view"} {
			name := "vipps-token-operator-vippstoken-" + role + "-role"
			Expect(inst.Object("ClusterRole", name).GetLabels()).To(
				HaveKeyWithValue("rbac.authorization.k8s.io/aggregate-to-"+aggregateTo, "true"), name)

			// Whoever may create a ClusterVippsToken has the operator hand a token obtained with the
			// platform's credentials to any namespace it selects: no namespace role may grant that.
			clusterRole := &rbacv1.ClusterRole{}
			installtest.FromUnstructured(inst.Object("ClusterRole", "vipps-token-operator-clustervippstoken-"+role+"-role"),
				clusterRole)
			Expect(clusterRole.AggregationRule).To(BeNil())
			for key := range clusterRole.Labels {
				Expect(key).NotTo(HavePrefix("rbac.authorization.k8s.io/aggregate-to-"), clusterRole.Name)
			}
			Expect(clusterRole.Rules).NotTo(BeEmpty())
			for _, rule := range clusterRole.Rules {
				Expect(rule.APIGroups).To(ConsistOf("tokens.vippsoperator.dev"), clusterRole.Name)
				Expect(rule.Resources).To(HaveEach(HavePrefix("clustervippstokens")), clusterRole.Name)
			}
		}

		By("and binds none of them: they are for people, whom the installer does not know")
		for _, kind := range []string{"RoleBinding", "ClusterRoleBinding"} {
			for _, binding := range inst.All(kind) {
				Expect(binding.Object["roleRef"]).NotTo(HaveKeyWithValue("name", ContainSubstring("vippstoken-")),
					"%s %s", kind, binding.GetName())
			}
		}
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

var _ = Describe("The rollout-restart component", func() {
	const roleName, bindingName = "vipps-token-operator-rollout-restart-role",
		"vipps-token-operator-rollout-restart-rolebinding"
	var inst, defaults *installer
	BeforeEach(func() {
		inst = buildInstaller(installtest.EnableComponent("rollout-restart"))
		defaults = buildInstaller()
	})

	It("is accepted by the API server, every object of it, without a warning", func() {
		createNamespaces(inst)
		kubectl.ExpectAccepted(inst.Manifest)
	})

	It("adds a ClusterRole, its binding and the flag, and changes nothing else", func() {
		Expect(objectNames(inst)).To(ConsistOf(append(objectNames(defaults),
			"ClusterRole "+roleName, "ClusterRoleBinding "+bindingName)))
		want, got := defaults.deployment(), inst.deployment()
		Expect(got.Spec.Template.Spec.Containers).To(HaveLen(1))
		Expect(want.Spec.Template.Spec.Containers).To(HaveLen(1))
		Expect(got.Spec.Template.Spec.Containers[0].Args).To(Equal(append(
			want.Spec.Template.Spec.Containers[0].Args, "--enable-rollout-restarts")))
		got.Spec.Template.Spec.Containers[0].Args = want.Spec.Template.Spec.Containers[0].Args
		Expect(got).To(Equal(want), "the Deployment differs in more than the flag")
		for _, obj := range defaults.Objects {
			if obj.GetKind() != "Deployment" {
				Expect(inst.Object(obj.GetKind(), obj.GetName()).Object).To(Equal(obj.Object),
					"%s %s", obj.GetKind(), obj.GetName())
			}
		}
	})

	It("grants get and patch on Deployments, StatefulSets and DaemonSets, and nothing else", func() {
		role := &rbacv1.ClusterRole{}
		installtest.FromUnstructured(inst.Object("ClusterRole", roleName), role)
		Expect(role.AggregationRule).To(BeNil())
		for key := range role.Labels {
			Expect(key).NotTo(HavePrefix("rbac.authorization.k8s.io/aggregate-to-"),
				"the manager's permission must not reach the built-in roles")
		}
		Expect(role.Rules).To(HaveExactElements(rbacv1.PolicyRule{
			APIGroups: []string{"apps"},
			Resources: []string{"daemonsets", "deployments", "statefulsets"},
			Verbs:     []string{"get", "patch"},
		}))

		By("to the manager's ServiceAccount alone")
		binding := &rbacv1.ClusterRoleBinding{}
		installtest.FromUnstructured(inst.Object("ClusterRoleBinding", bindingName), binding)
		Expect(binding.RoleRef).To(Equal(rbacv1.RoleRef{
			APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: roleName}))
		deploy := inst.deployment()
		Expect(binding.Subjects).To(ConsistOf(rbacv1.Subject{Kind: rbacv1.ServiceAccountKind,
			Name: deploy.Spec.Template.Spec.ServiceAccountName, Namespace: deploy.Namespace}))

		By("which the API server agrees with, once they are created")
		for _, name := range []string{roleName, bindingName} {
			kind := "ClusterRole"
			if name == bindingName {
				kind = "ClusterRoleBinding"
			}
			obj := inst.Object(kind, name).DeepCopy()
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(func() { Expect(k8sClient.Delete(ctx, obj)).To(Succeed()) })
		}
		// The user and groups the API server authenticates the ServiceAccount's tokens as.
		user := "system:serviceaccount:" + deploy.Namespace + ":" + deploy.Spec.Template.Spec.ServiceAccountName
		groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + deploy.Namespace}
		for _, namespace := range []string{"shop", "kube-system"} {
			for _, resource := range []string{"deployments", "statefulsets", "daemonsets"} {
				for _, verb := range []string{"get", "patch"} {
					Eventually(allowed).WithArguments(user, groups, authorizationv1.ResourceAttributes{
						Namespace: namespace, Verb: verb, Group: "apps", Resource: resource,
					}).Should(BeTrue(), "%s %s in %s", verb, resource, namespace)
				}
				for _, verb := range []string{"list", "watch", "create", "update", "delete", "deletecollection"} {
					Expect(allowed(user, groups, authorizationv1.ResourceAttributes{
						Namespace: namespace, Verb: verb, Group: "apps", Resource: resource,
					})).To(BeFalse(), "%s %s in %s", verb, resource, namespace)
				}
				for _, subresource := range []string{"scale", "status"} {
					Expect(allowed(user, groups, authorizationv1.ResourceAttributes{
						Namespace: namespace, Verb: "patch", Group: "apps", Resource: resource, Subresource: subresource,
					})).To(BeFalse(), "patch %s/%s in %s", resource, subresource, namespace)
				}
			}
			for _, denied := range []authorizationv1.ResourceAttributes{
				{Verb: "get", Group: "apps", Resource: "replicasets"},
				{Verb: "patch", Group: "apps", Resource: "controllerrevisions"},
				{Verb: "delete", Resource: "pods"},
				{Verb: "create", Resource: "pods"},
				{Verb: "patch", Group: "batch", Resource: "cronjobs"},
			} {
				denied.Namespace = namespace
				Expect(allowed(user, groups, denied)).To(BeFalse(), "%+v", denied)
			}
		}
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

// objectNames returns "Kind name" of every object of the installer.
func objectNames(inst *installer) []string {
	names := make([]string, 0, len(inst.Objects))
	for _, obj := range inst.Objects {
		names = append(names, obj.GetKind()+" "+obj.GetName())
	}
	return names
}

// allowed asks the API server whether the user, in the groups, may do what attrs describe.
func allowed(user string, groups []string, attrs authorizationv1.ResourceAttributes) (bool, error) {
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user, Groups: append(groups, "system:authenticated"), ResourceAttributes: &attrs,
	}}
	if err := k8sClient.Create(ctx, review); err != nil {
		return false, err
	}
	return review.Status.Allowed, nil
}
