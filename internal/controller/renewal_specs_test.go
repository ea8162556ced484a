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
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

var _ = Describe("Renewal", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("keeps an unexpired token in the target over several cycles, for one Vipps call a cycle", func() {
		withShortLifetime(6 * time.Second)
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "short", "vipps-credentials"))
		eventuallyReady(namespace, "short", tokensv1alpha1.ReasonTokenValid)

		seen := map[string]bool{}
		// A 6 s token is renewed about 2 s before it expires: 15 s cover three cycles or more.
		Consistently(func(g Gomega) {
			secret := getSecret(g, namespace, "short-token")
			expiresAt, err := strconv.ParseInt(string(secret.Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(time.Now().Unix()).To(BeNumerically("<", expiresAt), "the target holds an expired token")
			seen[string(secret.Data[tokensv1alpha1.KeyAccessToken])] = true
		}, 15*time.Second, 100*time.Millisecond).Should(Succeed())

		Expect(len(seen)).To(BeNumerically(">=", 4), "the first token and at least three renewals")
		Expect(fake.CallsBy(creds.ClientID)).To(BeNumerically("<=", len(seen)+1),
			"each renewal costs one call (the last may be in flight)")
	})

	// Vipps back-dates iat, nbf and not_before by five minutes, as the suite's fake does. A
	// lifetime counted from them is five minutes too long, and the renewal of a 30-second
	// token fell before it was received: about 17 requests a second per VippsToken.
	It("renews back-dated 30-second tokens of both types at their lifetime's pace, not in a loop", func() {
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
				expiresAt, err := strconv.ParseInt(string(getSecret(g, namespace, name).Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(time.Now().Unix()).To(BeNumerically("<", expiresAt), "%s holds an expired token", name)
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

	It("makes no Vipps call after a restart that finds valid targets", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "restart", "vipps-credentials"))
		eventuallyReady(namespace, "restart", tokensv1alpha1.ReasonTokenValid)
		token := accessToken(Default, namespace, "restart-token")

		manager.stop()
		restarted := false
		DeferCleanup(func() {
			if !restarted { // the spec failed while the operator was down
				manager = startManager()
			}
		})

		By("while the operator is down, a target is added, which needs no new token")
		tok := getToken(namespace, "restart")
		tok.Spec.Targets = append(tok.Spec.Targets, tokensv1alpha1.TargetSecret{Name: "added-while-down"})
		Expect(k8sClient.Update(suiteCtx, tok)).To(Succeed())

		manager, restarted = startManager(), true
		Eventually(func(g Gomega) {
			g.Expect(accessToken(g, namespace, "added-while-down")).To(Equal(token))
		}).Should(Succeed())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1))
	})

	It("refreshes once for each new value of the refresh annotation", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "forced", "vipps-credentials"))
		eventuallyReady(namespace, "forced", tokensv1alpha1.ReasonTokenValid)
		first := accessToken(Default, namespace, "forced-token")

		requestRefresh := func(value string) {
			tok := getToken(namespace, "forced")
			tok.Annotations = map[string]string{tokensv1alpha1.AnnotationRefresh: value}
			Expect(k8sClient.Update(suiteCtx, tok)).To(Succeed())
		}
		requestRefresh("1")
		Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, "forced-token")).NotTo(Equal(first)) }).Should(Succeed())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
		Expect(getToken(namespace, "forced").Status.LastRefreshRequest).To(Equal("1"))

		requestRefresh("2")
		Eventually(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(3))
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(3))
	})
})
