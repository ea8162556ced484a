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
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

var _ = Describe("A new VippsToken", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("fills every target with the token and reports Ready, for one Vipps call", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace, "webshop", "vipps-credentials")
		tok.Spec.MerchantSerialNumber = "123456"
		tok.Spec.SystemInfo = &tokensv1alpha1.SystemInfo{Name: "acme-webshop", Version: "2.4.1"}
		tok.Spec.Targets = []tokensv1alpha1.TargetSecret{
			{Name: "plain"},
			{Name: "with-headers", IncludeRequestHeaders: true, Labels: map[string]string{"team": "payments"}},
		}
		create(tok)

		tok = eventuallyReady(namespace, "webshop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1), "one Vipps call serves all targets")

		By("status describes the token and never holds it")
		Expect(tok.Status.ExpiresAt).NotTo(BeNil())
		Expect(tok.Status.RenewalTime.Time).To(BeTemporally("<", tok.Status.ExpiresAt.Time))
		Expect(tok.Status.LastRefreshTime).NotTo(BeNil())
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))

		plain := getSecret(Default, namespace, "plain")
		withHeaders := getSecret(Default, namespace, "with-headers")
		token := string(plain.Data[tokensv1alpha1.KeyAccessToken])
		Expect(token).To(HavePrefix("ey"))
		Expect(withHeaders.Data[tokensv1alpha1.KeyAccessToken]).To(BeEquivalentTo(token))

		By("each target holds the token, the header value, its type and its expiry")
		expiry := tok.Status.ExpiresAt.Time
		for _, secret := range []*corev1.Secret{plain, withHeaders} {
			Expect(secret.Type).To(Equal(corev1.SecretTypeOpaque))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyAuthorization, []byte("Bearer "+token)))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyTokenType, []byte("Bearer")))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyExpiresAt, []byte(expiry.UTC().Format(time.RFC3339))))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyExpiresAtUnix, []byte(strconv.FormatInt(expiry.Unix(), 10))))
			Expect(secret.Labels).To(HaveKeyWithValue(tokensv1alpha1.LabelManagedBy, tokensv1alpha1.ManagedByValue))
			Expect(secret.Annotations).To(HaveKeyWithValue(tokensv1alpha1.AnnotationExpiresAt, expiry.UTC().Format(time.RFC3339)))
			Expect(secret.Annotations).To(HaveKey(tokensv1alpha1.AnnotationDataHash))
			Expect(metav1.IsControlledBy(secret, tok)).To(BeTrue(), "a controller owner reference to the VippsToken")
		}

		By("only the target that asks for them holds the request headers")
		Expect(plain.Data).NotTo(HaveKey(tokensv1alpha1.KeySubscriptionKey))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeySubscriptionKey, []byte(creds.SubscriptionKeys[0])))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyMerchantSerialNumber, []byte("123456")))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeySystemName, []byte("acme-webshop")))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeySystemVersion, []byte("2.4.1")))
		Expect(withHeaders.Data).NotTo(HaveKey(tokensv1alpha1.KeySystemPluginName))
		Expect(withHeaders.Labels).To(HaveKeyWithValue("team", "payments"))
	})

	It("fetches a Partner token without a subscription key and writes none", func() {
		creds := newCredentials(namespace, "partner-credentials")
		tok := newToken(namespace, "partner", "partner-credentials")
		tok.Spec.Type = tokensv1alpha1.TokenTypePartner
		tok.Spec.Targets[0].IncludeRequestHeaders = true
		create(tok)

		eventuallyReady(namespace, "partner", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		Expect(getSecret(Default, namespace, "partner-token").Data).NotTo(HaveKey(tokensv1alpha1.KeySubscriptionKey))
	})

	It("caches only the Secrets it manages, not the credentials nor anybody else's", func() {
		newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "cached", "vipps-credentials"))
		eventuallyReady(namespace, "cached", tokensv1alpha1.ReasonTokenValid)

		key := func(name string) types.NamespacedName { return types.NamespacedName{Namespace: namespace, Name: name} }
		Expect(manager.client.Get(suiteCtx, key("cached-token"), &corev1.Secret{})).To(Succeed())
		Expect(apierrors.IsNotFound(manager.client.Get(suiteCtx, key("vipps-credentials"), &corev1.Secret{}))).To(BeTrue(),
			"the credentials Secret is not in the manager's cache")
	})
})
