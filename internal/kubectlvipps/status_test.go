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
	rbacv1 "k8s.io/api/rbac/v1"
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
	// createValidWebshop creates the VippsToken "webshop" whose token is valid for 41 more
	// minutes and renewed in 21.
	createValidWebshop := func(ctx SpecContext, ns string) {
		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt:   at(41 * time.Minute),
				RenewalTime: at(21 * time.Minute),
			},
			Conditions: []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)},
		})
	}

	It("shows each token's readiness, reason and times in human units", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createValidWebshop(ctx, ns)
		createWithStatus(ctx, ns, "partner-reports", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt:     at(4*time.Minute + 30*time.Second),
				RenewalTime:   at(-30 * time.Second),
				FailureCount:  2,
				NextRetryTime: at(45 * time.Second),
			},
			Conditions: []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonVippsUnavailable)},
		})
		createWithStatus(ctx, ns, "lapsed", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt:     at(-3 * time.Minute),
				RenewalTime:   at(-8 * time.Minute),
				FailureCount:  1,
				NextRetryTime: at(2 * time.Hour),
			},
			Conditions: []metav1.Condition{ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired)},
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
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt:   at(20 * time.Hour),
				RenewalTime: at(12 * time.Hour),
			},
			Conditions: []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)},
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

	It("lists the ClusterVippsTokens whatever the namespace, with the namespaces that hold the token", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createValidWebshop(ctx, ns)
		shared := createClusterWithStatus(ctx, "shared-", "vipps-token", tokensv1alpha1.ClusterVippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt:   at(50 * time.Minute),
				RenewalTime: at(30 * time.Minute),
			},
			Conditions: []metav1.Condition{ready(metav1.ConditionTrue, tokensv1alpha1.ReasonNamespacesFailing)},
			Namespaces: tokensv1alpha1.NamespaceCounts{Selected: 12, Ready: 11, Failing: 1},
			FailingNamespaces: []tokensv1alpha1.NamespaceFailure{{
				Namespace: "legacy", Reason: tokensv1alpha1.ReasonTargetConflict, Message: "vipps-token is somebody else's",
			}},
		})
		partner := createClusterWithStatus(ctx, "partner-", "partner-token", tokensv1alpha1.ClusterVippsTokenStatus{})
		createChild(ctx, ns, shared)

		out := runPlugin(ctx, clock, "status", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(table(out.stdout)).To(Equal([][]string{
			{"NAME", "READY", "REASON", "EXPIRES IN", "RENEWS IN", "TARGETS"},
			{"clustervippstoken/" + partner.Name, "-", "-", "-", "-", "partner-token in 0 of 0 namespaces, 0 failing"},
			{"clustervippstoken/" + shared.Name, "True", "NamespacesFailing", "50m", "30m",
				"vipps-token in 11 of 12 namespaces, 1 failing"},
			{"vippstoken/webshop", "True", "TokenValid", "41m", "21m", "webshop-token"},
		}), "the ClusterVippsToken's own VippsToken is not listed apart from it")
		Expect(out.stderr).To(BeEmpty())

		out = runPlugin(ctx, clock, "status", "-A")
		Expect(out.err).NotTo(HaveOccurred())
		rows := table(out.stdout)
		Expect(rows).To(ContainElements(
			[]string{"-", "clustervippstoken/" + shared.Name, "True", "NamespacesFailing", "50m", "30m",
				"vipps-token in 11 of 12 namespaces, 1 failing"},
			[]string{ns, "vippstoken/webshop", "True", "TokenValid", "41m", "21m", "webshop-token"},
		))
		Expect(rows).NotTo(ContainElement(ContainElement("vippstoken/"+shared.Name)), "nor with -A")
	})

	It("lists the VippsTokens, and warns, for a user who may not list ClusterVippsTokens", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{})
		createClusterWithStatus(ctx, "shared-", "vipps-token", tokensv1alpha1.ClusterVippsTokenStatus{})
		user := grantNamespaceViewer(ctx, ns)

		var out output
		Eventually(func(g Gomega) { // until the API server's authorizer has seen the RoleBinding
			out = runPlugin(ctx, clock, "status", "-n", ns, "--as", user)
			g.Expect(out.err).NotTo(HaveOccurred())
		}).Should(Succeed())
		Expect(table(out.stdout)).To(Equal([][]string{
			{"NAME", "READY", "REASON", "EXPIRES IN", "RENEWS IN", "TARGETS"},
			{"webshop", "-", "-", "-", "-", "webshop-token"},
		}))
		Expect(out.stderr).To(And(HavePrefix("Warning: ClusterVippsTokens are not shown: "),
			ContainSubstring(`User "`+user+`" cannot list resource "clustervippstokens"`), HaveSuffix("\n")))
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

// grantNamespaceViewer lets a user of its own read the VippsTokens of ns, and nothing else, as a
// RoleBinding of the viewer role in ns does, and returns the user's name for --as.
func grantNamespaceViewer(ctx context.Context, ns string) string {
	GinkgoHelper()
	user := ns + "-viewer"
	meta := metav1.ObjectMeta{Name: "vippstoken-viewer", Namespace: ns}
	Expect(k8sClient.Create(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{tokensv1alpha1.GroupVersion.Group}, Resources: []string{"vippstokens"},
		Verbs: []string{"get", "list", "watch"},
	}}})).To(Succeed())
	Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: meta,
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: meta.Name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	})).To(Succeed())
	return user
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
