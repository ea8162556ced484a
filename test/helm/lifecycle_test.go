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

// helmRelease runs helm against envtest's API server as the installing user, which must
// succeed.
func helmRelease(args ...string) {
	args = append(args, "--namespace", namespace, "--kubeconfig", kubectl.Kubeconfig)
	_, stderr, err := installtest.Run(helm, args...)
	Expect(err).NotTo(HaveOccurred(), stderr)
}

// liveCRD returns the CRD of that name as the API server has it, or nil when there is none.
func liveCRD(name string) *apiextensionsv1.CustomResourceDefinition {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	err := k8sClient.Get(ctx, client.ObjectKey{Name: name}, crd)
	if apierrors.IsNotFound(err) {
		return nil
	}
	Expect(err).NotTo(HaveOccurred())
	return crd
}

// What crds.keep is for, with a real helm against a real API server: Helm upgrades a CRD
// that is a template (never one in crds/), and `helm uninstall` deletes it, and with it every
// VippsToken or ClusterVippsToken in the cluster, unless it carries the keep annotation.
var _ = Describe("A release", Ordered, func() {
	AfterAll(func() {
		_, _, _ = installtest.Run(helm, "uninstall", release, "--namespace", namespace, "--kubeconfig", kubectl.Kubeconfig)
		for _, name := range crdNames {
			if crd := liveCRD(name); crd != nil {
				Expect(k8sClient.Delete(ctx, crd)).To(Succeed())
			}
		}
	})

	It("installs the CRDs and the manager", func() {
		for _, name := range crdNames {
			Expect(liveCRD(name)).To(BeNil(), "the suite's API server starts without the chart's CRDs")
		}
		helmRelease("install", release, chart)
		for _, name := range crdNames {
			Expect(liveCRD(name).Annotations).To(HaveKeyWithValue(keepAnnotation, "keep"), name)
		}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: release + "-controller-manager"},
			&appsv1.Deployment{})).To(Succeed())
	})

	It("upgrades the CRDs with the chart", func() {
		helmRelease("upgrade", release, chart, "--set", "crds.keep=false")
		for _, name := range crdNames {
			Expect(liveCRD(name).Annotations).NotTo(HaveKey(keepAnnotation), name)
		}
		helmRelease("upgrade", release, chart, "--set", "crds.keep=true")
		for _, name := range crdNames {
			Expect(liveCRD(name).Annotations).To(HaveKeyWithValue(keepAnnotation, "keep"), name)
		}
	})

	It("leaves the CRDs behind on uninstall, and takes them back on the next install", func() {
		helmRelease("uninstall", release)
		for _, name := range crdNames {
			Expect(liveCRD(name)).NotTo(BeNil(), name)
		}
		err := k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: release + "-controller-manager"},
			&appsv1.Deployment{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "the rest of the release is gone: %v", err)

		helmRelease("install", release, chart)
	})

	It("deletes the CRDs on uninstall with crds.keep off", func() {
		helmRelease("upgrade", release, chart, "--set", "crds.keep=false")
		helmRelease("uninstall", release)
		for _, name := range crdNames {
			Eventually(liveCRD).WithArguments(name).Should(BeNil(), name)
		}
	})
})
