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
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// The same tools judge a ClusterVippsToken the same way: its status follows the same
// conventions. Each spec selects namespaces by a label of its own, as cluster_specs_test.go's
// do, and keeps its credentials in the suite's cluster resource namespace.
var _ = Describe("Status that GitOps tools read (kstatus) of a ClusterVippsToken", func() {
	var (
		name     string
		selector map[string]string
	)
	BeforeEach(func() {
		name = "cvt-" + randomHex(4)
		selector = map[string]string{"vipps-spec": name}
	})

	It("is Failed while its credentials are missing, and Current once they exist", func() {
		ns := labelledNamespace(selector)
		createClusterToken(newClusterToken(name, selector))

		stalled := eventuallyClusterReadyIs(metav1.ConditionFalse, name, tokensv1alpha1.ReasonCredentialsNotFound)
		Expect(meta.IsStatusConditionTrue(stalled.Status.Conditions, tokensv1alpha1.ConditionStalled)).To(BeTrue())
		Expect(clusterKstatusOf(name)).To(Equal(status.FailedStatus))

		newCredentials(clusterResourceNamespace, name+"-credentials")
		eventuallyEveryNamespaceHolds([]string{ns})
		ready := eventuallyClusterReady(name, tokensv1alpha1.ReasonTokenValid)
		Expect(ready.Status.Conditions).NotTo(ContainElement(HaveField("Type", tokensv1alpha1.ConditionStalled)))
		Expect(clusterKstatusOf(name)).To(Equal(status.CurrentStatus))
	})

	It("stays Current while some selected namespaces do not hold its valid token", func() {
		newCredentials(clusterResourceNamespace, name+"-credentials")
		free, taken := labelledNamespace(selector), labelledNamespace(selector)
		foreignSecret(taken, clusterTarget)
		createClusterToken(newClusterToken(name, selector))

		eventuallyEveryNamespaceHolds([]string{free})
		eventuallyClusterReady(name, tokensv1alpha1.ReasonNamespacesFailing)
		Expect(clusterKstatusOf(name)).To(Equal(status.CurrentStatus))
	})
})

// kstatusOf computes kstatus's verdict on the VippsToken as the API server has it.
func kstatusOf(namespace, name string) status.Status {
	return kstatusOfKind("VippsToken", client.ObjectKey{Namespace: namespace, Name: name})
}

// clusterKstatusOf computes kstatus's verdict on the ClusterVippsToken as the API server has it.
func clusterKstatusOf(name string) status.Status {
	return kstatusOfKind("ClusterVippsToken", client.ObjectKey{Name: name})
}

// kstatusOfKind reads the object of kind at key as those tools do, unstructured, straight
// from the API server, and computes kstatus's verdict on it.
func kstatusOfKind(kind string, key client.ObjectKey) status.Status {
	GinkgoHelper()
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(tokensv1alpha1.GroupVersion.WithKind(kind))
	Expect(k8sClient.Get(suiteCtx, key, live)).To(Succeed())
	result, err := status.Compute(live)
	Expect(err).NotTo(HaveOccurred())
	return result.Status
}
