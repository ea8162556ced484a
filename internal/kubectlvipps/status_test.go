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

package kubectlvipps

import (
	"context"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

var _ = Describe("status", func() {
	// now is the plugin's clock; the statuses are written relative to it, in whole seconds
	// as the API server keeps them.
	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { return now }
	at := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }

	It("shows each token's readiness, reason and times in human units", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{
			Conditions:  []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)},
			ExpiresAt:   at(41 * time.Minute),
			RenewalTime: at(21 * time.Minute),
		})
		createWithStatus(ctx, ns, "partner-reports", tokensv1alpha1.VippsTokenStatus{
			Conditions:    []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonVippsUnavailable)},
			ExpiresAt:     at(4*time.Minute + 30*time.Second),
			RenewalTime:   at(-30 * time.Second),
			FailureCount:  2,
			NextRetryTime: at(45 * time.Second),
		})
		createWithStatus(ctx, ns, "lapsed", tokensv1alpha1.VippsTokenStatus{
			Conditions:    []metav1.Condition{ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired)},
			ExpiresAt:     at(-3 * time.Minute),
			RenewalTime:   at(-8 * time.Minute),
			FailureCount:  1,
			NextRetryTime: at(2 * time.Hour),
		})
		createWithStatus(ctx, ns, "rejected", tokensv1alpha1.VippsTokenStatus{
			Conditions: []metav1.Condition{ready(metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsRejected)},
		})
		createWithStatus(ctx, ns, "fresh", tokensv1alpha1.VippsTokenStatus{})

		out := runPlugin(ctx, clock, "status", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(table(out.stdout)).To(Equal([][]string{
			{"NAME", "READY", "REASON", "EXPIRES IN", "RENEWS IN", "TARGETS"},
			{"fresh", "-", "-", "-", "-", "fresh-token"},
			{"lapsed", "False", "TokenExpired", "expired 3m ago", "retry in 120m (1 failure)", "lapsed-token"},
			{"partner-reports", "True", "VippsUnavailable", "4m30s", "retry in 45s (2 failures)", "partner-reports-token"},
			{"rejected", "False", "CredentialsRejected", "-", "-", "rejected-token"},
			{"webshop", "True", "TokenValid", "41m", "21m", "webshop-token"},
		}))
		Expect(out.stderr).To(BeEmpty())
	})

	It("lists every namespace with -A, and says so when a namespace has no tokens", func(ctx SpecContext) {
		first, second, empty := newNamespace(ctx), newNamespace(ctx), newNamespace(ctx)
		createWithStatus(ctx, first, "webshop", tokensv1alpha1.VippsTokenStatus{
			Conditions: []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)},
			ExpiresAt:  at(20 * time.Hour), RenewalTime: at(12 * time.Hour),
		})
		createWithStatus(ctx, second, "webshop", tokensv1alpha1.VippsTokenStatus{})

		out := runPlugin(ctx, clock, "status", "--all-namespaces")
		Expect(out.err).NotTo(HaveOccurred())
		rows := table(out.stdout)
		Expect(rows[0]).To(Equal([]string{"NAMESPACE", "NAME", "READY", "REASON", "EXPIRES IN", "RENEWS IN", "TARGETS"}))
		Expect(rows).To(ContainElements(
			[]string{first, "webshop", "True", "TokenValid", "20h", "12h", "webshop-token"},
			[]string{second, "webshop", "-", "-", "-", "-", "webshop-token"},
		))

		out = runPlugin(ctx, clock, "status", "-n", empty)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(out.stdout).To(BeEmpty())
		Expect(out.stderr).To(Equal("No tokens found in the " + empty + " namespace.\n"))
	})
})

// createWithStatus creates a VippsToken in a namespace the operator does not watch, writing
// its target into NAME-token, and gives it status.
func createWithStatus(ctx context.Context, ns, name string, status tokensv1alpha1.VippsTokenStatus) {
	GinkgoHelper()
	tok := operatortest.StandardToken(ns, name, fakeServer, name+"-token")
	Expect(k8sClient.Create(ctx, tok)).To(Succeed())
	tok.Status = status
	Expect(k8sClient.Status().Update(ctx, tok)).To(Succeed())
}

// ready is a Ready condition.
func ready(status metav1.ConditionStatus, reason string) metav1.Condition {
	return metav1.Condition{
		Type: tokensv1alpha1.ConditionReady, Status: status, Reason: reason,
		LastTransitionTime: metav1.Now(),
	}
}

// cellGap is what separates two cells of a table: the tab writer pads with at least three
// spaces, and no cell holds two in a row.
var cellGap = regexp.MustCompile(`\s{2,}`)

// table splits printed rows into cells.
func table(printed string) [][]string {
	var rows [][]string
	for line := range strings.Lines(strings.TrimSpace(printed)) {
		rows = append(rows, cellGap.Split(strings.TrimSpace(line), -1))
	}
	return rows
}
