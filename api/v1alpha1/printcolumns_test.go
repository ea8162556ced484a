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
	var (
		namespace  string
		kubeconfig string
		now        = time.Now().Truncate(time.Second).UTC()

		// A Test token requested two minutes ago, that lives an hour, as the operator records it:
		// renewed when a third of its lifetime, less a jitter, remains.
		webshopRequested = now.Add(-2 * time.Minute)
		webshopExpires   = webshopRequested.Add(time.Hour)
		webshopRenews    = webshopRequested.Add(39*time.Minute + 27*time.Second)

		// A Partner token of 15 minutes whose renewal has failed twice, and that is still valid.
		partnerRequested = now.Add(-11 * time.Minute)
		partnerExpires   = partnerRequested.Add(15 * time.Minute)
		partnerRenews    = partnerRequested.Add(9*time.Minute + 40*time.Second)
		partnerRetry     = now.Add(5 * time.Second)
	)

	BeforeEach(func() {
		namespace = newNamespace()
		kubeconfig = filepath.Join(GinkgoT().TempDir(), "kubeconfig")
		Expect(os.WriteFile(kubeconfig, env.KubeConfig, 0o600)).To(Succeed())

		webshop := namedToken(namespace, "webshop", v1alpha1.TokenTypeStandard, v1alpha1.EnvironmentTest)
		setStatus(webshop, heldStatus(v1alpha1.ReasonTokenValid, webshopRequested, webshopExpires, webshopRenews))
		partner := namedToken(namespace, "partner-reports", v1alpha1.TokenTypePartner, v1alpha1.EnvironmentProduction)
		failing := heldStatus(v1alpha1.ReasonVippsUnavailable, partnerRequested, partnerExpires, partnerRenews)
		failing.FailureCount = 2
		failing.LastFailureTime = &metav1.Time{Time: now.Add(-2 * time.Second)}
		failing.NextRetryTime = &metav1.Time{Time: partnerRetry}
		setStatus(partner, failing)
	})

	It("prints the expiry of a valid token as a timestamp, and who is failing", func() {
		header, rows := kubectlTable(kubeconfig, "get", "vippstokens", "--namespace", namespace)
		Expect(header).To(Equal([]string{"NAME", "TYPE", "ENVIRONMENT", "READY", "REASON", "EXPIRES", "AGE"}))
		Expect(rows).To(HaveLen(2))
		expectAge(rows)
		Expect(rows).To(Equal([]map[string]string{
			{"NAME": "partner-reports", "TYPE": "Partner", "ENVIRONMENT": "Production", "READY": "True",
				"REASON": "VippsUnavailable", "EXPIRES": rfc3339(partnerExpires), "AGE": rows[0]["AGE"]},
			{"NAME": "webshop", "TYPE": "Standard", "ENVIRONMENT": "Test", "READY": "True",
				"REASON": "TokenValid", "EXPIRES": rfc3339(webshopExpires), "AGE": rows[1]["AGE"]},
		}))
	})

	// A field that status leaves out (no failure, no retry) is an empty cell.
	It("adds, with -o wide, when the operator renews and how its retries stand", func() {
		header, rows := kubectlTable(kubeconfig, "get", "vippstokens", "--namespace", namespace, "--output", "wide")
		Expect(header).To(Equal([]string{"NAME", "TYPE", "ENVIRONMENT", "READY", "REASON", "EXPIRES", "AGE",
			"RENEWS", "FAILURES", "NEXT RETRY"}))
		Expect(rows).To(HaveLen(2))
		expectAge(rows)
		Expect(rows).To(Equal([]map[string]string{
			{"NAME": "partner-reports", "TYPE": "Partner", "ENVIRONMENT": "Production", "READY": "True",
				"REASON": "VippsUnavailable", "EXPIRES": rfc3339(partnerExpires), "AGE": rows[0]["AGE"],
				"RENEWS": rfc3339(partnerRenews), "FAILURES": "2", "NEXT RETRY": rfc3339(partnerRetry)},
			{"NAME": "webshop", "TYPE": "Standard", "ENVIRONMENT": "Test", "READY": "True",
				"REASON": "TokenValid", "EXPIRES": rfc3339(webshopExpires), "AGE": rows[1]["AGE"],
				"RENEWS": rfc3339(webshopRenews), "FAILURES": "", "NEXT RETRY": ""},
		}))
	})
})

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
		Conditions:      readyConditions(reason),
		ExpiresAt:       &metav1.Time{Time: expires},
		RenewalTime:     &metav1.Time{Time: renews},
		LastRefreshTime: &metav1.Time{Time: requested},
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

// kubectlTable runs envtest's kubectl and parses the table it prints: the column names, and
// each row as a map from column name to cell. kubectl aligns the columns with a tab writer,
// so every cell starts where its column's name does; a name may hold a single space (NEXT
// RETRY), but columns are set apart by at least three.
func kubectlTable(kubeconfig string, args ...string) (header []string, rows []map[string]string) {
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
