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
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// newNamespace creates a namespace of the spec's own.
func newNamespace() string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "vt-"}}
	Expect(k8sClient.Create(suiteCtx, ns)).To(Succeed())
	return ns.Name
}

// newCredentials registers credentials of the spec's own with the fake, so that the fake's
// per-client counters count this spec's calls only, and stores them in a Secret.
func newCredentials(namespace, secretName string) fakevipps.Credentials {
	creds := fakevipps.Credentials{
		ClientID:         fmt.Sprintf("%s-%s-4%s-8%s-%s", randomHex(4), randomHex(2), randomHex(2)[1:], randomHex(2)[1:], randomHex(6)),
		ClientSecret:     "c2VjcmV0+" + randomHex(12) + "/==",
		SubscriptionKeys: []string{randomHex(16), randomHex(16)},
		Partner:          true,
	}
	fake.AddCredentials(creds)
	Expect(k8sClient.Create(suiteCtx, credentialsSecret(namespace, secretName, creds))).To(Succeed())
	return creds
}

func credentialsSecret(namespace, name string, creds fakevipps.Credentials) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		StringData: map[string]string{
			"client-id":        creds.ClientID,
			"client-secret":    creds.ClientSecret,
			"subscription-key": creds.SubscriptionKeys[0],
		},
	}
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newToken builds a Standard VippsToken against the fake with one target, "<name>-token".
// The short minimum interval lets specs use tokens that live seconds.
func newToken(namespace, name, credentialsSecret string) *tokensv1alpha1.VippsToken {
	return &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: tokensv1alpha1.VippsTokenSpec{
			Type:                 tokensv1alpha1.TokenTypeStandard,
			Environment:          tokensv1alpha1.EnvironmentTest,
			Endpoint:             fakeServer.URL,
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: credentialsSecret},
			Targets:              []tokensv1alpha1.TargetSecret{{Name: name + "-token"}},
			RefreshPolicy:        &tokensv1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: time.Second}},
		},
	}
}

// create creates tok and deletes it when the spec ends, so that no renewal of an earlier
// spec reaches the fake during a later one.
func create(tok *tokensv1alpha1.VippsToken) {
	Expect(k8sClient.Create(suiteCtx, tok)).To(Succeed())
	DeferCleanup(func() {
		Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, tok))).To(Succeed())
	})
}

// withShortLifetime makes the fake issue tokens that live d for the rest of the spec.
func withShortLifetime(d time.Duration) {
	fake.SetLifetime(d)
	DeferCleanup(func() { fake.SetLifetime(0) })
}

func getToken(namespace, name string) *tokensv1alpha1.VippsToken {
	tok := &tokensv1alpha1.VippsToken{}
	Expect(k8sClient.Get(suiteCtx, types.NamespacedName{Namespace: namespace, Name: name}, tok)).To(Succeed())
	return tok
}

func getSecret(g Gomega, namespace, name string) *corev1.Secret {
	secret := &corev1.Secret{}
	g.Expect(k8sClient.Get(suiteCtx, types.NamespacedName{Namespace: namespace, Name: name}, secret)).To(Succeed())
	return secret
}

// condition returns tok's condition of the type, or an empty one.
func condition(tok *tokensv1alpha1.VippsToken, conditionType string) metav1.Condition {
	if c := meta.FindStatusCondition(tok.Status.Conditions, conditionType); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// eventuallyReady waits for Ready=True with the reason given and returns the VippsToken.
func eventuallyReady(namespace, name, reason string) *tokensv1alpha1.VippsToken {
	return eventuallyReadyIs(metav1.ConditionTrue, namespace, name, reason)
}

// eventuallyNotReady waits for Ready=False with the reason given and returns the VippsToken.
func eventuallyNotReady(namespace, name, reason string) *tokensv1alpha1.VippsToken {
	return eventuallyReadyIs(metav1.ConditionFalse, namespace, name, reason)
}

func eventuallyReadyIs(status metav1.ConditionStatus, namespace, name, reason string) *tokensv1alpha1.VippsToken {
	var tok *tokensv1alpha1.VippsToken
	Eventually(func(g Gomega) {
		tok = &tokensv1alpha1.VippsToken{}
		g.Expect(k8sClient.Get(suiteCtx, types.NamespacedName{Namespace: namespace, Name: name}, tok)).To(Succeed())
		ready := condition(tok, tokensv1alpha1.ConditionReady)
		g.Expect(ready.Status).To(Equal(status), ready.Message)
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
		g.Expect(tok.Status.ObservedGeneration).To(Equal(tok.Generation))
	}).Should(Succeed())
	return tok
}

// accessToken reads the token a target holds.
func accessToken(g Gomega, namespace, name string) string {
	return string(getSecret(g, namespace, name).Data[tokensv1alpha1.KeyAccessToken])
}
