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
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

var _ = Describe("A VippsToken whose refresh fails", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("reports a missing credentials Secret, sends nothing, and retries as soon as the Secret appears", func() {
		creds := newCredentials(namespace, "elsewhere") // registered with the fake, stored under another name
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonCredentialsNotFound)
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
		Expect(k8sClient.Create(suiteCtx, credentialsSecret(namespace, "vipps-credentials", creds))).To(Succeed())
		tok = eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		Expect(tok.Status.FailureCount).To(BeZero())
		Expect(tok.Status.LastFailureTime).To(BeNil())
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	DescribeTable("reports a credentials Secret it cannot use, naming the key and never the value",
		func(reason, key string, edit func(data map[string]string)) {
			creds := newCredentials(namespace, "registered")
			secret := credentialsSecret(namespace, "vipps-credentials", creds)
			edit(secret.StringData)
			planted := append(secretsOf(creds), secret.StringData["client-secret"]) // StringData is write-only
			Expect(k8sClient.Create(suiteCtx, secret)).To(Succeed())
			create(newToken(namespace, "shop", "vipps-credentials"))

			tok := eventuallyNotReady(namespace, "shop", reason)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
			Expect(refreshed.Reason).To(Equal(reason))
			Expect(refreshed.Message).To(ContainSubstring(`"` + key + `"`))
			Expect(refreshed.Message).To(ContainSubstring("the operator retries as soon as it changes"))
			Expect(tok.Status.NextRetryTime).To(BeNil())
			Expect(fake.CallsBy(creds.ClientID)).To(BeZero())
			expectNothingLeaked(namespace, planted...)
		},
		Entry("a key is missing", tokensv1alpha1.ReasonCredentialsNotFound, "subscription-key",
			func(data map[string]string) { delete(data, "subscription-key") }),
		Entry("a value has white space inside", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret",
			func(data map[string]string) { data["client-secret"] = "cGxhbnRlZA== " + randomHex(8) }),
	)

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

	It("backs off rejected credentials from a minute, doubling, and retries at once when the Secret changes", func() {
		creds := newCredentials(namespace, "registered")
		wrong := creds
		wrong.ClientSecret = "d3Jvbmc+" + randomHex(12) + "/=="
		Expect(k8sClient.Create(suiteCtx, credentialsSecret(namespace, "vipps-credentials", wrong))).To(Succeed())
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

	DescribeTable("classifies a failed first request and schedules a retry",
		func(fault fakevipps.Fault, reason, advice string) {
			creds := newCredentials(namespace, "vipps-credentials")
			fake.InjectFaults(fault, 1)
			DeferCleanup(fake.ClearFaults)
			create(newToken(namespace, "shop", "vipps-credentials"))

			tok := eventuallyNotReady(namespace, "shop", reason)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
			Expect(refreshed.Reason).To(Equal(reason))
			Expect(refreshed.Message).To(ContainSubstring(advice))
			Expect(tok.Status.FailureCount).To(BeEquivalentTo(1))
			Expect(tok.Status.NextRetryTime).NotTo(BeNil())
			Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
			expectNothingLeaked(namespace, secretsOf(creds)...)
		},
		Entry("503", fakevipps.Status503, tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"),
		Entry("502 with an HTML page", fakevipps.Status502, tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"),
		Entry("no answer within the client's timeout", fakevipps.Hang(5*time.Second),
			tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"),
		Entry("429 without Retry-After", fakevipps.RateLimited(0), tokensv1alpha1.ReasonRateLimited, "honours Retry-After"),
		Entry("JSON cut off", fakevipps.MalformedJSON, tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"),
		Entry("an HTML page with 200", fakevipps.HTMLBody, tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"),
		Entry("no access_token", fakevipps.MissingAccessToken, tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"),
	)

	It("retries a transient failure with its host's first probe, within a jittered probeBackoffBase, and not before", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		fake.InjectFaults(fakevipps.Status503, 1)
		DeferCleanup(fake.ClearFaults)
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonVippsUnavailable)
		// The first probe's delay is in (1.6s, 2s], rounded up to a whole second, and the
		// failure's time is truncated to one: 2 or 3 whole seconds apart.
		Expect(retryDelayIn(tok)).To(And(BeNumerically(">=", 2*time.Second), BeNumerically("<=", 3*time.Second)))
		nextRetry := tok.Status.NextRetryTime.Time

		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		requests := requestsNaming(creds.ClientID)
		Expect(requests).To(HaveLen(2))
		Expect(requests[1].Time).To(BeTemporally(">=", nextRetry), "the retry waited for nextRetryTime")
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	It("waits at least as long as Retry-After, even when its own backoff is shorter", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		fake.InjectFaults(fakevipps.RateLimited(20*time.Second), 1)
		DeferCleanup(fake.ClearFaults)
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonRateLimited)
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonRateLimited))
		// Rounded up to whole seconds, never down: no retry comes before Retry-After.
		Expect(retryDelayIn(tok)).To(And(BeNumerically(">=", 20*time.Second), BeNumerically("<=", 21*time.Second)))
		// Without Retry-After the first retry would come within 5s.
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }, 5*time.Second).Should(Equal(1))
		expectNothingLeaked(namespace, secretsOf(creds)...)
	})

	It("keeps a valid token in the targets through an outage, reports its expiry, and bounds its retries", func() {
		withShortLifetime(6 * time.Second) // renewed from about 4s, expires at 6s
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		token := accessToken(Default, namespace, "shop-token")

		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1), "the outage began before the renewal")

		By("the renewal fails; Ready stays True with the failure's reason and the target keeps its token")
		Eventually(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
		tok := eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonVippsUnavailable)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("the last refresh failed"))
		refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
		Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
		Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonVippsUnavailable))
		Expect(accessToken(Default, namespace, "shop-token")).To(Equal(token))

		By("over the next 8s the host's probes back off, and the target keeps its token throughout")
		// The VippsToken is the only one waiting for the host, so the probes are its requests.
		// Probe k waits more than four fifths of 2s·2^(k-1), up to 7s: the probes come more
		// than 1.6s, 4.8s and 10.4s after the first failed call, the first within 3s of it, so
		// 8s hold at most 3 calls of the outage, and at least 2.
		Consistently(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID) - 1).To(BeNumerically("<=", 3))
			g.Expect(accessToken(g, namespace, "shop-token")).To(Equal(token))
		}, 8*time.Second).Should(Succeed())
		outageCalls := fake.CallsBy(creds.ClientID) - 1
		Expect(outageCalls).To(BeNumerically(">=", 2))

		By("the token has expired: Ready is False with TokenExpired and names the failure")
		tok = eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTokenExpired)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("The last refresh failed"))
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonVippsUnavailable))
		Expect(tok.Status.FailureCount).To(BeEquivalentTo(outageCalls))

		By("after the outage a refresh request is served at once, as the host's probe")
		fake.ClearFaults()
		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "after-outage")
		tok = eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(tok.Status.FailureCount).To(BeZero())
		Expect(tok.Status.NextRetryTime).To(BeNil())
		renewed := accessToken(Default, namespace, "shop-token")
		Expect(renewed).NotTo(Equal(token))
		expectNothingLeaked(namespace, append(secretsOf(creds), token, renewed)...)
	})

	It("leaves a target Secret it does not own untouched and reports TargetConflict", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		theirs := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "shop-token", Namespace: namespace, Labels: map[string]string{"team": "other"}},
			Data:       map[string][]byte{"access-token": []byte("theirs")},
		}
		Expect(k8sClient.Create(suiteCtx, theirs)).To(Succeed())
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTargetConflict)
		ready := condition(tok, tokensv1alpha1.ConditionReady)
		Expect(ready.Message).To(ContainSubstring("shop-token"))
		Expect(ready.Message).To(ContainSubstring("Rename the target"))

		By("the Secret is not touched, and no token is requested that no target could take")
		untouchedAndNoRequest := func(g Gomega) {
			now := getSecret(g, namespace, "shop-token")
			g.Expect(now.ResourceVersion).To(Equal(theirs.ResourceVersion))
			g.Expect(now.OwnerReferences).To(BeEmpty())
			g.Expect(fake.CallsBy(creds.ClientID)).To(BeZero())
		}
		Consistently(untouchedAndNoRequest).Should(Succeed())

		By("nor after a restart of the operator, once the new one has reconciled it")
		manager.stop()
		manager = startManager()
		// A change to the system headers needs no new token, and observedGeneration shows
		// when the restarted operator has been through the VippsToken.
		editSpec(namespace, "shop", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.SystemInfo = &tokensv1alpha1.SystemInfo{Name: "after-restart"}
		})
		eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTargetConflict)
		Consistently(untouchedAndNoRequest).Should(Succeed())

		By("renaming the target resolves the conflict with one request")
		editSpec(namespace, "shop", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.Targets = []tokensv1alpha1.TargetSecret{{Name: "shop-token-2"}}
		})
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		Expect(getSecret(Default, namespace, "shop-token").ResourceVersion).To(Equal(theirs.ResourceVersion))
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token-2"))...)
	})

	It("describes in status only a token that a target holds, also after a refused write", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace, "shop", "vipps-credentials")
		// The CRD lets this label key through; the API server refuses it on the Secret.
		tok.Spec.Targets[0].Labels = map[string]string{"not a label key!": "x"}
		create(tok)

		By("the write is refused: the token obtained is in no target, so status names none")
		refused := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTargetWriteFailed)
		Expect(refused.Status.ExpiresAt).To(BeNil())
		Expect(refused.Status.RenewalTime).To(BeNil())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1),
			"retries of the write reuse the token obtained")

		By("then the credentials Secret is deleted: still no claim of a token the targets hold")
		Expect(k8sClient.Delete(suiteCtx, credentialsSecret(namespace, "vipps-credentials", creds))).To(Succeed())
		Consistently(func(g Gomega) {
			current := getToken(namespace, "shop")
			ready := condition(current, tokensv1alpha1.ConditionReady)
			g.Expect(ready.Status).NotTo(Equal(metav1.ConditionTrue), ready.Message)
			g.Expect(ready.Message).NotTo(ContainSubstring("valid until"))
			g.Expect(current.Status.ExpiresAt).To(BeNil())
		}).Should(Succeed())
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: "shop-token"}, &corev1.Secret{})).
			NotTo(Succeed(), "no target was ever written")
	})
})

// secretsOf are the values of creds that must stay in the credentials Secret.
func secretsOf(creds fakevipps.Credentials) []string {
	return append([]string{creds.ClientSecret}, creds.SubscriptionKeys...)
}

// expectNothingLeaked searches every VippsToken (status and conditions included) and every
// event in the namespace for the planted values.
func expectNothingLeaked(namespace string, planted ...string) {
	GinkgoHelper()
	tokens := &tokensv1alpha1.VippsTokenList{}
	Expect(k8sClient.List(suiteCtx, tokens, client.InNamespace(namespace))).To(Succeed())
	Expect(tokens.Items).NotTo(BeEmpty())
	events := &eventsv1.EventList{}
	Eventually(func(g Gomega) []eventsv1.Event {
		g.Expect(k8sClient.List(suiteCtx, events, client.InNamespace(namespace))).To(Succeed())
		return events.Items
	}).ShouldNot(BeEmpty(), "events are recorded asynchronously")

	for _, value := range planted {
		Expect(value).NotTo(BeEmpty())
		for _, tok := range tokens.Items {
			raw, err := json.Marshal(tok)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(raw)).NotTo(ContainSubstring(value), "VippsToken %s", tok.Name)
			for _, c := range tok.Status.Conditions {
				Expect(c.Message).NotTo(ContainSubstring(value), "condition %s", c.Type)
			}
		}
		for _, ev := range events.Items {
			Expect(ev.Note).NotTo(ContainSubstring(value), "event %s", ev.Reason)
		}
	}
}

// retryDelayIn is how long after the last failure the next retry is scheduled.
func retryDelayIn(tok *tokensv1alpha1.VippsToken) time.Duration {
	if tok.Status.NextRetryTime == nil || tok.Status.LastFailureTime == nil {
		return 0
	}
	return tok.Status.NextRetryTime.Sub(tok.Status.LastFailureTime.Time)
}

// requestsNaming are the requests the fake received with the client ID in any form, on any
// path, oldest first.
func requestsNaming(clientID string) []fakevipps.RecordedRequest {
	var named []fakevipps.RecordedRequest
	for _, req := range fake.Requests() {
		if req.ClientID == clientID || req.Header.Get("client_id") == clientID {
			named = append(named, req)
		}
	}
	return named
}

// annotate sets an annotation on a VippsToken.
func annotate(namespace, name, key, value string) {
	GinkgoHelper()
	tok := getToken(namespace, name)
	patch := client.MergeFrom(tok.DeepCopy())
	if tok.Annotations == nil {
		tok.Annotations = map[string]string{}
	}
	tok.Annotations[key] = value
	Expect(k8sClient.Patch(suiteCtx, tok, patch)).To(Succeed())
}

// touch brings a VippsToken back to the reconciler without changing what it asks for.
func touch(tok *tokensv1alpha1.VippsToken) {
	GinkgoHelper()
	annotate(tok.Namespace, tok.Name, "example.com/touched", randomHex(4))
}

// editSpec changes a VippsToken's spec.
func editSpec(namespace, name string, edit func(*tokensv1alpha1.VippsTokenSpec)) {
	GinkgoHelper()
	tok := getToken(namespace, name)
	patch := client.MergeFrom(tok.DeepCopy())
	edit(&tok.Spec)
	Expect(k8sClient.Patch(suiteCtx, tok, patch)).To(Succeed())
}

// setClientSecret changes the client secret in the spec's credentials Secret, "vipps-credentials".
func setClientSecret(namespace, value string) {
	GinkgoHelper()
	secret := getSecret(Default, namespace, "vipps-credentials")
	patch := client.MergeFrom(secret.DeepCopy())
	secret.Data["client-secret"] = []byte(value)
	Expect(k8sClient.Patch(suiteCtx, secret, patch)).To(Succeed())
}
