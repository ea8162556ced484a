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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/leakscan"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

var _ = Describe("inspect", func() {
	It("shows the claims of the token the operator wrote, and none of the token", func(ctx SpecContext) {
		tok := operatortest.StandardToken(operatedNamespace, "inspected", fakeServer, "inspected-token")
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		var target corev1.Secret
		Eventually(func(g Gomega) {
			key := client.ObjectKey{Namespace: operatedNamespace, Name: "inspected-token"}
			g.Expect(k8sClient.Get(ctx, key, &target)).To(Succeed())
			g.Expect(target.Data).To(HaveKey(tokensv1alpha1.KeyAccessToken))
		}).Should(Succeed())
		token := string(target.Data[tokensv1alpha1.KeyAccessToken])
		expiresAt := target.Annotations[tokensv1alpha1.AnnotationExpiresAt]

		out := runPlugin(ctx, nil, "inspect", "inspected-token", "-n", operatedNamespace)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(out.stderr).To(BeEmpty())
		fields := inspected(out.stdout)
		Expect(fields).To(HaveKeyWithValue("Secret", operatedNamespace+"/inspected-token"))
		Expect(fields).To(HaveKeyWithValue("Managed by", "vipps-token-operator, for VippsToken inspected"))
		Expect(fields).To(HaveKeyWithValue("Token", "JWT signed with HS256; the token and its signature are not shown"))
		Expect(fields).To(HaveKeyWithValue("Issuer", "https://fake-vipps.invalid/Test/"))
		Expect(fields).To(HaveKeyWithValue("Audience", "00000002-0000-0000-c000-000000000000"))
		Expect(fields).NotTo(HaveKey("Subject"), "the fake's tokens have no sub")
		Expect(fields).To(HaveKeyWithValue("Issued at", MatchRegexp(`^\S+Z \(\S+ ago\)$`)))
		Expect(fields).To(HaveKeyWithValue("Not before", MatchRegexp(`^\S+Z \(\S+ ago\)$`)))
		// The fake's test tokens live an hour; the operator recorded the JWT's exp.
		Expect(fields).To(HaveKeyWithValue("Expires", MatchRegexp(`^`+expiresAt+` \(in (59|60)m\)$`)))
		Expect(fields).To(HaveKeyWithValue("Operator's expiry",
			MatchRegexp(`^`+expiresAt+` \(in (59|60)m\), `+tokensv1alpha1.AnnotationExpiresAt+`$`)))
		Expect(fields).To(HaveKeyWithValue("Operator's request", HaveSuffix(tokensv1alpha1.AnnotationIssuedAt)))

		By("searching the output for the token as an attacker would")
		parts := strings.Split(token, ".")
		Expect(parts).To(HaveLen(3))
		Expect(leakscan.Scan(out.stdout+out.stderr, []leakscan.Secret{
			{Name: "token", Value: token},
			{Name: "payload segment", Value: parts[1]},
			{Name: "signature", Value: parts[2]},
		})).To(BeEmpty())
	})

	It("says that an opaque token has no claims, and shows the expiry the operator recorded", func(ctx SpecContext) {
		now := time.Now().Truncate(time.Second)
		ns := newNamespace(ctx)
		opaque := "opaque-7d1f3c9a5b2e4f60a8c1d3e5f7091b2c"
		expiresAt := now.Add(10 * time.Minute).UTC().Format(time.RFC3339)
		Expect(k8sClient.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name: "legacy-token", Namespace: ns,
				Labels:      map[string]string{tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue},
				Annotations: map[string]string{tokensv1alpha1.AnnotationExpiresAt: expiresAt},
			},
			Data: map[string][]byte{
				tokensv1alpha1.KeyAuthorization: []byte("Bearer " + opaque),
				tokensv1alpha1.KeyExpiresAt:     []byte(expiresAt),
			},
		})).To(Succeed())

		out := runPlugin(ctx, func() time.Time { return now }, "inspect", "legacy-token", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(inspected(out.stdout)).To(Equal(map[string]string{
			"Secret":             ns + "/legacy-token",
			"Managed by":         "vipps-token-operator",
			"Data keys":          "authorization, expires-at",
			"Token":              "not a JWT (an opaque token): it has no claims to show; the token is not shown",
			"Operator's expiry":  expiresAt + " (in 10m), " + tokensv1alpha1.AnnotationExpiresAt,
			"Operator's request": "- (no " + tokensv1alpha1.AnnotationIssuedAt + " annotation)",
		}))
		Expect(leakscan.Scan(out.stdout+out.stderr, []leakscan.Secret{{Name: "token", Value: opaque}})).To(BeEmpty())
	})

	It("names the ClusterVippsToken that a target Secret, or the source of the targets, is written for", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		cvt := createClusterWithStatus(ctx, "shared-", "vipps-token", tokensv1alpha1.ClusterVippsTokenStatus{
			Namespaces: tokensv1alpha1.NamespaceCounts{Selected: 3, Ready: 3},
		})
		Expect(k8sClient.Create(ctx, clusterTokenSecret(ns, "vipps-token", cvt.Name, controlledBy(cvt)))).To(Succeed())

		out := runPlugin(ctx, nil, "inspect", "vipps-token", "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(inspected(out.stdout)).To(HaveKeyWithValue("Managed by", "vipps-token-operator, for ClusterVippsToken "+cvt.Name))

		By("naming the ClusterVippsToken of the VippsToken that owns the source")
		child := createChild(ctx, ns, cvt)
		source := clusterTokenSecret(ns, cvt.Name+"-token", cvt.Name,
			*metav1.NewControllerRef(child, tokensv1alpha1.GroupVersion.WithKind(vippsTokenKind.kind)))
		Expect(k8sClient.Create(ctx, source)).To(Succeed())
		out = runPlugin(ctx, nil, "inspect", source.Name, "-n", ns)
		Expect(out.err).NotTo(HaveOccurred())
		Expect(inspected(out.stdout)).To(HaveKeyWithValue("Managed by",
			"vipps-token-operator, for VippsToken "+cvt.Name+", the token of ClusterVippsToken "+cvt.Name))

		By("saying where a ClusterVippsToken writes, when given its name")
		out = runPlugin(ctx, nil, "inspect", cvt.Name, "-n", ns)
		Expect(out.err).To(MatchError(`no Secret "` + cvt.Name + `" in the ` + ns + ` namespace; clustervippstoken/` +
			cvt.Name + ` is a token, whose targets are: vipps-token in 3 of 3 namespaces, 0 failing`))
	})

	It("says when the target is missing, names a token, or holds no token", func(ctx SpecContext) {
		ns := newNamespace(ctx)
		Expect(k8sClient.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "unrelated", Namespace: ns},
			Data:       map[string][]byte{"password": []byte("hunter2")},
		})).To(Succeed())

		createWithStatus(ctx, ns, "webshop", tokensv1alpha1.VippsTokenStatus{})

		out := runPlugin(ctx, nil, "inspect", "nope", "-n", ns)
		Expect(out.err).To(MatchError(`no Secret "nope" in the ` + ns + ` namespace`))
		out = runPlugin(ctx, nil, "inspect", "webshop", "-n", ns)
		Expect(out.err).To(MatchError(`no Secret "webshop" in the ` + ns + ` namespace; ` +
			`vippstoken/webshop is a token, whose targets are: webshop-token`))
		out = runPlugin(ctx, nil, "inspect", "unrelated", "-n", ns)
		Expect(out.err).To(MatchError("the Secret " + ns + "/unrelated holds no access-token or authorization key: " +
			"is it the target of a token?"))
		Expect(out.stdout + out.stderr).NotTo(ContainSubstring("hunter2"))
	})
})

// clusterTokenSecret is a Secret that the operator wrote for the ClusterVippsToken cvtName, as
// owner's controller, holding an opaque token.
func clusterTokenSecret(ns, name, cvtName string, owner metav1.OwnerReference) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns, OwnerReferences: []metav1.OwnerReference{owner},
			Labels: map[string]string{
				tokensv1alpha1.LabelManagedBy:         tokensv1alpha1.ManagedByValue,
				tokensv1alpha1.LabelClusterVippsToken: cvtName,
			},
		},
		Data: map[string][]byte{tokensv1alpha1.KeyAuthorization: []byte("Bearer opaque-4c2e9b7f1d3a5e60")},
	}
}

// inspected reads the "Label:   value" lines that inspect prints into a map.
func inspected(printed string) map[string]string {
	fields := map[string]string{}
	for line := range strings.Lines(printed) {
		label, value, found := strings.Cut(line, ":")
		Expect(found).To(BeTrue(), "every line is Label: value")
		fields[label] = strings.TrimSpace(value)
	}
	return fields
}
