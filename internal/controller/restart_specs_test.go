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
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// An operator that stops and starts again: what it finds in the targets serves, and the work
// that waited for it is done in time. Serial: every spec stops the suite's manager.
var _ = Describe("A restarted operator", Serial, func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("makes no Vipps call after a restart that finds valid targets", func() {
		creds, token := newReadyToken(namespace, "restart")

		manager.stop()
		restarted := false
		DeferCleanup(func() {
			if !restarted { // the spec failed while the operator was down
				manager = startManager()
			}
		})

		By("while the operator is down, a target is added, which needs no new token")
		editSpec(namespace, "restart", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.Targets = append(spec.Targets, tokensv1alpha1.TargetSecret{Name: "added-while-down"})
		})

		manager, restarted = startManager(), true
		Eventually(func(g Gomega) {
			g.Expect(accessToken(g, namespace, "added-while-down")).To(Equal(token))
		}).Should(Succeed())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1))
	})

	// The defect: after a restart the initial list's items ran at LowPriority, and kept it
	// through every RequeueAfter, while VippsTokens woken by their own events ran at 0 and kept
	// every worker busy: 188 of 200 targets expired and never recovered. The due VippsTokens
	// here come due while the operator is down; the soon ones a few seconds after it is back,
	// while their items of the initial list still wait.
	It("renews every due token before it expires after a restart, while other VippsTokens keep the workers busy", func() {
		const (
			busy, due, soon = 3, 4, 3
			lifetime        = 16 * time.Second
			// slowVipps keeps a worker on each busy VippsToken's request far longer than it
			// takes to change the VippsToken again.
			slowVipps = 300 * time.Millisecond
		)
		withShortLifetime(lifetime)
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(slowVipps):
				fake.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		}))
		DeferCleanup(slow.Close)
		// One worker: what one VippsToken gets, another waits for.
		oneWorker := []managerOption{withWorkers(1), withEndpoints(slow.URL)}
		replaceManager(oneWorker...)

		busyCreds := newCredentials(namespace, "busy-credentials")
		newCredentials(namespace, "due-credentials")
		busyNames, dueNames := make([]string, 0, busy), make([]string, 0, due+soon)
		for i := range busy {
			tok := newToken(namespace, fmt.Sprintf("busy-%d", i), "busy-credentials")
			tok.Spec.Endpoint = slow.URL
			create(tok)
			busyNames = append(busyNames, tok.Name)
		}
		for i := range due + soon {
			name := fmt.Sprintf("due-%d", i)
			if i >= due {
				name = fmt.Sprintf("soon-%d", i-due)
			}
			tok := newToken(namespace, name, "due-credentials")
			// The due ones are renewed halfway through their lifetime: the spec waits out the
			// first half while the operator is down, and the second half is the operator's to
			// renew in. The soon ones are renewed when a quarter remains, about 3 s after the
			// restart.
			tok.Spec.RefreshPolicy.RenewBeforePercentage = new(int32(50))
			if i >= due {
				tok.Spec.RefreshPolicy.RenewBeforePercentage = new(int32(25))
			}
			create(tok)
			dueNames = append(dueNames, tok.Name)
		}
		for _, name := range append(busyNames, dueNames...) {
			eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
		}

		By("the operator stops; refresh requests flood the busy VippsTokens until the due ones are due")
		manager.stop()
		renewalsDue := time.Time{}
		expiresBefore := map[string]time.Time{}
		for i, name := range dueNames {
			tok := getToken(namespace, name)
			if renewalTime := tok.Status.RenewalTime.Time; i < due && renewalTime.After(renewalsDue) {
				renewalsDue = renewalTime
			}
			expiresBefore[name] = targetExpiry(Default, namespace, name+"-token")
		}
		floodRefreshRequests(namespace, busyNames)
		time.Sleep(time.Until(renewalsDue.Add(time.Second)))

		By("restarted with one worker, the operator renews each due and soon due token before it expires")
		restart := time.Now()
		manager = startManager(oneWorker...)
		busyCalls := fake.CallsBy(busyCreds.ClientID)
		firstExpiry := slices.MinFunc(slices.Collect(maps.Values(expiresBefore)), time.Time.Compare)
		// A renewed target holds a token that expires later; the tokens themselves stay out of
		// the output.
		Eventually(func(g Gomega) []string {
			var waiting []string
			for _, name := range dueNames {
				if !targetExpiry(g, namespace, name+"-token").After(expiresBefore[name]) {
					waiting = append(waiting, name)
				}
			}
			return waiting
		}, time.Until(firstExpiry)).Should(BeEmpty(), "renewed before the first of the old tokens expired at %s",
			firstExpiry.Format(time.TimeOnly))
		GinkgoWriter.Printf("Every due and soon token renewed %s after the restart, %s before the first old one expired\n",
			time.Since(restart).Round(10*time.Millisecond), time.Until(firstExpiry).Round(10*time.Millisecond))

		By("and keeps renewing them on time, as long as the flood lasts")
		Consistently(func(g Gomega) {
			for _, name := range dueNames {
				expiresAt := targetExpiry(g, namespace, name+"-token")
				g.Expect(time.Now().Before(expiresAt)).To(BeTrue(), "%s holds a token that expired at %s", name, expiresAt)
			}
		}, lifetime, 200*time.Millisecond).Should(Succeed())
		Expect(fake.CallsBy(busyCreds.ClientID)-busyCalls).To(BeNumerically(">=", 10),
			"the busy VippsTokens were busy, and served too")
	})
})

// replaceManager runs the rest of the spec with a manager of its own options, and the
// suite's manager again after it.
func replaceManager(options ...managerOption) {
	manager.stop()
	manager = startManager(options...)
	DeferCleanup(func() {
		manager.stop() // also when the spec ended while its manager was stopped
		manager = startManager()
	})
}

// floodRefreshRequests sets a new value of the refresh annotation on each of the VippsTokens
// named, one after the other and over again, until the spec ends: each is a change that
// wakes the VippsToken and costs a token request.
func floodRefreshRequests(namespace string, names []string) {
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(stopped)
		for i := 0; ; i++ {
			for _, name := range names {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond): // a change to each one every 60 ms
				}
				tok := &tokensv1alpha1.VippsToken{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
				patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, tokensv1alpha1.AnnotationRefresh, strconv.Itoa(i))
				// A failed patch (the spec's end deleting the VippsToken) only skips a beat.
				_ = k8sClient.Patch(suiteCtx, tok, client.RawPatch("application/merge-patch+json", []byte(patch)))
			}
		}
	}()
	DeferCleanup(func() {
		close(stop)
		<-stopped
	})
}
