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
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// Events are events.k8s.io/v1: repeats of an event (same type, reason, action and object)
// are aggregated into the first one's series, whose count reaches the API server from the
// second occurrence on.
var _ = Describe("Events of a VippsToken", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("records one Normal event per refresh and none for a reconcile that refreshes nothing", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		tok := eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)

		Eventually(func(g Gomega) {
			all := eventsFor(g, tok)
			g.Expect(all).To(HaveLen(1))
			issued := all[0]
			g.Expect(issued.Type).To(Equal(corev1.EventTypeNormal))
			g.Expect(issued.Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))
			g.Expect(issued.Action).To(Equal("Refresh"))
			g.Expect(issued.ReportingController).To(Equal("vipps-token-operator"))
			g.Expect(issued.Regarding.Kind).To(Equal("VippsToken"))
			g.Expect(issued.Regarding.Name).To(Equal("shop"))
			g.Expect(issued.Note).To(ContainSubstring(formatTime(tok.Status.ExpiresAt.Time)))
			g.Expect(issued.Series).To(BeNil())
		}).Should(Succeed())

		By("a reconcile that finds the token fresh records nothing")
		touch(tok)
		Consistently(func(g Gomega) {
			g.Expect(eventsFor(g, tok)).To(HaveLen(1))
			g.Expect(occurrences(eventsFor(g, tok)[0])).To(BeEquivalentTo(1))
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		}).Should(Succeed())

		By("a second refresh is a second occurrence of the same event")
		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "1")
		Eventually(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(2))
			all := eventsFor(g, tok)
			g.Expect(all).To(HaveLen(1))
			g.Expect(all[0].Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))
			g.Expect(occurrences(all[0])).To(BeEquivalentTo(2))
		}).Should(Succeed())
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	// Serial: the spec makes the fake fail every request.
	It("records one Warning per failed request, aggregated into one event", Serial, func() {
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		tok := eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)

		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "1")
		Eventually(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(2))
			refreshed := condition(getToken(namespace, "shop"), tokensv1alpha1.ConditionRefreshed)
			g.Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonVippsUnavailable))
			warnings := eventsWith(eventsFor(g, tok), corev1.EventTypeWarning, tokensv1alpha1.ReasonVippsUnavailable)
			g.Expect(warnings).To(HaveLen(1))
			g.Expect(warnings[0].Note).To(Equal(refreshed.Message))
			g.Expect(occurrences(warnings[0])).To(BeEquivalentTo(1))
		}).Should(Succeed())

		By("a second failed request adds to the same event")
		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "2")
		Eventually(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(3))
			warnings := eventsWith(eventsFor(g, tok), corev1.EventTypeWarning, tokensv1alpha1.ReasonVippsUnavailable)
			g.Expect(warnings).To(HaveLen(1))
			g.Expect(occurrences(warnings[0])).To(BeEquivalentTo(2))
		}).Should(Succeed())
		Consistently(func(g Gomega) {
			g.Expect(eventsWith(eventsFor(g, tok), corev1.EventTypeWarning, "")).To(HaveLen(1))
			g.Expect(eventsWith(eventsFor(g, tok), corev1.EventTypeNormal, "")).To(HaveLen(1), "the first token only")
		}).Should(Succeed())
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	It("records a problem found before any request once, however often it is found again", func() {
		creds := newCredentials(namespace, "elsewhere")
		create(newToken(namespace, "shop", "vipps-credentials"))
		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonCredentialsNotFound)
		Eventually(func(g Gomega) []eventsv1.Event {
			return eventsWith(eventsFor(g, tok), corev1.EventTypeWarning, tokensv1alpha1.ReasonCredentialsNotFound)
		}).Should(HaveLen(1))

		touch(tok)
		touch(tok)
		Consistently(func(g Gomega) {
			all := eventsFor(g, tok)
			g.Expect(all).To(HaveLen(1))
			g.Expect(occurrences(all[0])).To(BeEquivalentTo(1))
		}).Should(Succeed())
		expectNothingLeaked(namespace, secretsOf(creds)...)
	})
})

// The request metrics are global to the suite; specs run one at a time, so a spec reads how
// much they grew while it ran.
var _ = Describe("Metrics of a VippsToken", Serial, func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("exports expiry, renewal and readiness of each VippsToken and counts requests by result", func() {
		standardTest := map[string]string{"type": "Standard", "environment": "Test"}
		successes := metricValue(metricRequests, withResult(standardTest, "Success"))
		unavailable := metricValue(metricRequests, withResult(standardTest, tokensv1alpha1.ReasonVippsUnavailable))
		timed := metricValue(metricDuration, standardTest)

		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		tok := eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		self := map[string]string{"namespace": namespace, "name": "shop"}

		Eventually(func(g Gomega) {
			g.Expect(gauge(g, metricExpiry, self)).To(BeNumerically("==", tok.Status.ExpiresAt.Unix()))
			g.Expect(gauge(g, metricRenewal, self)).To(BeNumerically("==", tok.Status.RenewalTime.Unix()))
			g.Expect(gauge(g, metricReady, self)).To(BeNumerically("==", 1))
		}).Should(Succeed())
		Expect(metricValue(metricRequests, withResult(standardTest, "Success")) - successes).To(BeNumerically("==", 1))
		Expect(metricValue(metricDuration, standardTest)-timed).To(BeNumerically("==", 1), "one observed duration")

		By("a failed request is counted by its reason, and a valid token stays ready")
		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "1")
		Eventually(func() float64 {
			return metricValue(metricRequests, withResult(standardTest, tokensv1alpha1.ReasonVippsUnavailable)) - unavailable
		}).Should(BeNumerically("==", 1))
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(2))
		Consistently(func(g Gomega) {
			g.Expect(gauge(g, metricReady, self)).To(BeNumerically("==", 1))
			g.Expect(gauge(g, metricExpiry, self)).To(BeNumerically("==", tok.Status.ExpiresAt.Unix()))
		}, "1s").Should(Succeed())

		By("no label value holds a secret")
		expectNoSecretInLabels(append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)

		By("a deleted VippsToken's series are dropped")
		Expect(k8sClient.Delete(suiteCtx, tok)).To(Succeed())
		Eventually(func() []map[string]string {
			return slices.Concat(seriesWith(metricExpiry, self), seriesWith(metricRenewal, self),
				seriesWith(metricReady, self))
		}).Should(BeEmpty())
	})

	It("exports a VippsToken without a token as not ready, with no expiry", func() {
		creds := newCredentials(namespace, "elsewhere")
		create(newToken(namespace, "shop", "vipps-credentials"))
		eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonCredentialsNotFound)
		self := map[string]string{"namespace": namespace, "name": "shop"}

		Eventually(func(g Gomega) {
			g.Expect(gauge(g, metricReady, self)).To(BeNumerically("==", 0))
			g.Expect(seriesWith(metricExpiry, self)).To(BeEmpty())
			g.Expect(seriesWith(metricRenewal, self)).To(BeEmpty())
		}).Should(Succeed())
		expectNoSecretInLabels(secretsOf(creds)...)
	})
})
