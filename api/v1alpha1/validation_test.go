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
	"fmt"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// validToken is the smallest VippsToken the API server accepts; each invalid case below
// breaks exactly one thing in it.
func validToken(namespace string) *v1alpha1.VippsToken {
	return &v1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vt-", Namespace: namespace},
		Spec: v1alpha1.VippsTokenSpec{
			Type:                 v1alpha1.TokenTypeStandard,
			Environment:          v1alpha1.EnvironmentTest,
			CredentialsSecretRef: v1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
			Targets:              []v1alpha1.TargetSecret{{Name: "vipps-token"}},
		},
	}
}

func newNamespace() string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "api-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

var _ = Describe("VippsToken validation", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("accepts every sample in config/samples", func() {
		dir := filepath.Join(testenv.RepoRoot(), "config", "samples")
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		var created []string
		for _, file := range files {
			if filepath.Base(file) == "kustomization.yaml" {
				continue
			}
			obj := readObject(file)
			obj.SetNamespace(namespace)
			Expect(k8sClient.Create(ctx, obj)).To(Succeed(), "sample %s", filepath.Base(file))
			created = append(created, obj.GetKind())
		}
		Expect(created).To(ContainElements("Secret", "VippsToken"))
		Expect(created).To(HaveLen(4), "a sample each of the credentials Secret and the three token types")
	})

	It("fills in the documented defaults of the credentials keys", func() {
		token := validToken(namespace)
		Expect(k8sClient.Create(ctx, token)).To(Succeed())
		Expect(token.Spec.CredentialsSecretRef).To(Equal(v1alpha1.CredentialsSecretReference{
			Name:                    "vipps-credentials",
			ClientIDKey:             "client-id",
			ClientSecretKey:         "client-secret",
			SubscriptionKeyKey:      "subscription-key",
			MerchantSerialNumberKey: "merchant-serial-number",
		}))
	})

	DescribeTable("accepts",
		func(mutate func(*v1alpha1.VippsToken)) {
			token := validToken(namespace)
			mutate(token)
			Expect(k8sClient.Create(ctx, token)).To(Succeed())
		},
		Entry("a Legacy token with a resource", func(t *v1alpha1.VippsToken) {
			t.Spec.Type = v1alpha1.TokenTypeLegacy
			t.Spec.Resource = "https://testapivipps.no/vippsas/invoice-isp-service"
		}),
		Entry("a Partner token in Production", func(t *v1alpha1.VippsToken) {
			t.Spec.Type = v1alpha1.TokenTypePartner
			t.Spec.Environment = v1alpha1.EnvironmentProduction
		}),
		Entry("a merchant serial number of 4 and of 6 digits", func(t *v1alpha1.VippsToken) {
			t.Spec.MerchantSerialNumber = "1234"
		}),
		Entry("system info of exactly 30 characters", func(t *v1alpha1.VippsToken) {
			t.Spec.SystemInfo = &v1alpha1.SystemInfo{Name: strings.Repeat("n", 30), PluginVersion: "1.0.0"}
		}),
		Entry("16 targets", func(t *v1alpha1.VippsToken) { t.Spec.Targets = targets(16) }),
		Entry("an http endpoint with a port and a path", func(t *v1alpha1.VippsToken) {
			t.Spec.Endpoint = "http://fake-vipps.vipps-system.svc:8090/prefix"
		}),
		Entry("a fixed renewBefore with a minimum interval", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{
				RenewBefore:     &metav1.Duration{Duration: 90e9},
				MinimumInterval: &metav1.Duration{Duration: 1e9},
			}
		}),
		Entry("custom credentials keys", func(t *v1alpha1.VippsToken) {
			t.Spec.CredentialsSecretRef.ClientIDKey = "VIPPS_CLIENT_ID"
			t.Spec.CredentialsSecretRef.ClientSecretKey = "vipps.client_secret"
		}),
	)

	DescribeTable("rejects, with a message that says what is wrong,",
		func(mutate func(*v1alpha1.VippsToken), message string) {
			token := validToken(namespace)
			mutate(token)
			err := k8sClient.Create(ctx, token)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(message))
		},
		Entry("a missing type", func(t *v1alpha1.VippsToken) { t.Spec.Type = "" },
			`spec.type: Unsupported value: ""`),
		Entry("an unknown type", func(t *v1alpha1.VippsToken) { t.Spec.Type = "Ecom" },
			`spec.type: Unsupported value: "Ecom": supported values: "Standard", "Partner", "Legacy"`),
		Entry("an unknown environment", func(t *v1alpha1.VippsToken) { t.Spec.Environment = "Staging" },
			`spec.environment: Unsupported value: "Staging": supported values: "Test", "Production"`),
		Entry("a missing credentials Secret name", func(t *v1alpha1.VippsToken) { t.Spec.CredentialsSecretRef.Name = "" },
			"spec.credentialsSecretRef.name"),
		Entry("a credentials key that cannot be a Secret key", func(t *v1alpha1.VippsToken) {
			t.Spec.CredentialsSecretRef.ClientSecretKey = "client/secret"
		}, "spec.credentialsSecretRef.clientSecretKey"),
		Entry("a Partner token with a resource", func(t *v1alpha1.VippsToken) {
			t.Spec.Type = v1alpha1.TokenTypePartner
			t.Spec.Resource = "https://testapivipps.no/vippsas/invoice-isp-service"
		}, "resource is only allowed when type is Legacy"),
		Entry("a Legacy token without a resource", func(t *v1alpha1.VippsToken) { t.Spec.Type = v1alpha1.TokenTypeLegacy },
			"resource is required when type is Legacy"),
		Entry("both refresh styles", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{
				RenewBeforePercentage: ptr.To[int32](33),
				RenewBefore:           &metav1.Duration{Duration: 600e9},
			}
		}, "set either renewBefore or renewBeforePercentage, not both"),
		Entry("a renewal percentage below 5", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{RenewBeforePercentage: ptr.To[int32](0)}
		}, "spec.refreshPolicy.renewBeforePercentage in body should be greater than or equal to 5"),
		Entry("a renewal percentage above 90", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{RenewBeforePercentage: ptr.To[int32](95)}
		}, "spec.refreshPolicy.renewBeforePercentage in body should be less than or equal to 90"),
		Entry("a minimum interval that would allow a hot loop", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: 100e6}}
		}, "minimumInterval must be between 1s and 1h"),
		Entry("no targets", func(t *v1alpha1.VippsToken) { t.Spec.Targets = nil },
			"spec.targets: Required value"),
		Entry("17 targets", func(t *v1alpha1.VippsToken) { t.Spec.Targets = targets(17) },
			"spec.targets: Too many: 17: must have at most 16 items"),
		Entry("the same target twice", func(t *v1alpha1.VippsToken) {
			t.Spec.Targets = []v1alpha1.TargetSecret{{Name: "a"}, {Name: "a"}}
		}, `spec.targets[1]: Duplicate value: {"name":"a"}`),
		Entry("a target that is the credentials Secret", func(t *v1alpha1.VippsToken) {
			t.Spec.Targets = append(t.Spec.Targets, v1alpha1.TargetSecret{Name: "vipps-credentials"})
		}, "a target must not be the credentials Secret"),
		Entry("a target name that is not a Secret name", func(t *v1alpha1.VippsToken) {
			t.Spec.Targets[0].Name = "Vipps_Token"
		}, "spec.targets[0].name"),
		Entry("a target label that takes over managed-by", func(t *v1alpha1.VippsToken) {
			t.Spec.Targets[0].Labels = map[string]string{"app.kubernetes.io/managed-by": "helm"}
		}, "labels must not set app.kubernetes.io/managed-by"),
		Entry("a target annotation in the operator's prefix", func(t *v1alpha1.VippsToken) {
			t.Spec.Targets[0].Annotations = map[string]string{"tokens.vippsoperator.dev/expires-at": "never"}
		}, "annotations must not use the tokens.vippsoperator.dev/ prefix"),
		Entry("a merchant serial number with letters", func(t *v1alpha1.VippsToken) { t.Spec.MerchantSerialNumber = "12ab" },
			"spec.merchantSerialNumber: Invalid value"),
		Entry("a merchant serial number of 7 digits", func(t *v1alpha1.VippsToken) { t.Spec.MerchantSerialNumber = "1234567" },
			"spec.merchantSerialNumber: Invalid value"),
		Entry("a system name over 30 characters", func(t *v1alpha1.VippsToken) {
			t.Spec.SystemInfo = &v1alpha1.SystemInfo{Name: strings.Repeat("n", 31)}
		}, "spec.systemInfo.name: Too long: may not be more than 30"),
		Entry("a plugin version over 30 characters", func(t *v1alpha1.VippsToken) {
			t.Spec.SystemInfo = &v1alpha1.SystemInfo{PluginVersion: strings.Repeat("1", 31)}
		}, "spec.systemInfo.pluginVersion: Too long: may not be more than 30"),
		Entry("an endpoint that is not a URL", func(t *v1alpha1.VippsToken) { t.Spec.Endpoint = "vipps-proxy:8080" },
			"endpoint must be an absolute http or https URL"),
		Entry("an endpoint with another scheme", func(t *v1alpha1.VippsToken) { t.Spec.Endpoint = "ftp://vipps-proxy" },
			"endpoint must be an absolute http or https URL"),
		Entry("an endpoint with a query", func(t *v1alpha1.VippsToken) { t.Spec.Endpoint = "https://proxy.example.com/?to=evil" },
			"endpoint must not contain a query or a fragment"),
		Entry("an endpoint with credentials in it", func(t *v1alpha1.VippsToken) {
			t.Spec.Endpoint = "https://user:secret@proxy.example.com"
		}, "endpoint must not contain a user name or password"),
		Entry("a renewBefore that is not a duration", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{RenewBefore: &metav1.Duration{Duration: -60e9}}
		}, "spec.refreshPolicy.renewBefore: Invalid value"),
	)

	It("describes every field for kubectl explain", func() {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		Expect(k8sClient.Get(ctx, clientKey("vippstokens.tokens.vippsoperator.dev"), crd)).To(Succeed())
		schema := crd.Spec.Versions[0].Schema.OpenAPIV3Schema
		Expect(undescribed("", schema.Properties["spec"])).To(BeEmpty())
		Expect(undescribed("", schema.Properties["status"])).To(BeEmpty())
	})
})

func targets(n int) []v1alpha1.TargetSecret {
	out := make([]v1alpha1.TargetSecret, n)
	for i := range out {
		out[i].Name = fmt.Sprintf("target-%d", i)
	}
	return out
}

func clientKey(name string) types.NamespacedName { return types.NamespacedName{Name: name} }

func readObject(file string) *unstructured.Unstructured {
	f, err := os.Open(file)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = f.Close() }()
	obj := &unstructured.Unstructured{}
	Expect(yaml.NewYAMLOrJSONDecoder(f, 4096).Decode(&obj.Object)).To(Succeed())
	return obj
}

// undescribed lists the paths of the schema's properties that have no description, which
// kubectl explain would show bare. The fields of metav1.Condition are described by
// Kubernetes itself.
func undescribed(path string, schema apiextensionsv1.JSONSchemaProps) []string {
	var missing []string
	for name, prop := range schema.Properties {
		p := path + "." + name
		if prop.Description == "" {
			missing = append(missing, p)
		}
		missing = append(missing, undescribed(p, prop)...)
		if prop.Items != nil && prop.Items.Schema != nil {
			missing = append(missing, undescribed(p+"[]", *prop.Items.Schema)...)
		}
	}
	return missing
}
