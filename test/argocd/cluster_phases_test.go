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

package argocd

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// Argo CD keys health checks by group and kind, so a ClusterVippsToken has its own, the same
// script as a VippsToken's: these specs drive ClusterVippsTokens through the phases of
// phases_test.go with the real reconcilers, and the phases only a ClusterVippsToken has, and
// check that Argo CD reads each as it reads a VippsToken in that phase (observe).
var _ = Describe("health.lua on live ClusterVippsTokens", func() {
	It("is Progressing before the operator has reported on the spec, Healthy once every namespace holds the token",
		func() {
			newClusterCredentials("first-token")
			newLabelledNamespace("cluster-first-token", clusterSelector("first-token"))
			observe("progressing_no_status.yaml", create(newClusterToken("first-token")), "Progressing", "")

			obj := eventuallyClusterReady("first-token", metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
			observe("healthy_token_valid.yaml", obj, "Healthy", tokensv1alpha1.ReasonTokenValid)

			By("a spec change that the operator has not observed yet")
			var changed *unstructured.Unstructured
			Eventually(func(g Gomega) {
				changed = liveObject(g, clusterTokenKind, client.ObjectKey{Name: "first-token"})
				g.Expect(unstructured.SetNestedField(changed.Object, "2s", "spec", "refreshPolicy", "minimumInterval")).
					To(Succeed())
				g.Expect(k8sClient.Update(suiteCtx, changed)).To(Succeed())
			}).Should(Succeed())
			observe("progressing_spec_changed.yaml", changed, "Progressing", "")
		})

	It("is Progressing while a failure that may pass holds up the first token", func() {
		withOutage()
		newClusterCredentials("first-token-outage")
		newLabelledNamespace("cluster-first-token-outage", clusterSelector("first-token-outage"))
		create(newClusterToken("first-token-outage"))

		obj := eventuallyClusterReady("first-token-outage", metav1.ConditionFalse, tokensv1alpha1.ReasonVippsUnavailable)
		observe("progressing_vipps_unavailable.yaml", obj, "Progressing", tokensv1alpha1.ReasonVippsUnavailable)
	})

	It("stays Healthy through an outage, naming it, and is Degraded once the token has expired", func() {
		withShortLifetime(6 * time.Second) // renewed from about 4s, expires at 6s
		newClusterCredentials("outage")
		newLabelledNamespace("cluster-outage", clusterSelector("outage"))
		create(newClusterToken("outage"))
		eventuallyClusterReady("outage", metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
		withOutage()

		obj := eventuallyClusterReady("outage", metav1.ConditionTrue, tokensv1alpha1.ReasonVippsUnavailable)
		observe("healthy_vipps_unavailable.yaml", obj, "Healthy", tokensv1alpha1.ReasonVippsUnavailable)

		obj = eventuallyClusterReady("outage", metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired)
		observe("degraded_token_expired.yaml", obj, "Degraded", tokensv1alpha1.ReasonTokenExpired)
	})

	It("stays Healthy, naming them, while some selected namespaces do not hold the valid token", func() {
		newClusterCredentials("namespaces-failing")
		newLabelledNamespace("cluster-namespaces-failing-a", clusterSelector("namespaces-failing"))
		taken := newLabelledNamespace("cluster-namespaces-failing-b", clusterSelector("namespaces-failing"))
		theirs := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: clusterTarget, Namespace: taken},
			StringData: map[string]string{"access-token": "theirs"},
		}
		Expect(k8sClient.Create(suiteCtx, theirs)).To(Succeed())
		create(newClusterToken("namespaces-failing"))

		obj := eventuallyClusterReady("namespaces-failing", metav1.ConditionTrue, tokensv1alpha1.ReasonNamespacesFailing)
		observe("healthy_namespaces_failing.yaml", obj, "Healthy", tokensv1alpha1.ReasonNamespacesFailing)
	})

	It("is Degraded when its credentials are missing", func() {
		newLabelledNamespace("cluster-credentials-missing", clusterSelector("credentials-missing"))
		create(newClusterToken("credentials-missing"))

		obj := eventuallyClusterReady("credentials-missing", metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsNotFound)
		observe("degraded_credentials_not_found.yaml", obj, "Degraded", tokensv1alpha1.ReasonCredentialsNotFound)
	})
})

// clusterTarget is the Secret that every ClusterVippsToken of these specs writes.
const clusterTarget = "shop-token"

// clusterSelector labels the namespaces that the ClusterVippsToken name selects.
func clusterSelector(name string) map[string]string {
	return map[string]string{"vipps-spec": name}
}

// newClusterCredentials stores credentials of the spec's own as "<name>-credentials" in the
// cluster resource namespace, where the ClusterVippsToken name reads them.
func newClusterCredentials(name string) {
	newCredentials(clusterResourceNamespace, name+"-credentials")
}

// newClusterToken builds a Standard ClusterVippsToken name against the fake, with the short
// minimum interval of newToken, that writes clusterTarget into the namespaces of
// clusterSelector(name). create deletes it when the spec ends; its VippsToken is deleted too,
// as the API server of the suite runs no garbage collector.
func newClusterToken(name string) *tokensv1alpha1.ClusterVippsToken {
	DeferCleanup(func() {
		child := &tokensv1alpha1.VippsToken{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: clusterResourceNamespace}}
		Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, child))).To(Succeed())
	})
	return &tokensv1alpha1.ClusterVippsToken{
		TypeMeta:   metav1.TypeMeta{APIVersion: tokensv1alpha1.GroupVersion.String(), Kind: clusterTokenKind},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: tokensv1alpha1.ClusterVippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{
				Type: tokensv1alpha1.TokenTypeStandard, Environment: tokensv1alpha1.EnvironmentTest, Endpoint: fakeServer.URL,
				RefreshPolicy: &tokensv1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: time.Second}},
			},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: name + "-credentials"},
			NamespaceSelector:    metav1.LabelSelector{MatchLabels: clusterSelector(name)},
			Target:               tokensv1alpha1.TargetSecret{Name: clusterTarget},
		},
	}
}

// eventuallyClusterReady waits until the ClusterVippsToken name has observed its spec, its
// Ready condition has the status and reason given, it counts every namespace of its spec
// (clusterSelector) as selected, and, while Ready is True, each of them either holds the
// token or has failed; and returns it as it was then.
func eventuallyClusterReady(name string, status metav1.ConditionStatus, reason string) *unstructured.Unstructured {
	GinkgoHelper()
	namespaces := &metav1.PartialObjectMetadataList{}
	namespaces.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NamespaceList"))
	Expect(k8sClient.List(suiteCtx, namespaces, client.MatchingLabels(clusterSelector(name)))).To(Succeed())
	return eventuallyReadyIs(clusterTokenKind, client.ObjectKey{Name: name}, status, reason,
		func(g Gomega, obj *unstructured.Unstructured) {
			counts := map[string]int64{}
			for _, field := range []string{"selected", "ready", "failing"} {
				counts[field], _, _ = unstructured.NestedInt64(obj.Object, "status", "namespaces", field)
			}
			g.Expect(counts["selected"]).To(BeEquivalentTo(len(namespaces.Items)), "namespaces %v", counts)
			if status == metav1.ConditionTrue {
				g.Expect(counts["ready"]+counts["failing"]).To(Equal(counts["selected"]), "namespaces %v", counts)
			}
		})
}
