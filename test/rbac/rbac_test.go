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

package rbac

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

var _ = Describe("The manager, as its ServiceAccount", func() {
	It("makes a VippsToken Ready, fills its target, records an event, and is refused nothing", func() {
		namespace := newNamespace("shop")
		creds := fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
		Expect(adminClient.Create(suiteCtx, credentialstest.Secret(namespace, "vipps-credentials", creds))).
			To(Succeed())
		tok := operatortest.StandardToken(namespace, "webshop", fakeServer.URL, "vipps-token")
		Expect(adminClient.Create(suiteCtx, tok)).To(Succeed())

		By("the VippsToken becomes Ready")
		Eventually(func(g Gomega) {
			got := &tokensv1alpha1.VippsToken{}
			g.Expect(adminClient.Get(suiteCtx, client.ObjectKeyFromObject(tok), got)).To(Succeed())
			ready := meta.FindStatusCondition(got.Status.Conditions, tokensv1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), ready.Message)
			g.Expect(ready.Reason).To(Equal(tokensv1alpha1.ReasonTokenValid))
		}).Should(Succeed())

		By("its target Secret holds the token")
		target := &corev1.Secret{}
		targetKey := types.NamespacedName{Namespace: namespace, Name: "vipps-token"}
		Expect(adminClient.Get(suiteCtx, targetKey, target)).To(Succeed())
		Expect(string(target.Data[tokensv1alpha1.KeyAccessToken])).To(HavePrefix("ey"))
		Expect(fake.CallsBy(creds.ClientID)).To(BeNumerically(">=", 1))

		By("a Normal event about it was recorded")
		Eventually(func(g Gomega) {
			events := &eventsv1.EventList{}
			g.Expect(adminClient.List(suiteCtx, events, client.InNamespace(namespace))).To(Succeed())
			g.Expect(events.Items).To(ContainElement(And(
				HaveField("Regarding.Name", tok.Name),
				HaveField("Type", corev1.EventTypeNormal),
			)))
		}).Should(Succeed())

		By("it leads through the Lease in its own namespace")
		lease := &coordinationv1.Lease{}
		Expect(adminClient.Get(suiteCtx, types.NamespacedName{Namespace: operatorNamespace, Name: leaderElectionID}, lease)).
			To(Succeed())
		Expect(lease.Spec.HolderIdentity).To(HaveValue(Not(BeEmpty())))
		Eventually(func(g Gomega) {
			events := &corev1.EventList{}
			g.Expect(adminClient.List(suiteCtx, events, client.InNamespace(operatorNamespace))).To(Succeed())
			g.Expect(events.Items).To(ContainElement(HaveField("Reason", "LeaderElection")))
		}).Should(Succeed(), "leader election records a core/v1 Event")

		By("nothing it asked for was forbidden")
		Expect(linesContaining(logs.String(), "forbidden")).To(BeEmpty())
	})

	It("makes a ClusterVippsToken Ready, fills its target in a selected namespace, and is refused nothing", func() {
		creds := credentialstest.New()
		fake.AddCredentials(creds)
		Expect(adminClient.Create(suiteCtx, credentialstest.Secret(operatorNamespace, "platform-credentials", creds))).
			To(Succeed())
		label := map[string]string{"vipps.example.com/token": "rbac"}
		selected := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "selected-", Labels: label}}
		Expect(adminClient.Create(suiteCtx, selected)).To(Succeed())
		// The cluster resource namespace, selected too, must receive nothing.
		own := &corev1.Namespace{}
		Expect(adminClient.Get(suiteCtx, client.ObjectKey{Name: operatorNamespace}, own)).To(Succeed())
		own.Labels["vipps.example.com/token"] = "rbac"
		Expect(adminClient.Update(suiteCtx, own)).To(Succeed())
		cvt := &tokensv1alpha1.ClusterVippsToken{
			ObjectMeta: metav1.ObjectMeta{Name: "platform"},
			Spec: tokensv1alpha1.ClusterVippsTokenSpec{
				TokenSettings: tokensv1alpha1.TokenSettings{Type: tokensv1alpha1.TokenTypeStandard,
					Environment: tokensv1alpha1.EnvironmentTest, Endpoint: fakeServer.URL},
				CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "platform-credentials"},
				NamespaceSelector:    metav1.LabelSelector{MatchLabels: label},
				Target:               tokensv1alpha1.TargetSecret{Name: "vipps-token"},
			},
		}
		Expect(adminClient.Create(suiteCtx, cvt)).To(Succeed())

		By("the ClusterVippsToken becomes Ready, its one namespace holding the token")
		Eventually(func(g Gomega) {
			got := &tokensv1alpha1.ClusterVippsToken{}
			g.Expect(adminClient.Get(suiteCtx, client.ObjectKeyFromObject(cvt), got)).To(Succeed())
			ready := meta.FindStatusCondition(got.Status.Conditions, tokensv1alpha1.ConditionReady)
			g.Expect(ready).NotTo(BeNil())
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), ready.Message)
			g.Expect(got.Status.Namespaces).To(Equal(tokensv1alpha1.NamespaceCounts{Selected: 1, Ready: 1}))
		}).Should(Succeed())

		By("through its VippsToken in the cluster resource namespace, into the selected namespace only")
		child := &tokensv1alpha1.VippsToken{}
		Expect(adminClient.Get(suiteCtx, types.NamespacedName{Namespace: operatorNamespace, Name: cvt.Name}, child)).
			To(Succeed())
		Expect(metav1.GetControllerOf(child)).To(HaveValue(HaveField("Kind", "ClusterVippsToken")))
		Expect(adminClient.Get(suiteCtx, types.NamespacedName{Namespace: operatorNamespace, Name: "platform-token"},
			&corev1.Secret{})).To(Succeed(), "the VippsToken's Secret, <name>-token")
		target := &corev1.Secret{}
		Expect(adminClient.Get(suiteCtx, types.NamespacedName{Namespace: selected.Name, Name: "vipps-token"}, target)).
			To(Succeed())
		Expect(string(target.Data[tokensv1alpha1.KeyAccessToken])).To(HavePrefix("ey"))
		Expect(target.Data).NotTo(HaveKey(tokensv1alpha1.KeySubscriptionKey))
		Expect(adminClient.Get(suiteCtx, types.NamespacedName{Namespace: operatorNamespace, Name: "vipps-token"},
			&corev1.Secret{})).To(Satisfy(apierrors.IsNotFound), "never a target in the cluster resource namespace")
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))

		By("a Normal event about it was recorded")
		Eventually(func(g Gomega) {
			events := &eventsv1.EventList{}
			g.Expect(adminClient.List(suiteCtx, events)).To(Succeed())
			g.Expect(events.Items).To(ContainElement(And(
				HaveField("Regarding.Kind", "ClusterVippsToken"),
				HaveField("Regarding.Name", cvt.Name),
				HaveField("Type", corev1.EventTypeNormal),
			)))
		}).Should(Succeed())

		By("nothing it asked for was forbidden")
		Expect(linesContaining(logs.String(), "forbidden")).To(BeEmpty())
	})

	It("serves metrics to a ServiceAccount bound to metrics-reader, and to nobody else", func() {
		namespace := newNamespace("monitoring")
		prometheus := newServiceAccount(namespace, "prometheus")
		Expect(adminClient.Create(suiteCtx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "prometheus-metrics-reader"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "metrics-reader"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: prometheus.Name}},
		})).To(Succeed())
		stranger := newServiceAccount(namespace, "stranger")

		Eventually(func(g Gomega) {
			status, body := operatortest.ScrapeMetrics(g, metricsAddr, token(g, prometheus))
			g.Expect(status).To(Equal(http.StatusOK), body)
			g.Expect(body).To(ContainSubstring("controller_runtime_reconcile_total"))
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			status, _ := operatortest.ScrapeMetrics(g, metricsAddr, token(g, stranger))
			g.Expect(status).To(Equal(http.StatusForbidden))
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			status, _ := operatortest.ScrapeMetrics(g, metricsAddr, "")
			g.Expect(status).To(Equal(http.StatusUnauthorized))
		}).Should(Succeed())
	})
})

// tokensGroup is the API group of VippsTokens.
var tokensGroup = tokensv1alpha1.GroupVersion.Group

var _ = Describe("The manager's ServiceAccount", func() {
	var asManager client.Client
	BeforeEach(func() {
		var err error
		asManager, err = client.New(managerConfig, client.Options{Scheme: env.Scheme})
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("may do what the manager does, and nothing else",
		func(allowed bool, attrs authorizationv1.ResourceAttributes) {
			review := &authorizationv1.SelfSubjectAccessReview{
				Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs},
			}
			Expect(asManager.Create(suiteCtx, review)).To(Succeed())
			Expect(review.Status.Allowed).To(Equal(allowed), "%+v: %s", attrs, review.Status.Reason)
		},
		// What the manager needs. They also show that the reviews ask as the ServiceAccount.
		Entry("watch Secrets in every namespace", true, attributes("", "secrets", "watch", "")),
		Entry("create a target Secret", true, attributes("", "secrets", "create", "shop")),
		Entry("set blockOwnerDeletion on a target Secret's owner reference", true,
			attributes(tokensGroup, "vippstokens", "update", "shop", "finalizers")),
		Entry("patch a VippsToken's status", true,
			attributes(tokensGroup, "vippstokens", "patch", "shop", "status")),
		Entry("record an event", true, attributes("events.k8s.io", "events", "create", "shop")),
		Entry("record an event about a cluster-scoped object, which goes to default", true,
			attributes("events.k8s.io", "events", "create", "default")),
		Entry("renew its Lease", true, attributes("coordination.k8s.io", "leases", "update", operatorNamespace)),
		Entry("review a metrics caller's token", true, attributes("authentication.k8s.io", "tokenreviews", "create", "")),
		Entry("watch ClusterVippsTokens", true, attributes(tokensGroup, "clustervippstokens", "watch", "")),
		Entry("list ClusterVippsTokens", true, attributes(tokensGroup, "clustervippstokens", "list", "")),
		Entry("patch a ClusterVippsToken's status", true,
			attributes(tokensGroup, "clustervippstokens", "patch", "", "status")),
		Entry("set blockOwnerDeletion on an owner reference to a ClusterVippsToken", true,
			attributes(tokensGroup, "clustervippstokens", "update", "", "finalizers")),
		Entry("create a ClusterVippsToken's VippsToken", true,
			attributes(tokensGroup, "vippstokens", "create", operatorNamespace)),
		Entry("bring a ClusterVippsToken's VippsToken in line with it", true,
			attributes(tokensGroup, "vippstokens", "update", operatorNamespace)),
		Entry("list Namespaces, for a namespaceSelector", true, attributes("", "namespaces", "list", "")),
		Entry("watch Namespaces", true, attributes("", "namespaces", "watch", "")),
		// What it does not.
		Entry("list Pods", false, attributes("", "pods", "list", "")),
		Entry("delete a Namespace", false, attributes("", "namespaces", "delete", "")),
		Entry("label a Namespace", false, attributes("", "namespaces", "patch", "")),
		Entry("create a ClusterVippsToken", false, attributes(tokensGroup, "clustervippstokens", "create", "")),
		Entry("change a ClusterVippsToken's spec", false, attributes(tokensGroup, "clustervippstokens", "update", "")),
		Entry("delete a ClusterVippsToken", false, attributes(tokensGroup, "clustervippstokens", "delete", "")),
		Entry("delete a VippsToken", false, attributes(tokensGroup, "vippstokens", "delete", "shop")),
		Entry("patch a VippsToken's spec", false, attributes(tokensGroup, "vippstokens", "patch", "shop")),
		Entry("take a Lease in another namespace", false, attributes("coordination.k8s.io", "leases", "update", "shop")),
		Entry("read ConfigMaps", false, attributes("", "configmaps", "get", operatorNamespace)),
		Entry("grant itself more", false, attributes(rbacv1.GroupName, "clusterrolebindings", "create", "")),
	)

	It("is refused when it tries", func() {
		Expect(asManager.List(suiteCtx, &corev1.PodList{})).To(Satisfy(apierrors.IsForbidden))
		Expect(asManager.Delete(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}})).
			To(Satisfy(apierrors.IsForbidden))
	})
})

// linesContaining returns the lines of text that contain word, in any case.
func linesContaining(text, word string) []string {
	var lines []string
	for line := range strings.Lines(text) {
		if strings.Contains(strings.ToLower(line), word) {
			lines = append(lines, line)
		}
	}
	return lines
}

func attributes(group, resource, verb, namespace string, subresource ...string) authorizationv1.ResourceAttributes {
	attrs := authorizationv1.ResourceAttributes{Group: group, Resource: resource, Verb: verb, Namespace: namespace}
	if len(subresource) > 0 {
		attrs.Subresource = subresource[0]
	}
	return attrs
}

// newNamespace creates a namespace named after prefix, and returns its name.
func newNamespace(prefix string) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}
	Expect(adminClient.Create(suiteCtx, ns)).To(Succeed())
	return ns.Name
}

func newServiceAccount(namespace, name string) *corev1.ServiceAccount {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	Expect(adminClient.Create(suiteCtx, sa)).To(Succeed())
	return sa
}

// token returns a token of the ServiceAccount, as the kubelet mounts one into its pods.
func token(g Gomega, sa *corev1.ServiceAccount) string {
	request := &authenticationv1.TokenRequest{}
	g.Expect(adminClient.SubResource("token").Create(suiteCtx, sa, request)).To(Succeed())
	return request.Status.Token
}
