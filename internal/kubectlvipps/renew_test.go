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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

var _ = Describe("renew", func() {
	It("sets the refresh annotation to a new value on each call", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{})

		first := renewed(ctx, ns, "webshop")
		second := renewed(ctx, ns, "vippstoken/webshop")
		Expect(second).NotTo(Equal(first), "a second call must request a second refresh")
		for _, value := range []string{first, second} {
			_, err := time.Parse(time.RFC3339Nano, value)
			Expect(err).NotTo(HaveOccurred(), "the value is the time of the call")
		}
	})

	It("renews every token of the namespace, and no other, with --all", func(ctx SpecContext) {
		ns, other := newNamespace(ctx), newNamespace(ctx)
		for _, name := range []string{"a", "b", "c"} {
			createWithStatus(ctx, ns, name, tokensv1alpha1.VippsTokenStatus{})
		}
		createWithStatus(ctx, other, "a", tokensv1alpha1.VippsTokenStatus{})

		out := runPlugin(ctx, nil, "renew", "--all", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(out.stdout).To(MatchRegexp(`^vippstoken/a: refresh requested \(` + tokensv1alpha1.AnnotationRefresh +
			`=\S+\)\nvippstoken/b: .*\nvippstoken/c: .*\n$`))
		value := refreshAnnotation(ctx, ns, "a")
		Expect(value).NotTo(BeEmpty())
		Expect(refreshAnnotation(ctx, ns, "b")).To(Equal(value))
		Expect(refreshAnnotation(ctx, ns, "c")).To(Equal(value))
		Expect(refreshAnnotation(ctx, other, "a")).To(BeEmpty())

		out = runPlugin(ctx, nil, "renew", "--all", "-n", newNamespace(ctx))
		Expect(out.err).NotTo(HaveOccurred())
		Expect(out.stderr).To(HavePrefix("No tokens found in the "))
	})

	It("says clearly what is wrong with what it was asked to renew", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{})

		expectError := func(message string, args ...string) {
			GinkgoHelper()
			out := runPlugin(ctx, nil, append(args, "-n", ns)...)
			Expect(out.err).To(MatchError(message))
		}
		expectError(`VippsToken "nope" not found in the `+ns+` namespace`, "renew", "nope")
		expectError(`ClusterVippsToken "nope" not found`, "renew", "cvt/nope")
		expectError(`"secret" is not a kind of token; the kinds are vippstoken, clustervippstoken`, "renew", "secret/webshop")
		expectError("give the name of a token to renew, or --all for every VippsToken in the namespace", "renew")
		expectError("give the names of tokens or --all, not both", "renew", "webshop", "--all")
		Expect(refreshAnnotation(ctx, ns, "webshop")).To(BeEmpty())

		By("renewing the tokens that exist when another does not")
		out := runPlugin(ctx, nil, "renew", "webshop", "nope", "-n", ns)
		Expect(out.err).To(MatchError(ContainSubstring(`VippsToken "nope" not found`)))
		Expect(refreshAnnotation(ctx, ns, "webshop")).NotTo(BeEmpty())
	})

	It("renews a ClusterVippsToken by its KIND/NAME whatever the namespace, and never with --all", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{})
		cvt := createClusterWithStatus(ctx, "shared-", "vipps-token", tokensv1alpha1.ClusterVippsTokenStatus{})

		first := renewedCluster(ctx, cvt.Name, "clustervippstoken/"+cvt.Name, "-n", ns)
		second := renewedCluster(ctx, cvt.Name, "cvt/"+cvt.Name) // in the kubeconfig's namespace
		Expect(second).NotTo(Equal(first), "a second call must request a second refresh")

		By("renewing the namespace's VippsTokens only with --all, though status lists the ClusterVippsToken there")
		out := runPlugin(ctx, nil, "renew", "--all", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(out.stdout).To(Equal("vippstoken/webshop: refresh requested (" +
			tokensv1alpha1.AnnotationRefresh + "=" + refreshAnnotation(ctx, ns, "webshop") + ")\n"))
		Expect(clusterRefreshAnnotation(ctx, cvt.Name)).To(Equal(second))
	})

	It("renews the VippsToken of a ClusterVippsToken only through the ClusterVippsToken", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		cvt := createClusterWithStatus(ctx, "shared-", "vipps-token", tokensv1alpha1.ClusterVippsTokenStatus{})
		createChild(ctx, ns, cvt)

		out := runPlugin(ctx, nil, "renew", cvt.Name, "-n", ns)
		Expect(out.err).To(MatchError("vippstoken/" + cvt.Name + " is the token of clustervippstoken/" + cvt.Name +
			", which sets its refresh annotation: renew clustervippstoken/" + cvt.Name))
		out = runPlugin(ctx, nil, "renew", "--all", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(out.stderr).To(HavePrefix("No tokens found in the "))
		Expect(refreshAnnotation(ctx, ns, cvt.Name)).To(BeEmpty())
	})

	It("makes the operator request one new token per call", func(ctx SpecContext) {
		tok := operatortest.StandardToken(operatedNamespace, "renewed", fakeServer, "renewed-token")
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(tok), tok)).To(Succeed())
			g.Expect(tok.Status.ExpiresAt).NotTo(BeNil())
		}).Should(Succeed())
		calls := fake.Calls()

		for call := 1; call <= 2; call++ {
			value := renewed(ctx, operatedNamespace, "renewed")
			Eventually(func(g Gomega) {
				g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(tok), tok)).To(Succeed())
				g.Expect(tok.Status.LastRefreshRequest).To(Equal(value))
				g.Expect(fake.Calls()).To(Equal(calls + call))
			}).Should(Succeed())
		}
		Consistently(fake.Calls, 2*time.Second).Should(Equal(calls+2), "a call refreshes once, not again")
	})
})

// renewed runs "renew ref" in ns and returns the refresh annotation it set.
func renewed(ctx context.Context, ns, ref string) string {
	GinkgoHelper()
	out := runPlugin(ctx, nil, "renew", ref, "-n", ns)
	Expect(out.err).NotTo(HaveOccurred())
	_, name, err := parseTokenRef(ref)
	Expect(err).NotTo(HaveOccurred())
	value := refreshAnnotation(ctx, ns, name)
	Expect(out.stdout).To(Equal("vippstoken/" + name + ": refresh requested (" +
		tokensv1alpha1.AnnotationRefresh + "=" + value + ")\n"))
	return value
}

// renewedCluster runs "renew args..." for the ClusterVippsToken name and returns the refresh
// annotation it set.
func renewedCluster(ctx context.Context, name string, args ...string) string {
	GinkgoHelper()
	out := runPlugin(ctx, nil, append([]string{"renew"}, args...)...)
	Expect(out.err).NotTo(HaveOccurred())
	value := clusterRefreshAnnotation(ctx, name)
	Expect(out.stdout).To(Equal("clustervippstoken/" + name + ": refresh requested (" +
		tokensv1alpha1.AnnotationRefresh + "=" + value + ")\n"))
	return value
}

// refreshAnnotation is the refresh annotation of the VippsToken ns/name, "" when unset.
func refreshAnnotation(ctx context.Context, ns, name string) string {
	GinkgoHelper()
	var tok tokensv1alpha1.VippsToken
	Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &tok)).To(Succeed())
	return tok.Annotations[tokensv1alpha1.AnnotationRefresh]
}

// clusterRefreshAnnotation is the refresh annotation of the ClusterVippsToken name, "" when unset.
func clusterRefreshAnnotation(ctx context.Context, name string) string {
	GinkgoHelper()
	var cvt tokensv1alpha1.ClusterVippsToken
	Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, &cvt)).To(Succeed())
	return cvt.Annotations[tokensv1alpha1.AnnotationRefresh]
}
