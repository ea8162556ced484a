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
	"fmt"
	"maps"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// When Vipps is down, the outage is its host's: one probe request at a time goes to it, and
// its first success brings every waiting VippsToken back (host_availability.go). Each
// VippsToken has credentials of its own, so that the fake tells whose requests it received.
// Serial: the specs take the fake's one host down.
var _ = Describe("A Vipps outage", Serial, func() {
	var (
		namespace string
		host      string
	)
	BeforeEach(func() {
		namespace = newNamespace()
		host = hostOf(fakeServer.URL)
	})

	It("costs one probe at a time, not a retry per VippsToken, and each VippsToken names it once", func() {
		const n = 12
		withShortLifetime(5 * time.Second) // renewed from about 3.3 s, expired at 5 s
		clients := createTokensWithOwnCredentials(namespace, n)
		before := callsByEach(clients)

		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		start := time.Now()

		By("every token comes due and expires while the host is down")
		for name := range clients {
			eventuallyNotReadyWithin(namespace, name, tokensv1alpha1.ReasonTokenExpired, 3*specTimeout)
		}
		watched := 12 * time.Second
		time.Sleep(time.Until(start.Add(watched)))

		By("the requests: those in flight when the host went down, then probes on the host's backoff")
		sent := callsByEach(clients)
		total := 0
		for name := range clients {
			sent[name] -= before[name]
			total += sent[name]
		}
		// At most every worker's request in flight when the first one failed, then the probes.
		Expect(total).To(And(BeNumerically(">=", 2), BeNumerically("<=", 4+maxProbesWithin(watched))),
			"token requests in %s of the outage, by VippsToken: %v", watched, sent)
		Expect(total).To(BeNumerically("<", n), "not even one request per VippsToken")

		By("each names the outage of its host and the next probe, Reconciling (it passes), not Stalled")
		for name := range clients {
			tok := getToken(namespace, name)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonVippsUnavailable), name)
			Expect(refreshed.Message).To(ContainSubstring("Vipps at %s has been unavailable since", host), name)
			Expect(refreshed.Message).To(MatchRegexp(`one probe request at a time there \((the next at \S+Z|one is under way)\)`), name)
			Expect(tok.Status.NextRetryTime).NotTo(BeNil(), name)
			Expect(condition(tok, tokensv1alpha1.ConditionReconciling).Status).To(Equal(metav1.ConditionTrue), name)
			Expect(condition(tok, tokensv1alpha1.ConditionStalled).Status).To(BeEmpty(), name)
		}

		By("one Warning event each, repeated only for the requests of its own that failed")
		for name := range clients {
			tok := getToken(namespace, name)
			Eventually(func(g Gomega) {
				warnings := eventsWith(eventsFor(g, tok), corev1.EventTypeWarning, tokensv1alpha1.ReasonVippsUnavailable)
				g.Expect(warnings).To(HaveLen(1))
				g.Expect(warnings[0].Note).To(ContainSubstring("Vipps at %s has been unavailable since", host))
				// Once when it began to wait, unless a failed request of its own came first, and once
				// for each failed request of its own. The API server learns of the second occurrence
				// at once, of later ones only at client-go's series refresh, every 30 minutes.
				g.Expect(occurrences(warnings[0])).To(And(
					BeNumerically(">=", min(2, max(1, sent[name]))), BeNumerically("<=", sent[name]+1)))
			}).Should(Succeed(), name)
		}

		By("the metrics say the host is down, and since when")
		Expect(metricValue(metricHostState, map[string]string{"host": host, "state": "up"})).To(BeZero())
		Expect(metricValue(metricHostState, map[string]string{"host": host, "state": "down"}) +
			metricValue(metricHostState, map[string]string{"host": host, "state": "probing"})).To(BeNumerically("==", 1))
		Expect(metricValue(metricHostDownSince, map[string]string{"host": host})).To(
			And(BeNumerically(">=", start.Unix()), BeNumerically("<=", time.Now().Unix())))
	})

	It("brings every waiting VippsToken back at the first success, within seconds", func() {
		const n = 10
		withShortLifetime(5 * time.Second)
		clients := createTokensWithOwnCredentials(namespace, n)
		tokens := map[string]string{}
		for name := range clients {
			tokens[name] = accessToken(Default, namespace, name+"-token")
		}

		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		for name := range clients {
			eventuallyNotReadyWithin(namespace, name, tokensv1alpha1.ReasonTokenExpired, 3*specTimeout)
		}
		// Long enough for backoffs of each VippsToken's own to have spread far apart.
		time.Sleep(8 * time.Second)

		By("the host answers again")
		fake.SetLifetime(0) // long-lived tokens from here on: no renewal mixes with the recovery
		fake.ClearFaults()
		cleared := time.Now()
		for name := range clients {
			Eventually(func(g Gomega) {
				g.Expect(accessToken(g, namespace, name+"-token")).NotTo(Equal(tokens[name]))
			}, probeBackoffMax+specTimeout).Should(Succeed(), name)
			tok := eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
			// Written by the turn after the one that wrote the targets (trailing_status.go).
			Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued), name)
			Expect(tok.Status.FailureCount).To(BeZero(), name)
			Expect(tok.Status.NextRetryTime).To(BeNil(), name)
		}

		By("one request each, all within seconds of the probe that succeeded")
		times := make([]time.Time, 0, len(clients))
		for name, clientID := range clients {
			recovery := requestsBetween(clientID, cleared, time.Now())
			Expect(recovery).To(HaveLen(1), name)
			times = append(times, recovery[0].Time)
		}
		first, last := slices.MinFunc(times, time.Time.Compare), slices.MaxFunc(times, time.Time.Compare)
		Expect(first.Sub(cleared)).To(BeNumerically("<=", probeBackoffMax+2*time.Second), "the probe after the outage")
		Expect(last.Sub(first)).To(BeNumerically("<", 2*time.Second), "every VippsToken woken by the probe's success")
		Expect(metricValue(metricHostState, map[string]string{"host": host, "state": "up"})).To(BeNumerically("==", 1))
		Expect(seriesWith(metricHostDownSince, map[string]string{"host": host})).To(BeEmpty())
	})

	It("is not a 401: rejected credentials leave the host up for every other VippsToken", func() {
		newWrongCredentials(namespace, "wrong-credentials")
		create(newToken(namespace, "rejected", "wrong-credentials"))
		tok := eventuallyNotReady(namespace, "rejected", tokensv1alpha1.ReasonCredentialsRejected)
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Message).NotTo(ContainSubstring("probe"))
		Expect(metricValue(metricHostState, map[string]string{"host": host, "state": "up"})).To(BeNumerically("==", 1))

		By("a VippsToken created now gets its token at once, never told to wait for the host")
		fineCreds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "fine", "vipps-credentials"))
		fine := eventuallyReady(namespace, "fine", tokensv1alpha1.ReasonTokenValid)
		Expect(fine.Status.FailureCount).To(BeZero())
		Expect(fake.CallsBy(fineCreds.ClientID)).To(Equal(1))
		Eventually(func(g Gomega) []string {
			events := eventsFor(g, fine)
			reasons := make([]string, 0, len(events))
			for _, ev := range events {
				reasons = append(reasons, ev.Reason)
			}
			return reasons
		}).Should(Equal([]string{tokensv1alpha1.ReasonTokenIssued}))
	})

	It("honours a Retry-After with the probe: no VippsToken asks sooner, not even when a person asks", func() {
		const retryAfter = 6 * time.Second
		clients := createTokensWithOwnCredentials(namespace, 3)
		names := slices.Sorted(maps.Keys(clients))
		first, others := names[0], names[1:]

		fake.InjectFaults(fakevipps.RateLimited(retryAfter), fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		annotate(namespace, first, tokensv1alpha1.AnnotationRefresh, "rate-limited")
		tok := eventuallyReady(namespace, first, tokensv1alpha1.ReasonRateLimited)
		limited := requestsNaming(clients[first])
		Expect(limited).To(HaveLen(2), "the first token and the request that met the 429")
		limitedAt := limited[1].Time
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Message).To(ContainSubstring("Vipps at %s", host))
		Expect(tok.Status.NextRetryTime.Time).To(BeTemporally(">=", limitedAt.Add(retryAfter)))

		By("the others are asked to refresh by a person, and wait all the same")
		calls := fake.Calls()
		for _, name := range others {
			annotate(namespace, name, tokensv1alpha1.AnnotationRefresh, "rate-limited")
		}
		for _, name := range others {
			tok := eventuallyReady(namespace, name, tokensv1alpha1.ReasonRateLimited)
			Expect(tok.Status.NextRetryTime.Time).To(BeTemporally(">=", limitedAt.Add(retryAfter)), name)
		}
		Consistently(fake.Calls, max(time.Until(limitedAt.Add(retryAfter-time.Second)), time.Second)).Should(Equal(calls))

		By("the host answers again: the probe, not before Retry-After, and every VippsToken with it")
		fake.ClearFaults()
		for _, name := range names {
			eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
		}
		var after []time.Time
		for _, name := range names {
			for _, req := range requestsBetween(clients[name], limitedAt.Add(time.Nanosecond), time.Now()) {
				after = append(after, req.Time)
			}
		}
		Expect(after).To(HaveLen(len(names)), "one request each after the 429")
		Expect(slices.MinFunc(after, time.Time.Compare)).To(BeTemporally(">=", limitedAt.Add(retryAfter)))
	})
})

// Metric names of the hosts' state.
const (
	metricHostState     = "vipps_token_host_state"
	metricHostDownSince = "vipps_token_host_down_since_timestamp_seconds"
)

// createTokensWithOwnCredentials creates n VippsTokens, each with credentials of its own, waits
// until each is Ready, and returns their client IDs by name.
func createTokensWithOwnCredentials(namespace string, n int) map[string]string {
	GinkgoHelper()
	clients := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("shop-%02d", i)
		clients[name] = newCredentials(namespace, name+"-credentials").ClientID
		create(newToken(namespace, name, name+"-credentials"))
	}
	for name := range clients {
		eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
	}
	return clients
}

// callsByEach is how many requests the fake received from each VippsToken.
func callsByEach(clients map[string]string) map[string]int {
	calls := map[string]int{}
	for name, clientID := range clients {
		calls[name] = fake.CallsBy(clientID)
	}
	return calls
}

// eventuallyNotReadyWithin waits up to timeout for Ready=False with the reason given.
func eventuallyNotReadyWithin(namespace, name, reason string, timeout time.Duration) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		ready := condition(getToken(namespace, name), tokensv1alpha1.ConditionReady)
		g.Expect(ready.Status).To(Equal(metav1.ConditionFalse), ready.Message)
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
	}, timeout).Should(Succeed(), name)
}
