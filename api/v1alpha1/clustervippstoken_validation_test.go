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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// nameTooLong is the message of the CEL rule on a ClusterVippsToken's name.
const nameTooLong = "the name of a ClusterVippsToken must be at most 63 characters: " +
	"it names a VippsToken and a Secret in the cluster resource namespace"

// validClusterToken is the smallest ClusterVippsToken the API server accepts; each invalid
// case below breaks exactly one thing in it. It is cluster-scoped, so the specs delete what
// they create (createClusterToken).
func validClusterToken() *v1alpha1.ClusterVippsToken {
	return &v1alpha1.ClusterVippsToken{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "cvt-"},
		Spec: v1alpha1.ClusterVippsTokenSpec{
			TokenSettings: v1alpha1.TokenSettings{
				Type:        v1alpha1.TokenTypeStandard,
				Environment: v1alpha1.EnvironmentTest,
			},
			CredentialsSecretRef: v1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
			NamespaceSelector:    metav1.LabelSelector{MatchLabels: map[string]string{"vipps.example.com/token": "webshop"}},
			Target:               v1alpha1.TargetSecret{Name: "vipps-token"},
		},
	}
}

// createClusterToken creates cvt, expecting the API server to accept it, and deletes it when
// the spec ends.
func createClusterToken(cvt *v1alpha1.ClusterVippsToken) {
	GinkgoHelper()
	Expect(k8sClient.Create(ctx, cvt)).To(Succeed())
	DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, cvt))).To(Succeed()) })
}

var _ = Describe("ClusterVippsToken validation", func() {
	It("fills in the documented defaults of the credentials keys", func() {
		cvt := validClusterToken()
		createClusterToken(cvt)
		Expect(cvt.Spec.CredentialsSecretRef).To(Equal(defaultedCredentialsRef))
	})

	DescribeTable("accepts",
		func(mutate func(*v1alpha1.ClusterVippsToken)) {
			cvt := validClusterToken()
			mutate(cvt)
			createClusterToken(cvt)
		},
		Entry("the smallest valid one", func(*v1alpha1.ClusterVippsToken) {}),
		Entry("a name of exactly 63 characters", func(c *v1alpha1.ClusterVippsToken) {
			c.GenerateName, c.Name = "", strings.Repeat("a", 63)
		}),
		// The API server cuts a generateName so that the name it makes has at most 63 characters.
		Entry("a generateName of 61 characters", func(c *v1alpha1.ClusterVippsToken) {
			c.GenerateName = strings.Repeat("a", 60) + "-"
		}),
		Entry("an empty namespaceSelector, which selects every namespace", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.NamespaceSelector = metav1.LabelSelector{}
		}),
		Entry("a namespaceSelector with an expression", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.NamespaceSelector = metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "team", Operator: metav1.LabelSelectorOpIn, Values: []string{"payments", "shop"}},
			}}
		}),
		Entry("a Legacy token with a resource", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Type = v1alpha1.TokenTypeLegacy
			c.Spec.Resource = "https://testapivipps.no/vippsas/invoice-isp-service"
		}),
		Entry("a Partner token in Production with an http endpoint", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Type, c.Spec.Environment = v1alpha1.TokenTypePartner, v1alpha1.EnvironmentProduction
			c.Spec.Endpoint = "http://fake-vipps.vipps-system.svc:8090/prefix"
		}),
		Entry("a target that asks for the request headers, with labels", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Target.IncludeRequestHeaders = true
			c.Spec.Target.Labels = map[string]string{"team": "payments"}
		}),
	)

	DescribeTable("rejects, with a message that says what is wrong,",
		func(mutate func(*v1alpha1.ClusterVippsToken), message string) {
			cvt := validClusterToken()
			mutate(cvt)
			expectRejected(cvt, message)
		},
		Entry("a name of 64 characters", func(c *v1alpha1.ClusterVippsToken) {
			c.GenerateName, c.Name = "", strings.Repeat("a", 64)
		}, nameTooLong),
		Entry("a Legacy token without a resource", func(c *v1alpha1.ClusterVippsToken) { c.Spec.Type = v1alpha1.TokenTypeLegacy },
			"resource is required when type is Legacy"),
		Entry("a Partner token with a resource", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Type = v1alpha1.TokenTypePartner
			c.Spec.Resource = "https://testapivipps.no/vippsas/invoice-isp-service"
		}, "resource is only allowed when type is Legacy"),
		Entry("an unknown type", func(c *v1alpha1.ClusterVippsToken) { c.Spec.Type = "Ecom" },
			`spec.type: Unsupported value: "Ecom": supported values: "Standard", "Partner", "Legacy"`),
		Entry("an endpoint that is not a URL", func(c *v1alpha1.ClusterVippsToken) { c.Spec.Endpoint = "vipps-proxy:8080" },
			"endpoint must be an absolute http or https URL"),
		Entry("an endpoint with a query", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Endpoint = "https://proxy.example.com/?to=evil"
		}, "endpoint must not contain a query or a fragment"),
		Entry("an endpoint with credentials in it", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Endpoint = "https://user:secret@proxy.example.com"
		}, "endpoint must not contain a user name or password"),
		Entry("a target name that is not a Secret name", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Target.Name = "Vipps_Token"
		}, "spec.target.name"),
		Entry("a target label that takes over managed-by", func(c *v1alpha1.ClusterVippsToken) {
			c.Spec.Target.Labels = map[string]string{"app.kubernetes.io/managed-by": "helm"}
		}, "labels must not set app.kubernetes.io/managed-by"),
	)

	// What only a manifest can say: a required field left out, which the Go types always send.
	DescribeTable("rejects a manifest, with a message that says what is wrong,",
		func(mutate func(spec map[string]any), message string) {
			manifest := asManifest(validClusterToken())
			mutate(manifest.Object["spec"].(map[string]any))
			expectRejected(manifest, message)
		},
		Entry("without a target", func(spec map[string]any) { delete(spec, "target") },
			"spec.target: Required value"),
		Entry("without a namespaceSelector", func(spec map[string]any) { delete(spec, "namespaceSelector") },
			"spec.namespaceSelector: Required value"),
		Entry("without a credentials reference", func(spec map[string]any) { delete(spec, "credentialsSecretRef") },
			"spec.credentialsSecretRef: Required value"),
		Entry("a target without a name", func(spec map[string]any) {
			spec["target"] = map[string]any{"labels": map[string]any{"team": "payments"}}
		}, "spec.target.name: Required value"),
		Entry("targets, as a VippsToken has them", func(spec map[string]any) {
			spec["targets"] = []any{map[string]any{"name": "vipps-token"}}
		}, `unknown field "spec.targets"`),
	)

	It("describes every field for kubectl explain", func() {
		expectEveryFieldDescribed("clustervippstokens.tokens.vippsoperator.dev")
	})
})
