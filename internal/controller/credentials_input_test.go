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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

var _ = Describe("The values in a credentials Secret", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	// credentialsWith registers fresh credentials with the fake and stores them, changed by
	// edit, in the Secret "vipps-credentials".
	credentialsWith := func(edit func(data map[string][]byte)) fakevipps.Credentials {
		creds := fakevipps.Credentials{
			ClientID:         newCredentialsID(),
			ClientSecret:     "c2VjcmV0+" + randomHex(12) + "/==",
			SubscriptionKeys: []string{randomHex(16)},
		}
		fake.AddCredentials(creds)
		data := map[string][]byte{
			"client-id":        []byte(creds.ClientID),
			"client-secret":    []byte(creds.ClientSecret),
			"subscription-key": []byte(creds.SubscriptionKeys[0]),
		}
		edit(data)
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "vipps-credentials", Namespace: namespace}, Data: data}
		Expect(k8sClient.Create(suiteCtx, secret)).To(Succeed())
		return creds
	}

	DescribeTable("that no header can carry get their own reason, and nothing is sent",
		func(reason, key, problem string, edit func(data map[string][]byte)) {
			creds := credentialsWith(edit)
			create(newToken(namespace, "shop", "vipps-credentials"))

			tok := eventuallyNotReady(namespace, "shop", reason)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
			Expect(refreshed.Reason).To(Equal(reason))
			Expect(refreshed.Message).To(ContainSubstring(`"` + key + `"`))
			Expect(refreshed.Message).To(ContainSubstring(problem))
			Expect(tok.Status.NextRetryTime).To(BeNil(), "retried when the Secret changes, not on a timer")
			Consistently(func() []fakevipps.RecordedRequest {
				return requestsCarrying(creds.ClientID, creds.ClientSecret, creds.SubscriptionKeys[0])
			}, 500*time.Millisecond).Should(BeEmpty())
			Expect(fake.CallsBy(creds.ClientID)).To(BeZero())
			expectNothingLeaked(namespace, creds.ClientSecret, creds.SubscriptionKeys[0])
		},
		Entry("an empty client secret", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret", "is empty",
			func(data map[string][]byte) { data["client-secret"] = []byte{} }),
		Entry("a client ID of white space only", tokensv1alpha1.ReasonCredentialsInvalid, "client-id", "is empty",
			func(data map[string][]byte) { data["client-id"] = []byte(" \t\r\n ") }),
		Entry("a subscription key that is not UTF-8", tokensv1alpha1.ReasonCredentialsInvalid, "subscription-key",
			"is not valid UTF-8", func(data map[string][]byte) {
				data["subscription-key"] = append([]byte{0xff, 0xfe}, data["subscription-key"]...)
			}),
		Entry("a client secret with a NUL byte inside", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret",
			"control or non-ASCII", func(data map[string][]byte) {
				data["client-secret"] = []byte(strings.Replace(string(data["client-secret"]), "+", "\x00", 1))
			}),
		Entry("a client secret with a non-ASCII letter", tokensv1alpha1.ReasonCredentialsInvalid, "client-secret",
			"control or non-ASCII", func(data map[string][]byte) { data["client-secret"] = append(data["client-secret"], "ø"...) }),
		Entry("a merchant serial number that is not 4 to 6 digits", tokensv1alpha1.ReasonCredentialsInvalid,
			"merchant-serial-number", "is not 4 to 6 digits",
			func(data map[string][]byte) { data["merchant-serial-number"] = []byte("12ab") }),
		Entry("no client ID at all", tokensv1alpha1.ReasonCredentialsNotFound, "client-id", "has no key",
			func(data map[string][]byte) { delete(data, "client-id") }),
	)

	DescribeTable("with white space around them are trimmed, and work",
		func(edit func(data map[string][]byte)) {
			creds := credentialsWith(edit)
			create(newToken(namespace, "shop", "vipps-credentials"))

			eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
			sent := requestsCarrying(creds.ClientID)
			Expect(sent).To(HaveLen(1))
			Expect(sent[0].Header.Get("client_id")).To(Equal(creds.ClientID))
			Expect(sent[0].Header.Get("client_secret")).To(Equal(creds.ClientSecret))
			Expect(sent[0].Header.Get("Ocp-Apim-Subscription-Key")).To(Equal(creds.SubscriptionKeys[0]))
		},
		Entry("a client secret with the newline echo leaves", func(data map[string][]byte) {
			data["client-secret"] = append(data["client-secret"], '\n')
		}),
		Entry("a client ID padded with spaces", func(data map[string][]byte) {
			data["client-id"] = []byte("  " + string(data["client-id"]) + "  ")
		}),
		Entry("every value padded with tabs and CRLF", func(data map[string][]byte) {
			for key, value := range data {
				data[key] = []byte("\t" + string(value) + " \r\n")
			}
		}),
	)
})

// newCredentialsID is a fresh client ID in the GUID shape that Vipps issues.
func newCredentialsID() string {
	id := randomHex(16)
	return id[0:8] + "-" + id[8:12] + "-4" + id[13:16] + "-8" + id[17:20] + "-" + id[20:32]
}

// requestsCarrying are the requests the fake received that carry any of the values in a
// header or in the body, whatever their path.
func requestsCarrying(values ...string) []fakevipps.RecordedRequest {
	var carrying []fakevipps.RecordedRequest
	for _, req := range fake.Requests() {
		for _, value := range values {
			if carries(req, value) {
				carrying = append(carrying, req)
				break
			}
		}
	}
	return carrying
}

func carries(req fakevipps.RecordedRequest, value string) bool {
	if strings.Contains(string(req.Body), value) {
		return true
	}
	for _, headerValues := range req.Header {
		for _, v := range headerValues {
			if strings.Contains(v, value) {
				return true
			}
		}
	}
	return false
}
