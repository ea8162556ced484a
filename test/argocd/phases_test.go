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

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// Each spec drives a VippsToken through phases with the real reconciler and checks the
// health Argo CD would show for it at each (observe), capturing it as test data.
var _ = Describe("health.lua on live VippsTokens", func() {
	It("is Progressing before the operator has reported on the spec, Healthy with a valid token", func() {
		namespace := newNamespace("first-token")
		newCredentials(namespace, "vipps-credentials")
		observe("progressing_no_status.yaml", create(newToken(namespace)), "Progressing", "")

		obj := eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
		observe("healthy_token_valid.yaml", obj, "Healthy", tokensv1alpha1.ReasonTokenValid)

		By("a spec change that the operator has not observed yet")
		var changed *unstructured.Unstructured
		Eventually(func(g Gomega) {
			changed = live(g, namespace)
			g.Expect(unstructured.SetNestedField(changed.Object, "2s", "spec", "refreshPolicy", "minimumInterval")).To(Succeed())
			g.Expect(k8sClient.Update(suiteCtx, changed)).To(Succeed())
		}).Should(Succeed())
		observe("progressing_spec_changed.yaml", changed, "Progressing", "")
	})

	It("is Progressing while a failure that may pass holds up the first token", func() {
		namespace := newNamespace("first-token-outage")
		withOutage()
		newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace))

		obj := eventuallyReady(namespace, metav1.ConditionFalse, tokensv1alpha1.ReasonVippsUnavailable)
		observe("progressing_vipps_unavailable.yaml", obj, "Progressing", tokensv1alpha1.ReasonVippsUnavailable)
	})

	It("stays Healthy through an outage, naming it, and is Degraded once the token has expired", func() {
		namespace := newNamespace("outage")
		withShortLifetime(6 * time.Second) // renewed from about 4s, expires at 6s
		newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace))
		eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
		withOutage()

		obj := eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonVippsUnavailable)
		observe("healthy_vipps_unavailable.yaml", obj, "Healthy", tokensv1alpha1.ReasonVippsUnavailable)

		obj = eventuallyReady(namespace, metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired)
		observe("degraded_token_expired.yaml", obj, "Degraded", tokensv1alpha1.ReasonTokenExpired)
	})

	It("stays Healthy while the credentials are rejected, and is Degraded, naming them, once the token has expired",
		func() {
			namespace := newNamespace("rejected-on-refresh")
			withShortLifetime(8 * time.Second)
			newCredentials(namespace, "vipps-credentials")
			create(newToken(namespace))
			eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)

			setClientSecret(namespace, credentialstest.ClientSecret())
			obj := eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonCredentialsRejected)
			observe("healthy_credentials_rejected.yaml", obj, "Healthy", tokensv1alpha1.ReasonCredentialsRejected)

			// Ready's reason is now TokenExpired; Stalled names the failure that needs a person.
			obj = eventuallyReady(namespace, metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired)
			observe("degraded_expired_credentials_rejected.yaml", obj, "Degraded", tokensv1alpha1.ReasonCredentialsRejected)
		})

	It("is Degraded when rejected credentials leave no token", func() {
		namespace := newNamespace("rejected")
		creds := newCredentials(namespace, "registered")
		creds.ClientSecret = credentialstest.ClientSecret()
		rejectedCredentials := credentialstest.Secret(namespace, "vipps-credentials", creds)
		Expect(k8sClient.Create(suiteCtx, rejectedCredentials)).To(Succeed())
		create(newToken(namespace))

		obj := eventuallyReady(namespace, metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsRejected)
		observe("degraded_credentials_rejected.yaml", obj, "Degraded", tokensv1alpha1.ReasonCredentialsRejected)
	})

	It("is Degraded when the target Secret belongs to somebody else", func() {
		namespace := newNamespace("target-conflict")
		newCredentials(namespace, "vipps-credentials")
		theirs := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "shop-token", Namespace: namespace},
			StringData: map[string]string{"access-token": "theirs"},
		}
		Expect(k8sClient.Create(suiteCtx, theirs)).To(Succeed())
		create(newToken(namespace))

		obj := eventuallyReady(namespace, metav1.ConditionFalse, tokensv1alpha1.ReasonTargetConflict)
		observe("degraded_target_conflict.yaml", obj, "Degraded", tokensv1alpha1.ReasonTargetConflict)
	})
})
