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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// Flux and kubectl-wait-style tools judge a VippsToken with kstatus. These specs run
// kstatus's own Compute on the live object, as those tools do, through each phase.
var _ = Describe("Status that GitOps tools read (kstatus)", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	// Serial: the spec makes the fake fail every request.
	It("is InProgress while the first token is being retried, then Current", Serial, func() {
		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "first", "vipps-credentials"))

		eventuallyNotReady(namespace, "first", tokensv1alpha1.ReasonVippsUnavailable)
		Expect(kstatusOf(namespace, "first")).To(Equal(status.InProgressStatus))

		fake.ClearFaults()
		annotate(namespace, "first", tokensv1alpha1.AnnotationRefresh, "after-outage")
		eventuallyReady(namespace, "first", tokensv1alpha1.ReasonTokenValid)
		Expect(kstatusOf(namespace, "first")).To(Equal(status.CurrentStatus))
	})

	It("is Failed when rejected credentials leave no valid token, and Current once they are fixed", func() {
		creds, _ := newWrongCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "rejected", "vipps-credentials"))

		eventuallyNotReady(namespace, "rejected", tokensv1alpha1.ReasonCredentialsRejected)
		Expect(kstatusOf(namespace, "rejected")).To(Equal(status.FailedStatus))

		setClientSecret(namespace, creds.ClientSecret)
		eventuallyReady(namespace, "rejected", tokensv1alpha1.ReasonTokenValid)
		Expect(kstatusOf(namespace, "rejected")).To(Equal(status.CurrentStatus))
	})

	It("stays Current while a still-valid token outlives rejected credentials", func() {
		newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "outlived", "vipps-credentials"))
		eventuallyReady(namespace, "outlived", tokensv1alpha1.ReasonTokenValid)

		setClientSecret(namespace, "d3Jvbmc+"+randomHex(12)+"/==")
		annotate(namespace, "outlived", tokensv1alpha1.AnnotationRefresh, "with-wrong-secret")
		eventuallyReady(namespace, "outlived", tokensv1alpha1.ReasonCredentialsRejected)
		Expect(kstatusOf(namespace, "outlived")).To(Equal(status.CurrentStatus))
	})

	It("is Failed when every target belongs to somebody else", func() {
		newCredentials(namespace, "vipps-credentials")
		foreignSecret(namespace, "blocked-token")
		create(newToken(namespace, "blocked", "vipps-credentials"))

		eventuallyNotReady(namespace, "blocked", tokensv1alpha1.ReasonTargetConflict)
		Expect(kstatusOf(namespace, "blocked")).To(Equal(status.FailedStatus))
	})
})

// kstatusOf computes kstatus's verdict on the VippsToken as the API server has it.
func kstatusOf(namespace, name string) status.Status {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(tokensv1alpha1.GroupVersion.WithKind("VippsToken"))
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: name}, live)).To(Succeed())
	result, err := status.Compute(live)
	Expect(err).NotTo(HaveOccurred())
	return result.Status
}
