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

package helm

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

const crdName = "vippstokens.tokens.vippsoperator.dev"

// helmRelease runs helm against envtest's API server as the installing user, which must
// succeed.
func helmRelease(args ...string) {
	args = append(args, "--namespace", namespace, "--kubeconfig", kubectl.Kubeconfig)
	_, stderr, err := installtest.Run(helm, args...)
	Expect(err).NotTo(HaveOccurred(), stderr)
}

// liveCRD returns the VippsToken CRD as the API server has it, or nil when there is none.
func liveCRD() *apiextensionsv1.CustomResourceDefinition {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	err := k8sClient.Get(ctx, client.ObjectKey{Name: crdName}, crd)
	if apierrors.IsNotFound(err) {
		return nil
	}
	Expect(err).NotTo(HaveOccurred())
	return crd
}

// What crds.keep is for, with a real helm against a real API server: Helm upgrades a CRD
// that is a template (never one in crds/), and `helm uninstall` deletes it, and with it every
// VippsToken in the cluster, unless it carries the keep annotation.
var _ = Describe("A release", Ordered, func() {
	AfterAll(func() {
		_, _, _ = installtest.Run(helm, "uninstall", release, "--namespace", namespace, "--kubeconfig", kubectl.Kubeconfig)
		if crd := liveCRD(); crd != nil {
			Expect(k8sClient.Delete(ctx, crd)).To(Succeed())
		}
	})

	It("installs the CRD and the manager", func() {
		Expect(liveCRD()).To(BeNil(), "the suite's API server starts without the chart's CRD")
		helmRelease("install", release, chart)
		Expect(liveCRD().Annotations).To(HaveKeyWithValue(keepAnnotation, "keep"))
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: release + "-controller-manager"},
			&appsv1.Deployment{})).To(Succeed())
	})

	It("upgrades the CRD with the chart", func() {
		helmRelease("upgrade", release, chart, "--set", "crds.keep=false")
		Expect(liveCRD().Annotations).NotTo(HaveKey(keepAnnotation))
		helmRelease("upgrade", release, chart, "--set", "crds.keep=true")
		Expect(liveCRD().Annotations).To(HaveKeyWithValue(keepAnnotation, "keep"))
	})

	It("leaves the CRD behind on uninstall, and takes it back on the next install", func() {
		helmRelease("uninstall", release)
		Expect(liveCRD()).NotTo(BeNil())
		err := k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: release + "-controller-manager"},
			&appsv1.Deployment{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the rest of the release is gone: %v", err)

		helmRelease("install", release, chart)
	})

	It("deletes the CRD on uninstall with crds.keep off", func() {
		helmRelease("upgrade", release, chart, "--set", "crds.keep=false")
		helmRelease("uninstall", release)
		Eventually(liveCRD).Should(BeNil())
	})
})
