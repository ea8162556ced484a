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
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// The refresh action as the Argo CD API server runs it (server/application/application.go,
// RunResourceActionV2): discovery offers it, action.lua runs on the live object with the
// standard libraries closed, and the live object is patched with the JSON merge patch from
// it to what the action returned (patchResource; no status subresource patch, as the
// action leaves status alone).
var _ = Describe("The refresh action on live VippsTokens", func() {
	It("is offered, and each run brings exactly one token request", func() {
		namespace := newNamespace("refresh")
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace)
		// An empty object, which Lua hands back as an empty array and Argo CD has to repair:
		// the patch proves that the replica repairs it as Argo CD does.
		tok.Spec.SystemInfo = &tokensv1alpha1.SystemInfo{}
		create(tok)
		obj := eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
		captureAction("vippstoken.yaml", obj)
		if updating() {
			// What the action must return: the object, with the annotation and nothing else changed.
			refreshed := stripped(obj)
			Expect(unstructured.SetNestedField(refreshed, placeholderRefresh,
				"metadata", "annotations", tokensv1alpha1.AnnotationRefresh)).To(Succeed())
			writeCapture(tokenKind, "actions/testdata/vippstoken-refreshed.yaml",
				"# vippstoken.yaml as the refresh action must return it; written by test/argocd with it.\n", refreshed)
		}

		for run := 1; run <= 2; run++ {
			By(fmt.Sprintf("run %d", run))
			expectOffered(obj, false)
			before := fake.CallsBy(creds.ClientID)
			value := runRefresh(obj)
			Eventually(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(before + 1))
			// os.date counts whole seconds: this also makes the next run's value a new one.
			Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(before + 1))
			obj = eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
			Expect(typed(obj.Object).Status.LastRefreshRequest).To(Equal(value))
		}
	})

	It("is disabled while the VippsToken is being deleted, when running it would do nothing", func() {
		namespace := newNamespace("deleting")
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace)
		tok.Finalizers = []string{"test.vippsoperator.dev/hold"}
		create(tok)
		DeferCleanup(func() {
			obj := live(Default, namespace)
			obj.SetFinalizers(nil)
			Expect(k8sClient.Update(suiteCtx, obj)).To(Succeed())
		})
		eventuallyReady(namespace, metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid)
		Expect(k8sClient.Delete(suiteCtx, live(Default, namespace))).To(Succeed())
		obj := live(Default, namespace)
		Expect(obj.GetDeletionTimestamp()).NotTo(BeNil())

		expectOffered(obj, true)
		captureAction("vippstoken-deleting.yaml", obj)

		By("the operator ignores a refresh requested all the same")
		before := fake.CallsBy(creds.ClientID)
		runRefresh(obj)
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(before))
	})
})

// expectOffered checks that discovery offers refresh, disabled or not, in both library modes.
func expectOffered(obj *unstructured.Unstructured, disabled bool) {
	GinkgoHelper()
	for _, mode := range libModes {
		offered, err := executeDiscovery(obj.Object, mustReadScript(tokenKind, discoveryScript), mode.openLibs)
		Expect(err).NotTo(HaveOccurred())
		Expect(offered).To(ConsistOf(resourceAction{Name: "refresh", Disabled: disabled}), mode.name)
	}
}

// runRefresh runs the refresh action on obj and patches the live object as Argo CD does,
// and returns the annotation's new value. The patch must set that annotation and nothing else.
func runRefresh(obj *unstructured.Unstructured) string {
	GinkgoHelper()
	returned, err := executeAction(obj.Object, mustReadScript(tokenKind, refreshScript), false)
	Expect(err).NotTo(HaveOccurred())
	newObj := &unstructured.Unstructured{Object: returned}
	value := newObj.GetAnnotations()[tokensv1alpha1.AnnotationRefresh]

	patch, err := client.MergeFrom(obj).Data(newObj)
	Expect(err).NotTo(HaveOccurred())
	onlyTheAnnotation := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, tokensv1alpha1.AnnotationRefresh, value)
	Expect(patch).To(MatchJSON(onlyTheAnnotation))
	Expect(k8sClient.Patch(suiteCtx, newObj, client.RawPatch(types.MergePatchType, patch))).To(Succeed())
	return value
}
