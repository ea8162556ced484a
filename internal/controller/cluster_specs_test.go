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
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// clusterTarget is the target of the specs' ClusterVippsTokens.
const clusterTarget = "vipps-token"

// ClusterVippsTokens: one token request, written into every selected namespace. Each spec
// selects namespaces by a label of its own, so that it sees no other spec's namespaces, and
// keeps its credentials in the suite's cluster resource namespace.
var _ = Describe("ClusterVippsToken", func() {
	var (
		name     string
		selector map[string]string
		creds    fakevipps.Credentials
	)

	BeforeEach(func() {
		name = "cvt-" + randomHex(4)
		selector = map[string]string{"vipps-spec": name}
		creds = newCredentials(clusterResourceNamespace, name+"-credentials")
	})

	It("requests one token and writes it into every selected namespace, and into no other", func() {
		selected := []string{labelledNamespace(selector), labelledNamespace(selector), labelledNamespace(selector)}
		other := newNamespace()
		createClusterToken(newClusterToken(name, selector))

		token := eventuallyEveryNamespaceHolds(selected)
		cvt := eventuallyClusterReady(name, tokensv1alpha1.ReasonTokenValid)
		Expect(cvt.Status.Namespaces).To(Equal(tokensv1alpha1.NamespaceCounts{Selected: 3, Ready: 3}))
		Expect(cvt.Status.ExpiresAt).NotTo(BeNil())
		Expect(requestsNaming(creds.ClientID)).To(HaveLen(1))
		Expect(k8sClient.Get(suiteCtx, nameIn(other, clusterTarget), &corev1.Secret{})).To(Satisfy(apierrors.IsNotFound))

		for _, ns := range selected {
			secret := getSecret(Default, ns, clusterTarget)
			Expect(metav1.IsControlledBy(secret, cvt)).To(BeTrue(), "garbage-collected with the ClusterVippsToken")
			Expect(secret.Data).NotTo(HaveKey(tokensv1alpha1.KeySubscriptionKey), "not asked for")
			Expect(secret.Annotations).NotTo(HaveKey(tokensv1alpha1.AnnotationTokenInputsHash))
		}
		expectNoCredentialIn(selected, creds, token)
	})

	It("writes the subscription key into the namespaces only when the target asks for it", func() {
		ns := labelledNamespace(selector)
		cvt := newClusterToken(name, selector)
		cvt.Spec.Target.IncludeRequestHeaders = true
		createClusterToken(cvt)

		eventuallyEveryNamespaceHolds([]string{ns})
		data := getSecret(Default, ns, clusterTarget).Data
		Expect(string(data[tokensv1alpha1.KeySubscriptionKey])).To(Equal(creds.SubscriptionKeys[0]))
		for _, value := range data {
			Expect(string(value)).NotTo(ContainSubstring(creds.ClientSecret))
		}
	})

	It("follows namespaces that start or stop matching, are created or are deleted, without a new request", func() {
		first := labelledNamespace(selector)
		createClusterToken(newClusterToken(name, selector))
		token := eventuallyEveryNamespaceHolds([]string{first})

		By("labelling an existing namespace")
		later := newNamespace()
		setNamespaceLabels(later, selector)
		Expect(eventuallyEveryNamespaceHolds([]string{first, later})).To(Equal(token))

		By("creating a matching namespace")
		created := labelledNamespace(selector)
		Expect(eventuallyEveryNamespaceHolds([]string{first, later, created})).To(Equal(token))
		eventuallyClusterCounts(name, tokensv1alpha1.NamespaceCounts{Selected: 3, Ready: 3})

		By("removing the label: the target goes")
		setNamespaceLabels(later, nil)
		Eventually(func() error { return k8sClient.Get(suiteCtx, nameIn(later, clusterTarget), &corev1.Secret{}) }).
			Should(Satisfy(apierrors.IsNotFound))
		eventuallyClusterCounts(name, tokensv1alpha1.NamespaceCounts{Selected: 2, Ready: 2})

		By("deleting a namespace")
		Expect(k8sClient.Delete(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: created}})).To(Succeed())
		eventuallyClusterCounts(name, tokensv1alpha1.NamespaceCounts{Selected: 1, Ready: 1})

		Expect(requestsNaming(creds.ClientID)).To(HaveLen(1))
	})

	It("leaves a Secret of somebody else's alone, reports it, and writes the target once it is gone", func() {
		free, taken := labelledNamespace(selector), labelledNamespace(selector)
		theirs := foreignSecret(taken, clusterTarget)
		createClusterToken(newClusterToken(name, selector))

		eventuallyEveryNamespaceHolds([]string{free})
		cvt := eventuallyClusterReady(name, tokensv1alpha1.ReasonNamespacesFailing)
		Expect(cvt.Status.Namespaces).To(Equal(tokensv1alpha1.NamespaceCounts{Selected: 2, Ready: 1, Failing: 1}))
		Expect(cvt.Status.FailingNamespaces).To(ConsistOf(HaveField("Namespace", taken)))
		Expect(cvt.Status.FailingNamespaces[0].Reason).To(Equal(tokensv1alpha1.ReasonTargetConflict))
		Expect(getSecret(Default, taken, clusterTarget).Data).To(Equal(theirs.Data), "never touched")
		Eventually(func(g Gomega) []eventsv1.Event {
			return eventsWith(eventsFor(g, cvt), corev1.EventTypeWarning, tokensv1alpha1.ReasonTargetConflict)
		}).ShouldNot(BeEmpty())

		failing := map[string]string{"name": name, "state": "failing"}
		Eventually(func(g Gomega) float64 { return gauge(g, "vipps_cluster_token_namespaces", failing) }).Should(Equal(1.0))

		Expect(k8sClient.Delete(suiteCtx, theirs)).To(Succeed())
		eventuallyEveryNamespaceHolds([]string{free, taken})
		eventuallyClusterReady(name, tokensv1alpha1.ReasonTokenValid)
		eventuallyClusterCounts(name, tokensv1alpha1.NamespaceCounts{Selected: 2, Ready: 2})
		Eventually(func(g Gomega) float64 { return gauge(g, "vipps_cluster_token_namespaces", failing) }).Should(Equal(0.0))
	})

	It("brings a new token into every namespace when the credentials change", func() {
		selected := []string{labelledNamespace(selector), labelledNamespace(selector)}
		createClusterToken(newClusterToken(name, selector))
		old := eventuallyEveryNamespaceHolds(selected)

		rotated := registerCredentials()
		secret := getSecret(Default, clusterResourceNamespace, name+"-credentials")
		secret.Data["client-id"] = []byte(rotated.ClientID)
		secret.Data["client-secret"] = []byte(rotated.ClientSecret)
		secret.Data["subscription-key"] = []byte(rotated.SubscriptionKeys[0])
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())

		Eventually(func(g Gomega) {
			token := everyNamespaceHolds(g, selected)
			g.Expect(token).NotTo(Equal(old))
		}).Should(Succeed())
		Expect(requestsNaming(rotated.ClientID)).To(HaveLen(1), "one request for every namespace")
	})

	It("never copies a source that somebody else edited into the namespaces", func() {
		selected := []string{labelledNamespace(selector), labelledNamespace(selector)}
		createClusterToken(newClusterToken(name, selector))
		token := eventuallyEveryNamespaceHolds(selected)

		source := getSecret(Default, clusterResourceNamespace, name+"-token")
		source.Data[tokensv1alpha1.KeyAccessToken] = []byte("edited-" + randomHex(4))
		Expect(k8sClient.Update(suiteCtx, source)).To(Succeed())

		Consistently(func(g Gomega) string { return everyNamespaceHolds(g, selected) }).Should(Equal(token))
		Eventually(func(g Gomega) string { return accessToken(g, clusterResourceNamespace, name+"-token") }).
			Should(Equal(token), "the VippsToken writes its token back")
		Expect(requestsNaming(creds.ClientID)).To(HaveLen(1))
	})

	It("reports missing credentials as Stalled, without writing anything", func() {
		ns := labelledNamespace(selector)
		cvt := newClusterToken(name, selector)
		cvt.Spec.CredentialsSecretRef.Name = "missing"
		createClusterToken(cvt)

		got := eventuallyClusterReadyIs(metav1.ConditionFalse, name, tokensv1alpha1.ReasonCredentialsNotFound)
		Expect(meta.IsStatusConditionTrue(got.Status.Conditions, tokensv1alpha1.ConditionStalled)).To(BeTrue())
		Expect(k8sClient.Get(suiteCtx, nameIn(ns, clusterTarget), &corev1.Secret{})).To(Satisfy(apierrors.IsNotFound))
	})

	It("never writes into the cluster resource namespace, even when the selector names it", func() {
		createClusterToken(newClusterToken(name, map[string]string{corev1.LabelMetadataName: clusterResourceNamespace}))
		cvt := eventuallyClusterReady(name, tokensv1alpha1.ReasonTokenValid)
		Expect(cvt.Status.Namespaces).To(Equal(tokensv1alpha1.NamespaceCounts{}))
		Expect(k8sClient.Get(suiteCtx, nameIn(clusterResourceNamespace, clusterTarget), &corev1.Secret{})).
			To(Satisfy(apierrors.IsNotFound))
	})

	It("keeps every namespace's token across a restart of the operator, without a request", Serial, func() {
		selected := []string{labelledNamespace(selector), labelledNamespace(selector)}
		createClusterToken(newClusterToken(name, selector))
		token := eventuallyEveryNamespaceHolds(selected)
		eventuallyClusterReady(name, tokensv1alpha1.ReasonTokenValid)

		manager.stop()
		manager = startManager()

		Consistently(func(g Gomega) {
			g.Expect(everyNamespaceHolds(g, selected)).To(Equal(token))
		}).Should(Succeed())
		Expect(requestsNaming(creds.ClientID)).To(HaveLen(1))
	})

	It("restarts a workload once its namespace holds a new token, once per token, and reports one it cannot reach",
		func() {
			ns, unselected := labelledNamespace(selector), newNamespace()
			deployment := newDeployment(ns, "checkout")
			createWorkload(deployment)
			cvt := newClusterToken(name, selector)
			cvt.Spec.RolloutRestartTargets = []tokensv1alpha1.NamespacedRolloutRestartTarget{
				{Namespace: ns, RolloutRestartTarget: restartTarget(tokensv1alpha1.WorkloadDeployment, "checkout")},
				{Namespace: unselected, RolloutRestartTarget: restartTarget(tokensv1alpha1.WorkloadDeployment, "elsewhere")},
			}
			createClusterToken(cvt)

			eventuallyClusterReady(name, tokensv1alpha1.ReasonTokenValid)
			failed := eventuallyClusterRestarted(name, tokensv1alpha1.ReasonRestartFailed)
			Expect(meta.FindStatusCondition(failed.Status.Conditions, tokensv1alpha1.ConditionRolloutRestarted).Message).
				To(ContainSubstring("which the namespaceSelector does not select"))
			Expect(failed.Status.LastRolloutRestart.TokenRefreshTime).To(Equal(*failed.Status.LastRefreshTime))
			stamp := restartStamps(Default, deployment)[0]
			Expect(stamp).NotTo(BeEmpty(), "the workload in a selected namespace is restarted")

			By("a resync restarts nothing")
			annotateClusterToken(name, "example.com/touched", randomHex(4))
			Consistently(func(g Gomega) []string { return restartStamps(g, deployment) }).
				WithTimeout(restartMinInterval + 2*time.Second).Should(Equal([]string{stamp}))

			By("a new token restarts it again")
			time.Sleep(time.Until(failed.Status.LastRefreshTime.Add(time.Second)))
			annotateClusterToken(name, tokensv1alpha1.AnnotationRefresh, randomHex(4))
			Eventually(func(g Gomega) string { return restartStamps(g, deployment)[0] }).
				WithTimeout(restartMinInterval + 10*time.Second).ShouldNot(Equal(stamp))
			Expect(requestsNaming(creds.ClientID)).To(HaveLen(2))
		})
})

// annotateClusterToken sets an annotation on a ClusterVippsToken.
func annotateClusterToken(name, key, value string) {
	GinkgoHelper()
	cvt := &tokensv1alpha1.ClusterVippsToken{}
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: name}, cvt)).To(Succeed())
	patch := client.MergeFrom(cvt.DeepCopy())
	if cvt.Annotations == nil {
		cvt.Annotations = map[string]string{}
	}
	cvt.Annotations[key] = value
	Expect(k8sClient.Patch(suiteCtx, cvt, patch)).To(Succeed())
}

// eventuallyClusterRestarted waits until the RolloutRestarted condition of the
// ClusterVippsToken has reason, and returns the ClusterVippsToken as it is then.
func eventuallyClusterRestarted(name, reason string) *tokensv1alpha1.ClusterVippsToken {
	GinkgoHelper()
	cvt := &tokensv1alpha1.ClusterVippsToken{}
	Eventually(func(g Gomega) {
		g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: name}, cvt)).To(Succeed())
		g.Expect(cvt.Status.Conditions).To(ContainElement(And(
			HaveField("Type", tokensv1alpha1.ConditionRolloutRestarted), HaveField("Reason", reason))))
	}).WithTimeout(restartMinInterval + 10*time.Second).Should(Succeed())
	return cvt
}

// labelledNamespace creates a namespace of the spec's own with labels.
func labelledNamespace(labels map[string]string) string {
	ns := newNamespace()
	setNamespaceLabels(ns, labels)
	return ns
}

// setNamespaceLabels replaces the labels of the namespace that the spec made.
func setNamespaceLabels(name string, labels map[string]string) {
	GinkgoHelper()
	ns := &corev1.Namespace{}
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: name}, ns)).To(Succeed())
	patch := client.MergeFrom(ns.DeepCopy())
	for key := range ns.Labels {
		if key != corev1.LabelMetadataName {
			delete(ns.Labels, key)
		}
	}
	for key, value := range labels {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[key] = value
	}
	Expect(k8sClient.Patch(suiteCtx, ns, patch)).To(Succeed())
}

// newClusterToken builds a Standard ClusterVippsToken against the fake, whose credentials are
// "<name>-credentials" in the cluster resource namespace.
func newClusterToken(name string, labels map[string]string) *tokensv1alpha1.ClusterVippsToken {
	return &tokensv1alpha1.ClusterVippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: tokensv1alpha1.ClusterVippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{
				Type: tokensv1alpha1.TokenTypeStandard, Environment: tokensv1alpha1.EnvironmentTest, Endpoint: fakeServer.URL,
			},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: name + "-credentials"},
			NamespaceSelector:    metav1.LabelSelector{MatchLabels: labels},
			Target:               tokensv1alpha1.TargetSecret{Name: clusterTarget},
		},
	}
}

// createClusterToken creates cvt and deletes it, with its VippsToken, when the spec ends: the
// API server of the suite runs no garbage collector.
func createClusterToken(cvt *tokensv1alpha1.ClusterVippsToken) {
	Expect(k8sClient.Create(suiteCtx, cvt)).To(Succeed())
	DeferCleanup(func() {
		Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, cvt))).To(Succeed())
		child := &tokensv1alpha1.VippsToken{ObjectMeta: metav1.ObjectMeta{Name: cvt.Name, Namespace: clusterResourceNamespace}}
		Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, child))).To(Succeed())
	})
}

// everyNamespaceHolds expects the target in every namespace to hold the same token, and
// returns it.
func everyNamespaceHolds(g Gomega, namespaces []string) string {
	var token string
	for i, ns := range namespaces {
		held := accessToken(g, ns, clusterTarget)
		g.Expect(held).NotTo(BeEmpty())
		if i == 0 {
			token = held
		}
		g.Expect(held).To(Equal(token), "namespace %s", ns)
	}
	return token
}

func eventuallyEveryNamespaceHolds(namespaces []string) string {
	GinkgoHelper()
	var token string
	Eventually(func(g Gomega) { token = everyNamespaceHolds(g, namespaces) }).Should(Succeed())
	return token
}

func eventuallyClusterReady(name, reason string) *tokensv1alpha1.ClusterVippsToken {
	GinkgoHelper()
	return eventuallyClusterReadyIs(metav1.ConditionTrue, name, reason)
}

func eventuallyClusterReadyIs(status metav1.ConditionStatus, name, reason string) *tokensv1alpha1.ClusterVippsToken {
	GinkgoHelper()
	cvt := &tokensv1alpha1.ClusterVippsToken{}
	Eventually(func(g Gomega) {
		g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: name}, cvt)).To(Succeed())
		ready := meta.FindStatusCondition(cvt.Status.Conditions, tokensv1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(status), ready.Message)
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
		g.Expect(cvt.Status.ObservedGeneration).To(Equal(cvt.Generation))
	}).Should(Succeed())
	return cvt
}

func eventuallyClusterCounts(name string, counts tokensv1alpha1.NamespaceCounts) {
	GinkgoHelper()
	Eventually(func(g Gomega) tokensv1alpha1.NamespaceCounts {
		cvt := &tokensv1alpha1.ClusterVippsToken{}
		g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: name}, cvt)).To(Succeed())
		return cvt.Status.Namespaces
	}).Should(Equal(counts))
}

// expectNoCredentialIn searches the Secrets of the namespaces, the ClusterVippsTokens and
// their events for the client secret and the subscription key, and the token for good measure
// in status and events.
func expectNoCredentialIn(namespaces []string, creds fakevipps.Credentials, token string) {
	GinkgoHelper()
	for _, ns := range namespaces {
		secrets := &corev1.SecretList{}
		Expect(k8sClient.List(suiteCtx, secrets, client.InNamespace(ns))).To(Succeed())
		raw, err := json.Marshal(secrets)
		Expect(err).NotTo(HaveOccurred())
		for _, value := range secretsOf(creds) {
			Expect(string(raw)).NotTo(ContainSubstring(value), "namespace %s", ns)
		}
	}
	cvts := &tokensv1alpha1.ClusterVippsTokenList{}
	Expect(k8sClient.List(suiteCtx, cvts)).To(Succeed())
	events := &eventsv1.EventList{}
	Expect(k8sClient.List(suiteCtx, events)).To(Succeed())
	for _, obj := range []any{cvts, events} {
		raw, err := json.Marshal(obj)
		Expect(err).NotTo(HaveOccurred())
		for _, value := range append(secretsOf(creds), token) {
			Expect(string(raw)).NotTo(ContainSubstring(value))
		}
	}
}
