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
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// expectWired expects the objects of a rendering to fit together, which the API server
// does not check: every binding binds the ServiceAccount the manager runs as to a role of
// the rendering; the metrics Service, the NetworkPolicies and the ServiceMonitor select the
// manager's pod or its Service, on ports that exist.
func expectWired(r *rendering) {
	deploy := r.deployment()
	pod := deploy.Spec.Template
	podLabels := labels.Set(pod.Labels)
	serviceAccount := pod.Spec.ServiceAccountName
	Expect(serviceAccount).NotTo(BeEmpty(), "the manager must not run as the namespace's default ServiceAccount")
	for _, sa := range r.All("ServiceAccount") {
		Expect(sa.GetName()).To(Equal(serviceAccount))
	}

	for _, kind := range []string{"RoleBinding", "ClusterRoleBinding"} {
		for _, obj := range r.All(kind) {
			binding := &rbacv1.RoleBinding{} // a ClusterRoleBinding has the same fields
			installtest.FromUnstructured(obj, binding)
			Expect(binding.Subjects).To(ConsistOf(rbacv1.Subject{
				Kind: rbacv1.ServiceAccountKind, Name: serviceAccount, Namespace: deploy.Namespace,
			}), "%s %s", kind, binding.Name)
			role := r.Object(binding.RoleRef.Kind, binding.RoleRef.Name)
			Expect(role.GetNamespace()).To(Equal(binding.Namespace), "%s %s", kind, binding.Name)
		}
	}

	manager := r.manager()
	services := r.All("Service")
	for _, obj := range services {
		service := &corev1.Service{}
		installtest.FromUnstructured(obj, service)
		Expect(labels.SelectorFromSet(service.Spec.Selector).Matches(podLabels)).To(BeTrue(),
			"Service %s selects the manager's pod", service.Name)
		for _, port := range service.Spec.Ports {
			Expect(installtest.ContainerPort(manager, port.TargetPort)).To(Equal(port.Port), "Service %s", service.Name)
		}
	}

	for _, obj := range r.All("NetworkPolicy") {
		policy := &networkingv1.NetworkPolicy{}
		installtest.FromUnstructured(obj, policy)
		selector, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
		Expect(err).NotTo(HaveOccurred())
		Expect(selector.Matches(podLabels)).To(BeTrue(), "NetworkPolicy %s selects the manager's pod", policy.Name)
	}

	for _, monitor := range r.All("ServiceMonitor") {
		expectScrapes(monitor, services)
	}
}

// expectScrapes expects a ServiceMonitor to select exactly one of the Services, in its own
// namespace, by the name of one of its ports.
func expectScrapes(monitor *unstructured.Unstructured, services []*unstructured.Unstructured) {
	matchLabels, _, err := unstructured.NestedStringMap(monitor.Object, "spec", "selector", "matchLabels")
	Expect(err).NotTo(HaveOccurred())
	namespaces, _, err := unstructured.NestedStringSlice(monitor.Object, "spec", "namespaceSelector", "matchNames")
	Expect(err).NotTo(HaveOccurred())
	endpoints, _, err := unstructured.NestedSlice(monitor.Object, "spec", "endpoints")
	Expect(err).NotTo(HaveOccurred())
	Expect(endpoints).To(HaveLen(1))

	var selected []corev1.Service
	for _, obj := range services {
		if labels.SelectorFromSet(matchLabels).Matches(labels.Set(obj.GetLabels())) {
			service := corev1.Service{}
			installtest.FromUnstructured(obj, &service)
			selected = append(selected, service)
		}
	}
	Expect(selected).To(HaveLen(1), "ServiceMonitor %s selects the metrics Service", monitor.GetName())
	Expect(namespaces).To(ConsistOf(selected[0].Namespace))
	Expect(endpoints[0]).To(HaveKeyWithValue("port", selected[0].Spec.Ports[0].Name))
	Expect(endpoints[0]).To(HaveKeyWithValue("scheme", "https"))
}
