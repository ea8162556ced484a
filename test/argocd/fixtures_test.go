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

package argocd

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

// The fixtures of internal/controller's suite, of which only what these specs need.
// Namespaces have fixed names, so that the captured objects do not change from one
// capture to the next for no reason.

// newNamespace creates the namespace of a spec.
func newNamespace(name string) string {
	return newLabelledNamespace(name, nil)
}

// newLabelledNamespace creates a namespace of a spec with labels.
func newLabelledNamespace(name string, labels map[string]string) string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	Expect(k8sClient.Create(suiteCtx, ns)).To(Succeed())
	return name
}

// newCredentials registers credentials of the spec's own with the fake, so that the fake's
// per-client counters count this spec's calls only, and stores them in a Secret.
func newCredentials(namespace, secretName string) fakevipps.Credentials {
	creds := credentialstest.New()
	fake.AddCredentials(creds)
	Expect(k8sClient.Create(suiteCtx, credentialstest.Secret(namespace, secretName, creds))).To(Succeed())
	return creds
}

// newToken builds a Standard VippsToken "shop" against the fake with one target,
// "shop-token". The short minimum interval lets specs use tokens that live seconds.
func newToken(namespace string) *tokensv1alpha1.VippsToken {
	tok := operatortest.StandardToken(namespace, "shop", fakeServer.URL, "shop-token")
	tok.TypeMeta = metav1.TypeMeta{APIVersion: tokensv1alpha1.GroupVersion.String(), Kind: tokenKind}
	tok.Spec.RefreshPolicy = &tokensv1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: time.Second}}
	return tok
}

// create creates tok (a VippsToken or a ClusterVippsToken, with its TypeMeta) and returns the
// API server's answer, which has no status yet. It is deleted when the spec ends, so that its
// renewals do not reach the fake during a later spec.
func create(tok client.Object) *unstructured.Unstructured {
	GinkgoHelper()
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tok)
	Expect(err).NotTo(HaveOccurred())
	obj := &unstructured.Unstructured{Object: content}
	Expect(k8sClient.Create(suiteCtx, obj)).To(Succeed())
	DeferCleanup(func() {
		Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, obj.DeepCopy()))).To(Succeed())
	})
	return obj
}

// withShortLifetime makes the fake issue tokens that live d for the rest of the spec.
func withShortLifetime(d time.Duration) {
	fake.SetLifetime(d)
	DeferCleanup(func() { fake.SetLifetime(0) })
}

// withOutage makes every token request fail with 503 for the rest of the spec.
func withOutage() {
	fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
	DeferCleanup(fake.ClearFaults)
}

// live reads the VippsToken "shop" as Argo CD does: the whole object, from the API server.
func live(g Gomega, namespace string) *unstructured.Unstructured {
	return liveObject(g, tokenKind, client.ObjectKey{Namespace: namespace, Name: "shop"})
}

// liveObject reads the object of kind at key as Argo CD does.
func liveObject(g Gomega, kind string, key client.ObjectKey) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(tokensv1alpha1.GroupVersion.WithKind(kind))
	g.Expect(k8sClient.Get(suiteCtx, key, obj)).To(Succeed())
	return obj
}

// eventuallyReady waits until the VippsToken "shop" has observed its spec and its Ready
// condition has the status and reason given, and returns it as it was then.
func eventuallyReady(namespace string, status metav1.ConditionStatus, reason string) *unstructured.Unstructured {
	GinkgoHelper()
	return eventuallyReadyIs(tokenKind, client.ObjectKey{Namespace: namespace, Name: "shop"}, status, reason, nil)
}

// eventuallyReadyIs waits until the object of kind at key has observed its spec, its Ready
// condition has the status and reason given and also (unless nil) settled holds, and returns
// it as it was then.
func eventuallyReadyIs(kind string, key client.ObjectKey, status metav1.ConditionStatus, reason string,
	settled func(Gomega, *unstructured.Unstructured)) *unstructured.Unstructured {
	GinkgoHelper()
	var obj *unstructured.Unstructured
	Eventually(func(g Gomega) {
		obj = liveObject(g, kind, key)
		tok := common(obj.Object)
		ready := meta.FindStatusCondition(tok.Status.Conditions, tokensv1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(status), ready.Message)
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
		g.Expect(tok.Status.ObservedGeneration).To(Equal(tok.Generation))
		if settled != nil {
			settled(g, obj)
		}
	}).Should(Succeed())
	return obj
}

// typed converts an object read or captured as unstructured into a VippsToken.
func typed(obj map[string]any) *tokensv1alpha1.VippsToken {
	GinkgoHelper()
	tok := &tokensv1alpha1.VippsToken{}
	Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(obj, tok)).To(Succeed())
	return tok
}

// commonToken is what a VippsToken and a ClusterVippsToken have in common, and what
// health.lua reads of either: the metadata, and the conditions and observed generation of
// the status.
type commonToken struct {
	metav1.ObjectMeta `json:"metadata"`
	Status            struct {
		Conditions         []metav1.Condition `json:"conditions"`
		ObservedGeneration int64              `json:"observedGeneration"`
	} `json:"status"`
}

// common converts a VippsToken or a ClusterVippsToken, read or captured as unstructured, into
// what they have in common.
func common(obj map[string]any) *commonToken {
	GinkgoHelper()
	tok := &commonToken{}
	Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(obj, tok)).To(Succeed())
	return tok
}

// setClientSecret changes the client secret in the credentials Secret.
func setClientSecret(namespace, value string) {
	GinkgoHelper()
	secret := &corev1.Secret{}
	key := client.ObjectKey{Namespace: namespace, Name: "vipps-credentials"}
	Expect(k8sClient.Get(suiteCtx, key, secret)).To(Succeed())
	patch := client.MergeFrom(secret.DeepCopy())
	secret.Data["client-secret"] = []byte(value)
	Expect(k8sClient.Patch(suiteCtx, secret, patch)).To(Succeed())
}
