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

package helm

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// The chart's defaults must install what dist/install.yaml installs: the two are compared
// object by object, on what decides what the operator may do and how it runs, so that a
// change to config/ that the chart misses (a new RBAC marker, a flag, a hardening) fails here.

var _ = Describe("The chart's defaults, against dist/install.yaml", func() {
	var chartObjects, installer *rendering
	BeforeEach(func() {
		chartObjects = render()
		installer = buildInstaller()
	})

	It("hold the same objects by the same names, but the Namespace, which Helm leaves to --create-namespace", func() {
		expectSameObjects(chartObjects, installer)
	})

	It("grant the same RBAC rules, in the same scopes, to the same subjects", func() {
		expectSameRBAC(chartObjects, installer)
	})

	It("run the manager alike: security contexts, command, arguments, probes, ports and resources", func() {
		want, got := installer.deployment(), chartObjects.deployment()
		Expect(got.Namespace).To(Equal(want.Namespace))
		Expect(got.Spec.Replicas).To(Equal(want.Spec.Replicas))
		wantPod, gotPod := want.Spec.Template.Spec, got.Spec.Template.Spec
		Expect(gotPod.SecurityContext).To(Equal(wantPod.SecurityContext))
		Expect(gotPod.ServiceAccountName).To(Equal(wantPod.ServiceAccountName))
		Expect(gotPod.TerminationGracePeriodSeconds).To(Equal(wantPod.TerminationGracePeriodSeconds))
		Expect(gotPod.Containers).To(HaveLen(len(wantPod.Containers)))

		wantManager, gotManager := installer.manager(), chartObjects.manager()
		Expect(gotManager.SecurityContext).To(Equal(wantManager.SecurityContext))
		Expect(gotManager.Command).To(Equal(wantManager.Command))
		Expect(gotManager.Args).To(Equal(wantManager.Args))
		Expect(gotManager.LivenessProbe).To(Equal(wantManager.LivenessProbe))
		Expect(gotManager.ReadinessProbe).To(Equal(wantManager.ReadinessProbe))
		Expect(gotManager.Ports).To(Equal(wantManager.Ports))
		Expect(gotManager.Resources).To(Equal(wantManager.Resources))
		Expect(gotManager.Env).To(Equal(wantManager.Env))
		Expect(gotManager.VolumeMounts).To(BeEmpty())
		Expect(wantManager.VolumeMounts).To(BeEmpty(), "mount in the chart what the manager mounts")

		wantService, gotService := &corev1.Service{}, &corev1.Service{}
		name := "vipps-token-operator-controller-manager-metrics-service"
		installtest.FromUnstructured(installer.Object("Service", name), wantService)
		installtest.FromUnstructured(chartObjects.Object("Service", name), gotService)
		Expect(gotService.Spec.Ports).To(Equal(wantService.Spec.Ports))
	})

	It("install the CRDs of config/crd, and keep them on uninstall", func() {
		Expect(installer.All("CustomResourceDefinition")).To(HaveLen(len(crdNames)))
		for _, name := range crdNames {
			want := installer.Object("CustomResourceDefinition", name)
			got := chartObjects.Object("CustomResourceDefinition", name)
			Expect(got.Object["spec"]).To(Equal(want.Object["spec"]),
				"%s: run make manifests: it copies config/crd into the chart", name)
			for key, value := range want.GetAnnotations() {
				Expect(got.GetAnnotations()).To(HaveKeyWithValue(key, value))
			}
			Expect(got.GetAnnotations()).To(HaveKeyWithValue(keepAnnotation, "keep"))
		}
	})
})

var _ = Describe("The chart's optional parts, against config/", func() {
	It("render the NetworkPolicies of config/network-policy", func() {
		installer := buildInstaller(installtest.EnableComponent("network-policy"))
		chartObjects := render(`networkPolicy: {enabled: true}`)
		for _, want := range installer.All("NetworkPolicy") {
			got := chartObjects.Object("NetworkPolicy", want.GetName())
			for _, key := range []string{"policyTypes", "ingress", "egress"} {
				expectSameField(got, want, "spec", key)
			}
		}
	})

	It("render the ServiceMonitor and the alerts of config/prometheus", func() {
		installer := buildInstaller(installtest.EnableComponent("prometheus"))
		chartObjects := render(`{serviceMonitor: {enabled: true}, prometheusRule: {enabled: true}}`)
		name := "vipps-token-operator-controller-manager-metrics-monitor"
		want, got := installer.Object("ServiceMonitor", name), chartObjects.Object("ServiceMonitor", name)
		Expect(got.GetNamespace()).To(Equal(want.GetNamespace()))
		expectSameField(got, want, "spec", "endpoints")

		name = "vipps-token-operator-alerts"
		want, got = installer.Object("PrometheusRule", name), chartObjects.Object("PrometheusRule", name)
		Expect(got.GetNamespace()).To(Equal(want.GetNamespace()))
		expectSameField(got, want, "spec")
	})
})

var _ = Describe("The chart's rollout restarts, against config/rollout-restart", func() {
	It("are the same objects, RBAC and manager arguments", func() {
		installer := buildInstaller(installtest.EnableComponent("rollout-restart"))
		chartObjects := render(`rolloutRestarts: {enabled: true}`)
		Expect(installer.names()).To(ContainElements(
			"ClusterRole vipps-token-operator-rollout-restart-role",
			"ClusterRoleBinding vipps-token-operator-rollout-restart-rolebinding"))
		expectSameObjects(chartObjects, installer)
		expectSameRBAC(chartObjects, installer)
		Expect(chartObjects.manager().Args).To(Equal(installer.manager().Args))
		Expect(chartObjects.manager().Args).To(ContainElement("--enable-rollout-restarts"))
	})
})

var _ = Describe("The chart's Grafana dashboard, against config/grafana", func() {
	It("is the same ConfigMap, for the same sidecar", func() {
		installer := buildInstaller(installtest.EnableComponent("grafana"))
		chartObjects := render(`grafanaDashboard: {enabled: true}`)
		name := "vipps-token-operator-grafana-dashboard"
		want, got := installer.Object("ConfigMap", name), chartObjects.Object("ConfigMap", name)
		Expect(got.GetNamespace()).To(Equal(want.GetNamespace()))
		Expect(got.GetLabels()).To(HaveKeyWithValue("grafana_dashboard", want.GetLabels()["grafana_dashboard"]))
		expectSameField(got, want, "data")
	})
})

// expectSameObjects expects the chart's rendering to hold the installer's objects by the same
// kinds and names, and no other, but the installer's Namespace, which Helm leaves to
// --create-namespace.
func expectSameObjects(chartObjects, installer *rendering) {
	GinkgoHelper()
	var want []string
	for _, name := range installer.names() {
		if !strings.HasPrefix(name, "Namespace ") {
			want = append(want, name)
		}
	}
	Expect(chartObjects.names()).To(ConsistOf(want))
}

// expectSameRBAC expects every role and binding of the installer to be in the chart's
// rendering with the same rules, in the same scope, for the same subjects.
func expectSameRBAC(chartObjects, installer *rendering) {
	GinkgoHelper()
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, obj := range installer.All(kind) {
			want, got := &rbacv1.Role{}, &rbacv1.Role{} // a ClusterRole's rules are a Role's
			installtest.FromUnstructured(obj, want)
			installtest.FromUnstructured(chartObjects.Object(kind, obj.GetName()), got)
			Expect(got.Namespace).To(Equal(want.Namespace), "%s %s", kind, want.Name)
			Expect(got.Rules).To(ConsistOf(want.Rules), "%s %s", kind, want.Name)
			expectAggregationLabels(got.Labels, want.Labels, kind+" "+want.Name)
		}
	}
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
		for _, obj := range installer.All(kind) {
			want, got := &rbacv1.RoleBinding{}, &rbacv1.RoleBinding{}
			installtest.FromUnstructured(obj, want)
			installtest.FromUnstructured(chartObjects.Object(kind, obj.GetName()), got)
			Expect(got.RoleRef).To(Equal(want.RoleRef), "%s %s", kind, want.Name)
			Expect(got.Subjects).To(Equal(want.Subjects), "%s %s", kind, want.Name)
		}
	}
}

// expectAggregationLabels expects got to hold the rbac.authorization.k8s.io/aggregate-to-*
// labels of want: they decide which built-in ClusterRoles gain a role's rules.
func expectAggregationLabels(got, want map[string]string, role string) {
	for key, value := range want {
		if strings.HasPrefix(key, "rbac.authorization.k8s.io/aggregate-to-") {
			Expect(got).To(HaveKeyWithValue(key, value), role)
		}
	}
}

// expectSameField expects the field at path to be the same in got as in want, or absent
// from both.
func expectSameField(got, want *unstructured.Unstructured, path ...string) {
	value := field(want, path...)
	if value == nil {
		Expect(field(got, path...)).To(BeNil(), "%s %s %v", got.GetKind(), got.GetName(), path)
		return
	}
	Expect(field(got, path...)).To(Equal(value), "%s %s %v differs from config/: update the chart's template, "+
		"or run make manifests for what it copies from config/ (hack/chart-files.sh)", got.GetKind(), got.GetName(), path)
}

func field(obj *unstructured.Unstructured, path ...string) any {
	value, _, err := unstructured.NestedFieldNoCopy(obj.Object, path...)
	Expect(err).NotTo(HaveOccurred())
	return value
}

// buildInstaller builds dist/install.yaml with the edits made, to compare the chart's
// renderings with.
func buildInstaller(edits ...installtest.Edit) *rendering {
	return &rendering{installtest.BuildInstaller(kustomize, edits...)}
}
