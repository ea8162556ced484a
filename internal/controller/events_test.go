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
	"sigs.k8s.io/controller-runtime/pkg/client"

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

	It("records one Warning per failed request, aggregated into one event", func() {
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

// eventsFor lists the events about tok.
func eventsFor(g Gomega, tok *tokensv1alpha1.VippsToken) []eventsv1.Event {
	list := &eventsv1.EventList{}
	g.Expect(k8sClient.List(suiteCtx, list, client.InNamespace(tok.Namespace))).To(Succeed())
	var about []eventsv1.Event
	for _, ev := range list.Items {
		if ev.Regarding.UID == tok.UID {
			about = append(about, ev)
		}
	}
	return about
}

// eventsWith filters events by type and, unless empty, reason.
func eventsWith(events []eventsv1.Event, eventType, reason string) []eventsv1.Event {
	var matching []eventsv1.Event
	for _, ev := range events {
		if ev.Type == eventType && (reason == "" || ev.Reason == reason) {
			matching = append(matching, ev)
		}
	}
	return matching
}

// occurrences is how often an event happened, as far as the API server knows.
func occurrences(ev eventsv1.Event) int32 {
	if ev.Series == nil {
		return 1
	}
	return ev.Series.Count
}
