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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	v1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// validToken is the smallest VippsToken the API server accepts; each invalid case below
// breaks exactly one thing in it.
func validToken(namespace string) *v1alpha1.VippsToken {
	return &v1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vt-", Namespace: namespace},
		Spec: v1alpha1.VippsTokenSpec{
			TokenSettings: v1alpha1.TokenSettings{
				Type:        v1alpha1.TokenTypeStandard,
				Environment: v1alpha1.EnvironmentTest,
			},
			CredentialsSecretRef: v1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
			Targets:              []v1alpha1.TargetSecret{{Name: "vipps-token"}},
		},
	}
}

// defaultedCredentialsRef is the credentials reference of validToken, and of
// validClusterToken, once the API server has filled in the documented defaults of its keys.
// The two kinds share the type and its defaults, and so this expectation.
var defaultedCredentialsRef = v1alpha1.CredentialsSecretReference{
	Name:                    "vipps-credentials",
	ClientIDKey:             "client-id",
	ClientSecretKey:         "client-secret",
	SubscriptionKeyKey:      "subscription-key",
	MerchantSerialNumberKey: "merchant-serial-number",
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
			namespaced, err := k8sClient.IsObjectNamespaced(obj)
			Expect(err).NotTo(HaveOccurred(), "sample %s", filepath.Base(file))
			if namespaced {
				obj.SetNamespace(namespace)
			}
			Expect(k8sClient.Create(ctx, obj)).To(Succeed(), "sample %s", filepath.Base(file))
			if !namespaced {
				DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, obj))).To(Succeed()) })
			}
			created = append(created, obj.GetKind())
		}
		Expect(created).To(ContainElements("Secret", "VippsToken", "ClusterVippsToken"))
		Expect(created).To(HaveLen(5), "a sample each of the credentials Secret, the three token types and a ClusterVippsToken")
	})

	It("fills in the documented defaults of the credentials keys", func() {
		token := validToken(namespace)
		Expect(k8sClient.Create(ctx, token)).To(Succeed())
		Expect(token.Spec.CredentialsSecretRef).To(Equal(defaultedCredentialsRef))
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

	// rejects creates a valid VippsToken changed by mutate, and expects the API server to
	// refuse it with message.
	rejects := func(mutate func(*v1alpha1.VippsToken), message string) {
		token := validToken(namespace)
		mutate(token)
		expectRejected(token, message)
	}

	DescribeTable("rejects, with a message that says what is wrong,", rejects,
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
		Entry("a system name with a newline", func(t *v1alpha1.VippsToken) {
			t.Spec.SystemInfo = &v1alpha1.SystemInfo{Name: "acme\n"}
		}, "spec.systemInfo.name in body should match"),
		Entry("a renewBefore of zero", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{RenewBefore: &metav1.Duration{}}
		}, "renewBefore must be at least 1s"),
		Entry("a renewBefore that is not a duration", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{RenewBefore: &metav1.Duration{Duration: -60e9}}
		}, "spec.refreshPolicy.renewBefore: Invalid value"),
		Entry("a minimum interval over an hour", func(t *v1alpha1.VippsToken) {
			t.Spec.RefreshPolicy = &v1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: 2 * time.Hour}}
		}, "minimumInterval must be between 1s and 1h"),
		Entry("a lower-case type", func(t *v1alpha1.VippsToken) { t.Spec.Type = "standard" },
			`spec.type: Unsupported value: "standard": supported values: "Standard", "Partner", "Legacy"`),
		Entry("a lower-case environment", func(t *v1alpha1.VippsToken) { t.Spec.Environment = "production" },
			`spec.environment: Unsupported value: "production": supported values: "Test", "Production"`),
		Entry("a name over 253 characters", func(t *v1alpha1.VippsToken) {
			t.GenerateName, t.Name = "", strings.Repeat("a", 254)
		}, "must be no more than 253 characters"),
		Entry("a name with capitals", func(t *v1alpha1.VippsToken) { t.GenerateName, t.Name = "", "Webshop" },
			`metadata.name: Invalid value: "Webshop": a lowercase RFC 1123 subdomain`),
		Entry("a credentials Secret name with capitals", func(t *v1alpha1.VippsToken) {
			t.Spec.CredentialsSecretRef.Name = "Vipps-Credentials"
		}, `spec.credentialsSecretRef.name: Invalid value: "Vipps-Credentials"`),
		Entry("a target name over 253 characters", func(t *v1alpha1.VippsToken) {
			t.Spec.Targets[0].Name = strings.Repeat("a", 254)
		}, "spec.targets[0].name: Too long: may not be more than 253"),
		Entry("33 labels on a target", func(t *v1alpha1.VippsToken) { t.Spec.Targets[0].Labels = keys(33) },
			"spec.targets[0].labels: Too many: 33: must have at most 32 items"),
		Entry("33 annotations on a target", func(t *v1alpha1.VippsToken) { t.Spec.Targets[0].Annotations = keys(33) },
			"spec.targets[0].annotations: Too many: 33: must have at most 32 items"),
		Entry("a resource over 512 characters", func(t *v1alpha1.VippsToken) {
			t.Spec.Type = v1alpha1.TokenTypeLegacy
			t.Spec.Resource = "https://testapivipps.no/" + strings.Repeat("a", 500)
		}, "spec.resource: Too long: may not be more than 512"),
	)

	DescribeTable("rejects an endpoint, with a message that says what is wrong,",
		func(endpoint, message string) {
			rejects(func(t *v1alpha1.VippsToken) { t.Spec.Endpoint = endpoint }, message)
		},
		Entry("that is not a URL", "vipps-proxy:8080", "endpoint must be an absolute http or https URL"),
		Entry("with another scheme", "ftp://vipps-proxy", "endpoint must be an absolute http or https URL"),
		Entry("with a query", "https://proxy.example.com/?to=evil", "endpoint must not contain a query or a fragment"),
		Entry("with credentials in it", "https://user:secret@proxy.example.com", "endpoint must not contain a user name or password"),
		Entry("with a fragment", "https://proxy.example.com/#vipps", "endpoint must not contain a query or a fragment"),
		Entry("with a trailing space", "https://proxy.example.com ", "endpoint must be an absolute http or https URL"),
		Entry("without a scheme", "proxy.example.com", "endpoint must be an absolute http or https URL"),
		Entry("over 512 characters", "https://proxy.example.com/"+strings.Repeat("a", 500),
			"spec.endpoint: Too long: may not be more than 512"),
	)
	// What only a manifest can say: an empty string where the Go types omit one, a value of
	// the wrong type, a field that does not exist. Sent with strict field validation, as
	// kubectl sends it.
	DescribeTable("rejects a manifest, with a message that says what is wrong,",
		func(mutate func(spec map[string]any), message string) {
			manifest := asManifest(validToken(namespace))
			mutate(manifest.Object["spec"].(map[string]any))
			expectRejected(manifest, message)
		},
		Entry("an unknown field (a typo)", func(spec map[string]any) { spec["merchantSerial"] = "123456" },
			`unknown field "spec.merchantSerial"`),
		Entry("a missing environment", func(spec map[string]any) { delete(spec, "environment") },
			"spec.environment: Required value"),
		Entry("a missing credentials reference", func(spec map[string]any) { delete(spec, "credentialsSecretRef") },
			"spec.credentialsSecretRef: Required value"),
		Entry("a target without a name", func(spec map[string]any) {
			spec["targets"] = []any{map[string]any{"labels": map[string]any{"team": "payments"}}}
		}, "spec.targets[0].name: Required value"),
		Entry("a merchant serial number written as a number", func(spec map[string]any) {
			spec["merchantSerialNumber"] = int64(123456)
		}, "spec.merchantSerialNumber in body must be of type string"),
		Entry("an empty merchant serial number", func(spec map[string]any) { spec["merchantSerialNumber"] = "" },
			"spec.merchantSerialNumber in body should match '^[0-9]{4,6}$'"),
		Entry("an empty system name", func(spec map[string]any) {
			spec["systemInfo"] = map[string]any{"name": "", "version": "1.0.0"}
		}, "spec.systemInfo.name in body should be at least 1 chars long"),
		Entry("an empty plugin version", func(spec map[string]any) {
			spec["systemInfo"] = map[string]any{"pluginName": "acme-plugin", "pluginVersion": ""}
		}, "spec.systemInfo.pluginVersion in body should be at least 1 chars long"),
		Entry("an empty credentials key", func(spec map[string]any) {
			spec["credentialsSecretRef"] = map[string]any{"name": "vipps-credentials", "clientIDKey": ""}
		}, "spec.credentialsSecretRef.clientIDKey in body should be at least 1 chars long"),
		Entry("an empty endpoint", func(spec map[string]any) { spec["endpoint"] = "" },
			"endpoint must be an absolute http or https URL"),
		Entry("an empty resource for a Legacy token", func(spec map[string]any) {
			spec["type"], spec["resource"] = "Legacy", ""
		}, "spec.resource in body should be at least 1 chars long"),
		Entry("a renewBefore in words", func(spec map[string]any) {
			spec["refreshPolicy"] = map[string]any{"renewBefore": "10 minutes"}
		}, `spec.refreshPolicy.renewBefore: Invalid value: "10 minutes"`),
		Entry("a renewBefore in days", func(spec map[string]any) { spec["refreshPolicy"] = map[string]any{"renewBefore": "1d"} },
			`spec.refreshPolicy.renewBefore: Invalid value: "1d"`),
		Entry("a renewBefore without a unit", func(spec map[string]any) {
			spec["refreshPolicy"] = map[string]any{"renewBefore": "600"}
		}, `spec.refreshPolicy.renewBefore: Invalid value: "600"`),
		Entry("a minimum interval that is not a duration", func(spec map[string]any) {
			spec["refreshPolicy"] = map[string]any{"minimumInterval": "fast"}
		}, `spec.refreshPolicy.minimumInterval: Invalid value: "fast"`),
		Entry("a renewal percentage with a percent sign", func(spec map[string]any) {
			spec["refreshPolicy"] = map[string]any{"renewBeforePercentage": "33%"}
		}, "spec.refreshPolicy.renewBeforePercentage in body must be of type integer"),
		Entry("includeRequestHeaders as a string", func(spec map[string]any) {
			spec["targets"] = []any{map[string]any{"name": "vipps-token", "includeRequestHeaders": "true"}}
		}, "spec.targets[0].includeRequestHeaders in body must be of type boolean"),
	)

	It("describes every field for kubectl explain", func() {
		expectEveryFieldDescribed("vippstokens.tokens.vippsoperator.dev")
	})
})

// keys is a map of n distinct, valid label (and annotation) keys.
func keys(n int) map[string]string {
	out := make(map[string]string, n)
	for i := range n {
		out[fmt.Sprintf("example.com/key-%d", i)] = "value"
	}
	return out
}

// expectRejected creates obj, with strict field validation as kubectl sends it, and expects
// the API server to refuse it with message.
func expectRejected(obj client.Object, message string) {
	GinkgoHelper()
	err := k8sClient.Create(ctx, obj, client.FieldValidation("Strict"))
	Expect(err).To(HaveOccurred())
	Expect(err.Error()).To(ContainSubstring(message))
}

// asManifest is obj (a VippsToken or a ClusterVippsToken) as a user writes it: a map, in
// which anything can be set.
func asManifest(obj client.Object) *unstructured.Unstructured {
	GinkgoHelper()
	gvk, err := apiutil.GVKForObject(obj, k8sClient.Scheme())
	Expect(err).NotTo(HaveOccurred())
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	Expect(err).NotTo(HaveOccurred())
	manifest := &unstructured.Unstructured{Object: raw}
	manifest.SetGroupVersionKind(gvk)
	return manifest
}

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

// expectEveryFieldDescribed expects a description on every field of spec and status of the
// CRD named crdName, as the API server serves it.
func expectEveryFieldDescribed(crdName string) {
	GinkgoHelper()
	crd := &apiextensionsv1.CustomResourceDefinition{}
	Expect(k8sClient.Get(ctx, clientKey(crdName), crd)).To(Succeed())
	schema := crd.Spec.Versions[0].Schema.OpenAPIV3Schema
	Expect(undescribed("", schema.Properties["spec"])).To(BeEmpty())
	Expect(undescribed("", schema.Properties["status"])).To(BeEmpty())
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
