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

package reliability

import (
	"fmt"
	"strconv"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// createTokens creates a namespace with a credentials Secret (fresh credentials registered
// with the suite's fake) and n VippsTokens that call it, as createTokensAt does.
func createTokens(cluster *localcluster.Cluster, namespace string, n int) fakevipps.Credentials {
	return createTokensAt(cluster, fake, fakeServer.URL, namespace, n)
}

// createTokensAt creates a namespace with a credentials Secret (fresh credentials registered
// with vipps, served at url) and n VippsTokens that renew after a third of their lifetime,
// each with one target that holds the request headers as well as the token.
func createTokensAt(
	cluster *localcluster.Cluster, vipps *fakevipps.Server, url, namespace string, n int,
) fakevipps.Credentials {
	c := cluster.Client
	Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
	creds := credentialstest.New()
	vipps.AddCredentials(creds)
	Expect(c.Create(ctx, credentialstest.Secret(namespace, "credentials", creds))).To(Succeed())
	for i := range n {
		Expect(c.Create(ctx, &tokensv1alpha1.VippsToken{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("token-%d", i), Namespace: namespace},
			Spec: tokensv1alpha1.VippsTokenSpec{
				TokenSettings: tokensv1alpha1.TokenSettings{
					Type:                 tokensv1alpha1.TokenTypeStandard,
					Environment:          tokensv1alpha1.EnvironmentTest,
					Endpoint:             url,
					MerchantSerialNumber: strconv.Itoa(100000 + i),
					RefreshPolicy:        &tokensv1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: time.Second}},
				},
				// tells the tokens' requests apart
				CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "credentials"},
				Targets: []tokensv1alpha1.TargetSecret{
					{Name: fmt.Sprintf("token-%d", i), IncludeRequestHeaders: true},
				},
			},
		})).To(Succeed())
	}
	return creds
}

// allReady succeeds when every VippsToken in namespace is Ready.
func allReady(g Gomega, c client.Client, namespace string, n int) {
	list := &tokensv1alpha1.VippsTokenList{}
	g.Expect(c.List(ctx, list, client.InNamespace(namespace))).To(Succeed())
	g.Expect(list.Items).To(HaveLen(n))
	for _, tok := range list.Items {
		g.Expect(meta.IsStatusConditionTrue(tok.Status.Conditions, tokensv1alpha1.ConditionReady)).To(BeTrue(), tok.Name)
	}
}

// targetTokens maps each target in namespace to the token it holds, and checks that none
// has expired.
func targetTokens(g Gomega, c client.Client, namespace string) map[string]string {
	list := &corev1.SecretList{}
	g.Expect(c.List(ctx, list, client.InNamespace(namespace),
		client.MatchingLabels{tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue})).To(Succeed())
	tokens := map[string]string{}
	for _, secret := range list.Items {
		expires, err := strconv.ParseInt(string(secret.Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(time.Now().Unix()).To(BeNumerically("<", expires), "Secret %s holds an expired token", secret.Name)
		tokens[secret.Name] = string(secret.Data[tokensv1alpha1.KeyAccessToken])
	}
	return tokens
}
