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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// The credentials Secret: missing, unusable, rejected by Vipps, changed, and never sent
// where it may not go nor cached.
var _ = Describe("The credentials of a VippsToken", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("reports a missing credentials Secret, sends nothing, and retries as soon as the Secret appears", func() {
		creds := newCredentials(namespace, "elsewhere") // registered with the fake, stored under another name
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonCredentialsNotFound)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("vipps-credentials"))
		refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
		Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
		Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonCredentialsNotFound))
		Expect(refreshed.Message).To(ContainSubstring(namespace + "/vipps-credentials"))
		Expect(refreshed.Message).To(ContainSubstring("Create the Secret"))
		Expect(tok.Status.FailureCount).To(BeEquivalentTo(1))
		Expect(tok.Status.LastFailureTime).NotTo(BeNil())
		Expect(tok.Status.NextRetryTime).To(BeNil(), "retried on a change, not on a timer")

		By("nothing is sent and the failure is counted once, not once per reconcile")
		touch(tok)
		Consistently(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID)).To(BeZero())
			g.Expect(getToken(namespace, "shop").Status.FailureCount).To(BeEquivalentTo(1))
		}).Should(Succeed())

		By("creating the Secret brings a token at once")
		Expect(k8sClient.Create(suiteCtx, credentialstest.Secret(namespace, "vipps-credentials", creds))).To(Succeed())
		tok = eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		Expect(tok.Status.FailureCount).To(BeZero())
		Expect(tok.Status.LastFailureTime).To(BeNil())
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	It("reports a missing key, sends nothing, and recovers when it is added", func() {
		creds := registerCredentials()
		secret := credentialstest.Secret(namespace, "partial", creds)
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

	// storeCredentials stores creds, changed by edit, in the Secret "vipps-credentials".
	storeCredentials := func(creds fakevipps.Credentials, edit func(data map[string][]byte)) map[string][]byte {
		data := map[string][]byte{
			"client-id":        []byte(creds.ClientID),
			"client-secret":    []byte(creds.ClientSecret),
			"subscription-key": []byte(creds.SubscriptionKeys[0]),
		}
		edit(data)
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "vipps-credentials", Namespace: namespace}, Data: data}
		Expect(k8sClient.Create(suiteCtx, secret)).To(Succeed())
		return data
	}

	DescribeTable("reports a value that no header can carry with its own reason, naming the key and never the value, and sends nothing",
		func(reason, key, problem string, edit func(data map[string][]byte)) {
			creds := registerCredentials()
			data := storeCredentials(creds, edit)
			planted := secretsOf(creds)
			if edited := strings.TrimSpace(string(data["client-secret"])); edited != "" {
				planted = append(planted, edited)
			}
			create(newToken(namespace, "shop", "vipps-credentials"))

			tok := eventuallyNotReady(namespace, "shop", reason)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
			Expect(refreshed.Reason).To(Equal(reason))
			Expect(refreshed.Message).To(ContainSubstring(`"` + key + `"`))
			Expect(refreshed.Message).To(ContainSubstring(problem))
			Expect(refreshed.Message).To(ContainSubstring("the operator retries as soon as it changes"))
			Expect(tok.Status.NextRetryTime).To(BeNil(), "retried when the Secret changes, not on a timer")
			Consistently(func() []fakevipps.RecordedRequest {
				return requestsCarrying(creds.ClientID, creds.ClientSecret, creds.SubscriptionKeys[0])
			}, 500*time.Millisecond).Should(BeEmpty())
			Expect(fake.CallsBy(creds.ClientID)).To(BeZero())
			expectNothingLeaked(namespace, planted...)
		},
		Entry("an empty client secret", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret", "is empty",
			func(data map[string][]byte) { data["client-secret"] = []byte{} }),
		Entry("a client ID of white space only", tokensv1alpha1.ReasonCredentialsInvalid, "client-id", "is empty",
			func(data map[string][]byte) { data["client-id"] = []byte(" \t\r\n ") }),
		Entry("a subscription key that is not UTF-8", tokensv1alpha1.ReasonCredentialsInvalid, "subscription-key",
			"is not valid UTF-8", func(data map[string][]byte) {
				data["subscription-key"] = append([]byte{0xff, 0xfe}, data["subscription-key"]...)
			}),
		Entry("a value has white space inside", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret",
			"contains white space", func(data map[string][]byte) {
				data["client-secret"] = []byte("cGxhbnRlZA== " + randomHex(8))
			}),
		Entry("a client secret with a NUL byte inside", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret",
			"control or non-ASCII", func(data map[string][]byte) {
				data["client-secret"] = []byte(strings.Replace(string(data["client-secret"]), "+", "\x00", 1))
			}),
		Entry("a client secret with a non-ASCII letter", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret",
			"control or non-ASCII", func(data map[string][]byte) { data["client-secret"] = append(data["client-secret"], "ø"...) }),
		Entry("a merchant serial number that is not 4 to 6 digits", tokensv1alpha1.ReasonCredentialsInvalid,
			"merchant-serial-number", "is not 4 to 6 digits",
			func(data map[string][]byte) { data["merchant-serial-number"] = []byte("12ab") }),
		Entry("no client ID at all", tokensv1alpha1.ReasonCredentialsNotFound, "client-id", "has no key",
			func(data map[string][]byte) { delete(data, "client-id") }),
		Entry("a key is missing", tokensv1alpha1.ReasonCredentialsNotFound, "subscription-key", "has no key",
			func(data map[string][]byte) { delete(data, "subscription-key") }),
	)

	DescribeTable("trims white space around the values, and they work",
		func(edit func(data map[string][]byte)) {
			creds := registerCredentials()
			storeCredentials(creds, edit)
			create(newToken(namespace, "shop", "vipps-credentials"))

			eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
			sent := requestsCarrying(creds.ClientID)
			Expect(sent).To(HaveLen(1))
			Expect(sent[0].Header.Get("client_id")).To(Equal(creds.ClientID))
			Expect(sent[0].Header.Get("client_secret")).To(Equal(creds.ClientSecret))
			Expect(sent[0].Header.Get("Ocp-Apim-Subscription-Key")).To(Equal(creds.SubscriptionKeys[0]))
		},
		Entry("a client secret with the newline echo leaves", func(data map[string][]byte) {
			data["client-secret"] = append(data["client-secret"], '\n')
		}),
		Entry("a client ID padded with spaces", func(data map[string][]byte) {
			data["client-id"] = []byte("  " + string(data["client-id"]) + "  ")
		}),
		Entry("every value padded with tabs and CRLF", func(data map[string][]byte) {
			for key, value := range data {
				data[key] = []byte("\t" + string(value) + " \r\n")
			}
		}),
	)

	It("fetches a new token within seconds when the credentials Secret changes", func() {
		creds, first := newReadyToken(namespace, "rotated")

		By("the client secret is rotated at Vipps and in the Secret")
		creds.ClientSecret = "cm90YXRlZA+" + randomHex(8) + "/=="
		fake.AddCredentials(creds)
		secret := getSecret(Default, namespace, "rotated-credentials")
		secret.Data["client-secret"] = []byte(creds.ClientSecret)
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())

		eventuallyNewToken(namespace, "rotated-token", first)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
	})

	It("backs off rejected credentials from a minute, doubling, and retries at once when the Secret changes", func() {
		creds, wrong := newWrongCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonCredentialsRejected)
		refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
		Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
		Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonCredentialsRejected))
		Expect(refreshed.Message).To(ContainSubstring("retries at once when the credentials Secret changes"))
		Expect(tok.Status.FailureCount).To(BeEquivalentTo(1))
		Expect(retryDelayIn(tok)).To(Equal(time.Minute))
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))

		By("nothing is retried before the minute is up")
		touch(tok)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1))

		By("a Secret still wrong is retried at once and backs off twice as long")
		secondWrong := "d3Jvbmcy" + randomHex(12) + "/=="
		setClientSecret(namespace, secondWrong)
		Eventually(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(2))
			tok := getToken(namespace, "shop")
			g.Expect(tok.Status.FailureCount).To(BeEquivalentTo(2))
			g.Expect(retryDelayIn(tok)).To(Equal(2 * time.Minute))
		}).Should(Succeed())

		By("the right Secret is retried at once although the next retry is minutes away")
		setClientSecret(namespace, creds.ClientSecret)
		tok = eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(3))
		Expect(tok.Status.FailureCount).To(BeZero())
		Expect(tok.Status.NextRetryTime).To(BeNil())
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))
		expectNothingLeaked(namespace, append(secretsOf(creds), wrong.ClientSecret, secondWrong,
			accessToken(Default, namespace, "shop-token"))...)
	})

	It("refuses an endpoint outside the allow-list without sending the credentials there", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace, "shop", "vipps-credentials")
		// The fake under another name, so that a request sent anyway would be recorded. The
		// escaped path is legal in a URL and must reach the event unharmed.
		tok.Spec.Endpoint = strings.Replace(fakeServer.URL, "127.0.0.1", "localhost", 1) + "/vipps%2Dproxy"
		create(tok)

		tok = eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonEndpointNotAllowed)
		refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
		Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonEndpointNotAllowed))
		Expect(refreshed.Message).To(ContainSubstring(tok.Spec.Endpoint))
		Expect(refreshed.Message).To(ContainSubstring("--allowed-endpoints"))
		Expect(tok.Status.NextRetryTime).To(BeNil())
		Expect(tok.Status.FailureCount).To(BeEquivalentTo(1))

		By("the event says what the condition says")
		Eventually(func(g Gomega) {
			warnings := eventsWith(eventsFor(g, tok), corev1.EventTypeWarning, tokensv1alpha1.ReasonEndpointNotAllowed)
			g.Expect(warnings).To(HaveLen(1))
			g.Expect(warnings[0].Note).To(Equal(refreshed.Message))
		}).Should(Succeed())
		Consistently(func() []fakevipps.RecordedRequest { return requestsNaming(creds.ClientID) }).Should(BeEmpty())

		By("an allowed endpoint in the spec brings a token at once")
		editSpec(namespace, "shop", func(spec *tokensv1alpha1.VippsTokenSpec) { spec.Endpoint = fakeServer.URL })
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	It("caches only the Secrets it manages, not the credentials nor anybody else's", func() {
		newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "cached", "vipps-credentials"))
		eventuallyReady(namespace, "cached", tokensv1alpha1.ReasonTokenValid)

		Expect(manager.client.Get(suiteCtx, nameIn(namespace, "cached-token"), &corev1.Secret{})).To(Succeed())
		Expect(apierrors.IsNotFound(manager.client.Get(suiteCtx, nameIn(namespace, "vipps-credentials"), &corev1.Secret{}))).
			To(BeTrue(), "the credentials Secret is not in the manager's cache")
	})
})
