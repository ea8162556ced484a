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

package v1alpha1_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// The printer columns are part of the API that people read most, and only kubectl renders
// them: a column of type date is printed as an age, which a time in the future does not have,
// so kubectl prints <invalid>. So these specs run the real kubectl, envtest's, against the API
// server with the generated CRD, and compare every cell it prints.
var _ = Describe("kubectl get vippstokens", func() {
	var namespace string
	times := newTokenTimes()

	BeforeEach(func() {
		namespace = newNamespace()
		webshop := namedToken(namespace, "webshop", v1alpha1.TokenTypeStandard, v1alpha1.EnvironmentTest)
		setStatus(webshop, times.webshopStatus())
		partner := namedToken(namespace, "partner-reports", v1alpha1.TokenTypePartner, v1alpha1.EnvironmentProduction)
		setStatus(partner, times.partnerStatus())
	})

	It("prints the expiry of a valid token as a timestamp, and who is failing", func() {
		header, rows := kubectlTable("get", "vippstokens", "--namespace", namespace)
		Expect(header).To(Equal([]string{"NAME", "TYPE", "ENVIRONMENT", "READY", "REASON", "EXPIRES", "AGE"}))
		Expect(rows).To(HaveLen(2))
		expectAge(rows)
		Expect(rows).To(Equal([]map[string]string{
			{"NAME": "partner-reports", "TYPE": "Partner", "ENVIRONMENT": "Production", "READY": "True",
				"REASON": "VippsUnavailable", "EXPIRES": rfc3339(times.partnerExpires), "AGE": rows[0]["AGE"]},
			{"NAME": "webshop", "TYPE": "Standard", "ENVIRONMENT": "Test", "READY": "True",
				"REASON": "TokenValid", "EXPIRES": rfc3339(times.webshopExpires), "AGE": rows[1]["AGE"]},
		}))
	})

	// A field that status leaves out (no failure, no retry) is an empty cell.
	It("adds, with -o wide, when the operator renews and how its retries stand", func() {
		header, rows := kubectlTable("get", "vippstokens", "--namespace", namespace, "--output", "wide")
		Expect(header).To(Equal([]string{"NAME", "TYPE", "ENVIRONMENT", "READY", "REASON", "EXPIRES", "AGE",
			"RENEWS", "FAILURES", "NEXT RETRY"}))
		Expect(rows).To(HaveLen(2))
		expectAge(rows)
		Expect(rows).To(Equal([]map[string]string{
			{"NAME": "partner-reports", "TYPE": "Partner", "ENVIRONMENT": "Production", "READY": "True",
				"REASON": "VippsUnavailable", "EXPIRES": rfc3339(times.partnerExpires), "AGE": rows[0]["AGE"],
				"RENEWS": rfc3339(times.partnerRenews), "FAILURES": "2", "NEXT RETRY": rfc3339(times.partnerRetry)},
			{"NAME": "webshop", "TYPE": "Standard", "ENVIRONMENT": "Test", "READY": "True",
				"REASON": "TokenValid", "EXPIRES": rfc3339(times.webshopExpires), "AGE": rows[1]["AGE"],
				"RENEWS": rfc3339(times.webshopRenews), "FAILURES": "", "NEXT RETRY": ""},
		}))
	})
})

// The same for ClusterVippsTokens, which add how many namespaces hold the token. They are
// cluster-scoped, so the specs list their own by a label, and delete them when they end.
var _ = Describe("kubectl get clustervippstokens", func() {
	const selector = "vipps.example.com/spec=printer-columns"
	times := newTokenTimes()

	BeforeEach(func() {
		label := map[string]string{"vipps.example.com/spec": "printer-columns"}

		// Two of three namespaces hold the webshop token: the third has a Secret of somebody
		// else's in the target's place.
		webshop := namedClusterToken("webshop", label, v1alpha1.TokenTypeStandard, v1alpha1.EnvironmentTest)
		held := clusterStatus(times.webshopStatus(), v1alpha1.NamespaceCounts{Selected: 3, Ready: 2, Failing: 1})
		held.Conditions[0].Reason = v1alpha1.ReasonNamespacesFailing
		held.Conditions[0].Message = "The token is valid, but 1 of 3 selected namespaces do not hold it: shop-c (TargetConflict)."
		held.FailingNamespaces = []v1alpha1.NamespaceFailure{{Namespace: "shop-c",
			Reason: v1alpha1.ReasonTargetConflict, Message: "Secret vipps-token exists and is not owned by this ClusterVippsToken."}}
		setClusterStatus(webshop, held)

		// Both of the partner token's namespaces hold it.
		partner := namedClusterToken("partner-reports", label, v1alpha1.TokenTypePartner, v1alpha1.EnvironmentProduction)
		setClusterStatus(partner, clusterStatus(times.partnerStatus(), v1alpha1.NamespaceCounts{Selected: 2, Ready: 2}))

		// No token: its credentials Secret is missing. Nothing holds it, and nothing failed to
		// write it.
		invoices := namedClusterToken("invoices", label, v1alpha1.TokenTypeStandard, v1alpha1.EnvironmentProduction)
		message := "Credentials Secret vipps-credentials not found in namespace vipps-system."
		setClusterStatus(invoices, v1alpha1.ClusterVippsTokenStatus{
			Conditions: []metav1.Condition{
				{Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonCredentialsNotFound,
					Message: message, LastTransitionTime: metav1.Now()},
				{Type: v1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonCredentialsNotFound,
					Message: message, LastTransitionTime: metav1.Now()},
			},
			Namespaces: v1alpha1.NamespaceCounts{Selected: 4},
		})
	})

	It("prints the namespaces that hold the token, and those that fail, beside its expiry", func() {
		header, rows := kubectlTable("get", "clustervippstokens", "--selector", selector)
		Expect(header).To(Equal([]string{"NAME", "TYPE", "ENVIRONMENT", "READY", "REASON",
			"NAMESPACES", "HOLDING", "FAILING", "EXPIRES", "AGE"}))
		Expect(rows).To(HaveLen(3))
		expectAge(rows)
		Expect(rows).To(Equal([]map[string]string{
			{"NAME": "invoices", "TYPE": "Standard", "ENVIRONMENT": "Production", "READY": "False",
				"REASON": "CredentialsNotFound", "NAMESPACES": "4", "HOLDING": "0", "FAILING": "0",
				"EXPIRES": "", "AGE": rows[0]["AGE"]},
			{"NAME": "partner-reports", "TYPE": "Partner", "ENVIRONMENT": "Production", "READY": "True",
				"REASON": "VippsUnavailable", "NAMESPACES": "2", "HOLDING": "2", "FAILING": "0",
				"EXPIRES": rfc3339(times.partnerExpires), "AGE": rows[1]["AGE"]},
			{"NAME": "webshop", "TYPE": "Standard", "ENVIRONMENT": "Test", "READY": "True",
				"REASON": "NamespacesFailing", "NAMESPACES": "3", "HOLDING": "2", "FAILING": "1",
				"EXPIRES": rfc3339(times.webshopExpires), "AGE": rows[2]["AGE"]},
		}))
	})

	It("adds, with -o wide, when the operator renews and how its retries stand", func() {
		header, rows := kubectlTable("get", "clustervippstokens", "--selector", selector, "--output", "wide")
		Expect(header).To(Equal([]string{"NAME", "TYPE", "ENVIRONMENT", "READY", "REASON",
			"NAMESPACES", "HOLDING", "FAILING", "EXPIRES", "AGE", "RENEWS", "FAILURES", "NEXT RETRY"}))
		Expect(rows).To(HaveLen(3))
		expectAge(rows)
		Expect(rows).To(Equal([]map[string]string{
			{"NAME": "invoices", "TYPE": "Standard", "ENVIRONMENT": "Production", "READY": "False",
				"REASON": "CredentialsNotFound", "NAMESPACES": "4", "HOLDING": "0", "FAILING": "0",
				"EXPIRES": "", "AGE": rows[0]["AGE"],
				"RENEWS": "", "FAILURES": "", "NEXT RETRY": ""},
			{"NAME": "partner-reports", "TYPE": "Partner", "ENVIRONMENT": "Production", "READY": "True",
				"REASON": "VippsUnavailable", "NAMESPACES": "2", "HOLDING": "2", "FAILING": "0",
				"EXPIRES": rfc3339(times.partnerExpires), "AGE": rows[1]["AGE"],
				"RENEWS": rfc3339(times.partnerRenews), "FAILURES": "2", "NEXT RETRY": rfc3339(times.partnerRetry)},
			{"NAME": "webshop", "TYPE": "Standard", "ENVIRONMENT": "Test", "READY": "True",
				"REASON": "NamespacesFailing", "NAMESPACES": "3", "HOLDING": "2", "FAILING": "1",
				"EXPIRES": rfc3339(times.webshopExpires), "AGE": rows[2]["AGE"],
				"RENEWS": rfc3339(times.webshopRenews), "FAILURES": "", "NEXT RETRY": ""},
		}))
	})
})

// tokenTimes are the times in the statuses of the two tokens that the specs of both kinds
// list, counted from when the specs are built: both kinds copy them into their statuses and
// print them alike.
type tokenTimes struct {
	// webshop is a Test token requested two minutes ago that lives an hour, as the operator
	// records it: renewed when a third of its lifetime, less a jitter, remains.
	webshopRequested, webshopExpires, webshopRenews time.Time
	// partner-reports is a Partner token of 15 minutes whose renewal has failed twice, and
	// that is still valid.
	partnerRequested, partnerExpires, partnerRenews, partnerFailed, partnerRetry time.Time
}

func newTokenTimes() tokenTimes {
	now := time.Now().Truncate(time.Second).UTC()
	webshopRequested, partnerRequested := now.Add(-2*time.Minute), now.Add(-11*time.Minute)
	return tokenTimes{
		webshopRequested: webshopRequested,
		webshopExpires:   webshopRequested.Add(time.Hour),
		webshopRenews:    webshopRequested.Add(39*time.Minute + 27*time.Second),
		partnerRequested: partnerRequested,
		partnerExpires:   partnerRequested.Add(15 * time.Minute),
		partnerRenews:    partnerRequested.Add(9*time.Minute + 40*time.Second),
		partnerFailed:    now.Add(-2 * time.Second),
		partnerRetry:     now.Add(5 * time.Second),
	}
}

// webshopStatus is the status of the webshop token: valid, and held.
func (t tokenTimes) webshopStatus() v1alpha1.VippsTokenStatus {
	return heldStatus(v1alpha1.ReasonTokenValid, t.webshopRequested, t.webshopExpires, t.webshopRenews)
}

// partnerStatus is the status of the partner-reports token: held, though Vipps has failed
// its renewal twice and the operator will retry.
func (t tokenTimes) partnerStatus() v1alpha1.VippsTokenStatus {
	failing := heldStatus(v1alpha1.ReasonVippsUnavailable, t.partnerRequested, t.partnerExpires, t.partnerRenews)
	failing.FailureCount = 2
	failing.LastFailureTime = &metav1.Time{Time: t.partnerFailed}
	failing.NextRetryTime = &metav1.Time{Time: t.partnerRetry}
	return failing
}

// namedClusterToken creates a valid ClusterVippsToken called name, with labels, and deletes
// it when the spec ends.
func namedClusterToken(name string, labels map[string]string, tokenType v1alpha1.TokenType,
	environment v1alpha1.Environment) *v1alpha1.ClusterVippsToken {
	cvt := validClusterToken()
	cvt.GenerateName, cvt.Name, cvt.Labels = "", name, labels
	cvt.Spec.Type, cvt.Spec.Environment = tokenType, environment
	createClusterToken(cvt)
	return cvt
}

// clusterStatus is the status of a ClusterVippsToken whose VippsToken has held, as the
// operator copies it, with the namespaces counted as counts.
func clusterStatus(held v1alpha1.VippsTokenStatus, counts v1alpha1.NamespaceCounts) v1alpha1.ClusterVippsTokenStatus {
	return v1alpha1.ClusterVippsTokenStatus{
		TokenStatus: v1alpha1.TokenStatus{
			ExpiresAt:       held.ExpiresAt,
			RenewalTime:     held.RenewalTime,
			LastRefreshTime: held.LastRefreshTime,
			FailureCount:    held.FailureCount,
			LastFailureTime: held.LastFailureTime,
			NextRetryTime:   held.NextRetryTime,
		},
		Conditions: held.Conditions,
		Namespaces: counts,
	}
}

// setClusterStatus writes status through the status subresource, as the operator does.
func setClusterStatus(cvt *v1alpha1.ClusterVippsToken, status v1alpha1.ClusterVippsTokenStatus) {
	status.ObservedGeneration = cvt.Generation
	cvt.Status = status
	Expect(k8sClient.Status().Update(ctx, cvt)).To(Succeed())
}

func namedToken(namespace, name string, tokenType v1alpha1.TokenType, environment v1alpha1.Environment) *v1alpha1.VippsToken {
	token := validToken(namespace)
	token.GenerateName, token.Name = "", name
	token.Spec.Type, token.Spec.Environment = tokenType, environment
	Expect(k8sClient.Create(ctx, token)).To(Succeed())
	return token
}

// heldStatus is the status of a token that the targets hold, requested, expiring and due for
// renewal at the times given, with reason as Ready's reason.
func heldStatus(reason string, requested, expires, renews time.Time) v1alpha1.VippsTokenStatus {
	return v1alpha1.VippsTokenStatus{
		TokenStatus: v1alpha1.TokenStatus{
			ExpiresAt:       &metav1.Time{Time: expires},
			RenewalTime:     &metav1.Time{Time: renews},
			LastRefreshTime: &metav1.Time{Time: requested},
		},
		Conditions: readyConditions(reason),
	}
}

// setStatus writes status through the status subresource, as the operator does.
func setStatus(token *v1alpha1.VippsToken, status v1alpha1.VippsTokenStatus) {
	status.ObservedGeneration = token.Generation
	token.Status = status
	Expect(k8sClient.Status().Update(ctx, token)).To(Succeed())
}

// readyConditions are those of a token that the targets still hold: Ready is True, and its
// reason is TokenValid or names the failure of the latest refresh.
func readyConditions(reason string) []metav1.Condition {
	refreshed := metav1.Condition{Type: v1alpha1.ConditionRefreshed, Status: metav1.ConditionTrue,
		Reason: v1alpha1.ReasonTokenIssued, Message: "Vipps issued the token.", LastTransitionTime: metav1.Now()}
	if reason != v1alpha1.ReasonTokenValid {
		refreshed.Status, refreshed.Reason, refreshed.Message = metav1.ConditionFalse, reason, "Vipps did not answer."
	}
	return []metav1.Condition{
		{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: reason,
			Message: "The targets hold a valid token.", LastTransitionTime: metav1.Now()},
		refreshed,
	}
}

func rfc3339(t time.Time) string { return t.Format(time.RFC3339) }

// expectAge checks the one column whose value the test cannot choose: the objects' age,
// which kubectl prints as seconds for objects this young.
func expectAge(rows []map[string]string) {
	for _, row := range rows {
		Expect(row["AGE"]).To(MatchRegexp(`^[0-9]+s$`), "the age of %s", row["NAME"])
	}
}

// kubectlTable runs envtest's kubectl, with envtest's kubeconfig written to a file of the
// spec's, and parses the table it prints: the column names, and
// each row as a map from column name to cell. kubectl aligns the columns with a tab writer,
// so every cell starts where its column's name does; a name may hold a single space (NEXT
// RETRY), but columns are set apart by at least three.
func kubectlTable(args ...string) (header []string, rows []map[string]string) {
	GinkgoHelper()
	kubeconfig := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(kubeconfig, env.KubeConfig, 0o600)).To(Succeed())
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(env.BinaryAssetsDirectory, "kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	Expect(cmd.Run()).To(Succeed(), stderr.String())
	Expect(stderr.String()).To(BeEmpty())
	GinkgoWriter.Printf("$ kubectl %s\n%s", strings.Join(args, " "), stdout.String())

	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	starts := regexp.MustCompile(`\S+( \S+)*`).FindAllStringIndex(lines[0], -1)
	for _, start := range starts {
		header = append(header, lines[0][start[0]:start[1]])
	}
	for _, line := range lines[1:] {
		row := map[string]string{}
		for i, start := range starts {
			end := len(line)
			if i+1 < len(starts) {
				end = min(starts[i+1][0], len(line))
			}
			row[header[i]] = strings.TrimSpace(line[min(start[0], end):end])
		}
		rows = append(rows, row)
	}
	return header, rows
}
