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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// When a new token is fetched (before the old one expires, when a person asks, when what
// decides the token changes), and when not.
var _ = Describe("Renewal", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	// Serial: the spec shortens the fake's token lifetime.
	It("keeps an unexpired token in the target over several cycles, for one Vipps call a cycle", Serial, func() {
		withShortLifetime(6 * time.Second)
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "short", "vipps-credentials"))
		eventuallyReady(namespace, "short", tokensv1alpha1.ReasonTokenValid)

		seen := map[string]bool{}
		// A 6 s token is renewed about 2 s before it expires: 15 s cover three cycles or more.
		Consistently(func(g Gomega) {
			g.Expect(time.Now().Before(targetExpiry(g, namespace, "short-token"))).To(BeTrue(),
				"the target holds an expired token")
			seen[accessToken(g, namespace, "short-token")] = true
		}, 15*time.Second, 100*time.Millisecond).Should(Succeed())

		Expect(len(seen)).To(BeNumerically(">=", 4), "the first token and at least three renewals")
		Expect(fake.CallsBy(creds.ClientID)).To(BeNumerically("<=", len(seen)+1),
			"each renewal costs one call (the last may be in flight)")
	})

	// Vipps back-dates iat, nbf and not_before by five minutes, as the suite's fake does. A
	// lifetime counted from them is five minutes too long, and the renewal of a 30-second
	// token fell before it was received: about 17 requests a second per VippsToken.
	// Serial: the spec shortens the fake's token lifetime.
	It("renews back-dated 30-second tokens of both types at their lifetime's pace, not in a loop", Serial, func() {
		const lifetime, watched = 30 * time.Second, 2 * time.Minute
		withShortLifetime(lifetime)
		standardCreds := newCredentials(namespace, "standard-credentials")
		partnerCreds := newCredentials(namespace, "partner-credentials")
		create(newToken(namespace, "standard", "standard-credentials"))
		partner := newToken(namespace, "partner", "partner-credentials")
		partner.Spec.Type = tokensv1alpha1.TokenTypePartner
		create(partner)
		eventuallyReady(namespace, "standard", tokensv1alpha1.ReasonTokenValid)
		eventuallyReady(namespace, "partner", tokensv1alpha1.ReasonTokenValid)
		bothCreds := []fakevipps.Credentials{standardCreds, partnerCreds}
		callsBefore := map[string]int{}
		for _, creds := range bothCreds {
			callsBefore[creds.ClientID] = fake.CallsBy(creds.ClientID)
		}

		Consistently(func(g Gomega) {
			for _, name := range []string{"standard-token", "partner-token"} {
				g.Expect(time.Now().Before(targetExpiry(g, namespace, name))).To(BeTrue(), "%s holds an expired token", name)
			}
		}, watched, time.Second).Should(Succeed())

		// Renewed when a third of the lifetime remains, less up to a tenth of that as jitter:
		// every 19 to 20 s, so about 6 renewals each in two minutes, and one more may be in
		// flight. Renewing only at expiry would make 4.
		for _, creds := range bothCreds {
			renewals := fake.CallsBy(creds.ClientID) - callsBefore[creds.ClientID]
			Expect(renewals).To(BeNumerically("<=", int(watched/(lifetime*2/3-lifetime/30))+1), "renewals in %s", watched)
			Expect(renewals).To(BeNumerically(">=", int(watched/lifetime)+1), "renewals in %s", watched)
		}
	})

	It("makes no Vipps call and no write between renewals", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "quiet", "vipps-credentials"))
		tok := eventuallyReady(namespace, "quiet", tokensv1alpha1.ReasonTokenValid)
		target := getSecret(Default, namespace, "quiet-token")

		By("a reconcile brought about by an unrelated annotation changes nothing")
		tok.Annotations = map[string]string{"example.com/note": "hello"}
		Expect(k8sClient.Update(suiteCtx, tok)).To(Succeed())
		tokenVersion := tok.ResourceVersion

		Consistently(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
			g.Expect(getToken(namespace, "quiet").ResourceVersion).To(Equal(tokenVersion), "no status write")
			g.Expect(getSecret(g, namespace, "quiet-token").ResourceVersion).To(Equal(target.ResourceVersion), "no target write")
		}).Should(Succeed())
	})

	It("refreshes once for each new value of the refresh annotation", func() {
		creds, first := newReadyToken(namespace, "forced")

		annotate(namespace, "forced", tokensv1alpha1.AnnotationRefresh, "1")
		eventuallyNewToken(namespace, "forced-token", first)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
		Expect(getToken(namespace, "forced").Status.LastRefreshRequest).To(Equal("1"))

		annotate(namespace, "forced", tokensv1alpha1.AnnotationRefresh, "2")
		Eventually(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(3))
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(3))
	})

	It("fetches a new token when a spec field that decides the token changes", func() {
		creds, first := newReadyToken(namespace, "msn")
		editSpec(namespace, "msn", func(spec *tokensv1alpha1.VippsTokenSpec) { spec.MerchantSerialNumber = "654321" })

		eventuallyNewToken(namespace, "msn-token", first)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
		sent := requestsNaming(creds.ClientID)
		Expect(sent[len(sent)-1].Header.Get("Merchant-Serial-Number")).To(Equal("654321"))
	})
})
