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

package controller

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

var _ = Describe("Changes", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	// readyToken creates a VippsToken with fresh credentials, waits for it and returns the
	// credentials and the token its target holds.
	readyToken := func(name string) (fakevipps.Credentials, string) {
		creds := newCredentials(namespace, name+"-credentials")
		create(newToken(namespace, name, name+"-credentials"))
		eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
		return creds, accessToken(Default, namespace, name+"-token")
	}
	updateToken := func(name string, change func(*tokensv1alpha1.VippsToken)) {
		tok := getToken(namespace, name)
		change(tok)
		Expect(k8sClient.Update(suiteCtx, tok)).To(Succeed())
	}
	eventuallyNewToken := func(target, old string) {
		Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, target)).NotTo(Equal(old)) }).Should(Succeed())
	}

	It("fetches a new token within seconds when the credentials Secret changes", func() {
		creds, first := readyToken("rotated")

		By("the client secret is rotated at Vipps and in the Secret")
		creds.ClientSecret = "cm90YXRlZA+" + randomHex(8) + "/=="
		fake.AddCredentials(creds)
		secret := getSecret(Default, namespace, "rotated-credentials")
		secret.Data["client-secret"] = []byte(creds.ClientSecret)
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())

		eventuallyNewToken("rotated-token", first)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
	})

	It("reports a missing credentials Secret, sends nothing, and recovers when it appears", func() {
		tok := newToken(namespace, "early", "late-credentials")
		create(tok)
		eventuallyNotReady(namespace, "early", tokensv1alpha1.ReasonCredentialsNotFound)
		Expect(condition(getToken(namespace, "early"), tokensv1alpha1.ConditionReady).Message).To(
			ContainSubstring("late-credentials"))

		creds := newCredentials(namespace, "late-credentials")
		eventuallyReady(namespace, "early", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
	})

	It("reports a missing key, sends nothing, and recovers when it is added", func() {
		creds := fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
		secret := credentialsSecret(namespace, "partial", creds)
		delete(secret.StringData, "subscription-key")
		Expect(k8sClient.Create(suiteCtx, secret)).To(Succeed())
		create(newToken(namespace, "keyless", "partial"))

		tok := eventuallyNotReady(namespace, "keyless", tokensv1alpha1.ReasonCredentialsNotFound)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring(`no key "subscription-key"`))
		Expect(fake.CallsBy(creds.ClientID)).To(BeZero())

		secret = getSecret(Default, namespace, "partial")
		secret.Data["subscription-key"] = []byte(creds.SubscriptionKeys[0])
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())
		eventuallyReady(namespace, "keyless", tokensv1alpha1.ReasonTokenValid)
	})

	It("fetches a new token when a spec field that decides the token changes", func() {
		creds, first := readyToken("msn")
		updateToken("msn", func(tok *tokensv1alpha1.VippsToken) { tok.Spec.MerchantSerialNumber = "654321" })

		eventuallyNewToken("msn-token", first)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
		last := fake.Requests()[len(fake.Requests())-1]
		Expect(last.Header.Get("Merchant-Serial-Number")).To(Equal("654321"))
	})

	It("reuses the token, without a Vipps call, when only the targets change", func() {
		creds, token := readyToken("targets")
		updateToken("targets", func(tok *tokensv1alpha1.VippsToken) {
			tok.Spec.Targets[0].Labels = map[string]string{"team": "payments"}
			tok.Spec.Targets = append(tok.Spec.Targets, tokensv1alpha1.TargetSecret{Name: "second"})
		})

		Eventually(func(g Gomega) {
			g.Expect(accessToken(g, namespace, "second")).To(Equal(token))
			g.Expect(getSecret(g, namespace, "targets-token").Labels).To(HaveKeyWithValue("team", "payments"))
		}).Should(Succeed())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1))
	})

	It("recreates a deleted target and restores an edited one, leaving others' labels alone", func() {
		creds, token := readyToken("drift")

		By("somebody labels the target and edits its token")
		secret := getSecret(Default, namespace, "drift-token")
		secret.Labels["example.com/backup"] = "yes"
		secret.Data[tokensv1alpha1.KeyAccessToken] = []byte("tampered")
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())
		Eventually(func(g Gomega) {
			restored := getSecret(g, namespace, "drift-token")
			g.Expect(string(restored.Data[tokensv1alpha1.KeyAccessToken])).To(Equal(token))
			g.Expect(restored.Labels).To(HaveKeyWithValue("example.com/backup", "yes"))
		}).Should(Succeed())

		By("somebody deletes the target")
		Expect(k8sClient.Delete(suiteCtx, getSecret(Default, namespace, "drift-token"))).To(Succeed())
		Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, "drift-token")).To(Equal(token)) }).Should(Succeed())

		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1), "the token in hand serves; no new one is needed")
	})

	It("never touches an existing Secret it does not own, and reports the conflict", func() {
		foreign := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "taken-token", Namespace: namespace},
			StringData: map[string]string{"password": "hunter2"},
		}
		Expect(k8sClient.Create(suiteCtx, foreign)).To(Succeed())
		creds := newCredentials(namespace, "taken-credentials")
		create(newToken(namespace, "taken", "taken-credentials"))

		tok := eventuallyNotReady(namespace, "taken", tokensv1alpha1.ReasonTargetConflict)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("taken-token"))
		Consistently(func(g Gomega) {
			g.Expect(getSecret(g, namespace, "taken-token").ResourceVersion).To(Equal(foreign.ResourceVersion))
			g.Expect(fake.CallsBy(creds.ClientID)).To(BeZero(), "a token that no target can take")
		}).Should(Succeed())

		By("the conflict is reported once as a Warning event")
		warnings := &eventsv1.EventList{}
		Expect(k8sClient.List(suiteCtx, warnings, client.InNamespace(namespace))).To(Succeed())
		conflicts := 0
		for _, event := range warnings.Items {
			if event.Reason == tokensv1alpha1.ReasonTargetConflict && event.Type == corev1.EventTypeWarning {
				conflicts++
			}
		}
		Expect(conflicts).To(Equal(1))

		By("once its owner deletes the Secret, the target is created at once, not at the next renewal")
		Expect(k8sClient.Delete(suiteCtx, foreign)).To(Succeed())
		eventuallyReady(namespace, "taken", tokensv1alpha1.ReasonTokenValid)
		Expect(accessToken(Default, namespace, "taken-token")).NotTo(BeEmpty())
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
	})

	It("lets two VippsTokens that name one target settle without flip-flopping", func() {
		readyToken("first")
		newCredentials(namespace, "second-credentials")
		second := newToken(namespace, "second", "second-credentials")
		second.Spec.Targets[0].Name = "first-token"
		create(second)

		eventuallyNotReady(namespace, "second", tokensv1alpha1.ReasonTargetConflict)
		owner := getToken(namespace, "first")
		version := getSecret(Default, namespace, "first-token").ResourceVersion
		Consistently(func(g Gomega) {
			secret := getSecret(g, namespace, "first-token")
			g.Expect(secret.ResourceVersion).To(Equal(version))
			g.Expect(metav1.IsControlledBy(secret, owner)).To(BeTrue())
		}).Should(Succeed())
	})

	It("deletes a target it owns once the target leaves the spec", func() {
		readyToken("shrink")
		updateToken("shrink", func(tok *tokensv1alpha1.VippsToken) {
			tok.Spec.Targets = []tokensv1alpha1.TargetSecret{{Name: "replacement"}}
		})
		Eventually(func() bool {
			err := k8sClient.Get(suiteCtx, types.NamespacedName{Namespace: namespace, Name: "shrink-token"}, &corev1.Secret{})
			return apierrors.IsNotFound(err)
		}).Should(BeTrue())
		Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, "replacement")).NotTo(BeEmpty()) }).Should(Succeed())
	})
})
