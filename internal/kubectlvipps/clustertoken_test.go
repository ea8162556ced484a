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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

// createClusterWithStatus creates a ClusterVippsToken named prefix and a suffix, that writes
// its token into target, and gives it status. Since status shows it whatever the namespace, it
// is deleted when the spec ends, so that the other specs do not see it.
func createClusterWithStatus(ctx context.Context, prefix, target string,
	status tokensv1alpha1.ClusterVippsTokenStatus) *tokensv1alpha1.ClusterVippsToken {
	GinkgoHelper()
	cvt := &tokensv1alpha1.ClusterVippsToken{
		ObjectMeta: metav1.ObjectMeta{GenerateName: prefix},
		Spec: tokensv1alpha1.ClusterVippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{
				Type: tokensv1alpha1.TokenTypeStandard, Environment: tokensv1alpha1.EnvironmentTest, Endpoint: fakeServer,
			},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
			NamespaceSelector:    metav1.LabelSelector{MatchLabels: map[string]string{"vipps": "shared"}},
			Target:               tokensv1alpha1.TargetSecret{Name: target},
		},
	}
	Expect(k8sClient.Create(ctx, cvt)).To(Succeed())
	DeferCleanup(func(ctx SpecContext) {
		Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, cvt))).To(Succeed())
	})
	cvt.Status = status
	Expect(k8sClient.Status().Update(ctx, cvt)).To(Succeed())
	return cvt
}

// controlledBy is the owner reference that the operator puts on what it makes for cvt.
func controlledBy(cvt *tokensv1alpha1.ClusterVippsToken) metav1.OwnerReference {
	return *metav1.NewControllerRef(cvt, tokensv1alpha1.GroupVersion.WithKind(clusterVippsTokenKind.kind))
}

// createChild creates the VippsToken that obtains cvt's token, as the operator makes it. The
// operator makes it in the cluster resource namespace; to the plugin, ns is as good.
func createChild(ctx context.Context, ns string, cvt *tokensv1alpha1.ClusterVippsToken) *tokensv1alpha1.VippsToken {
	GinkgoHelper()
	child := operatortest.StandardToken(ns, cvt.Name, fakeServer, cvt.Name+"-token")
	child.Labels = map[string]string{tokensv1alpha1.LabelClusterVippsToken: cvt.Name}
	child.OwnerReferences = []metav1.OwnerReference{controlledBy(cvt)}
	Expect(k8sClient.Create(ctx, child)).To(Succeed())
	return child
}
