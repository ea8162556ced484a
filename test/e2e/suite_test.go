//go:build e2e

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

package e2e

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// The cluster and the images, as hack/e2e/run.sh hands them over.
var (
	k8s       client.Client
	clientset kubernetes.Interface
	kubectl   *installtest.Kubectl
	images    struct{ operator, fakeVipps, reader string }
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "End-to-end suite")
}

var _ = BeforeSuite(func() {
	images.operator = requiredEnv("E2E_OPERATOR_IMAGE")
	images.fakeVipps = requiredEnv("E2E_FAKE_VIPPS_IMAGE")
	images.reader = requiredEnv("E2E_READER_IMAGE")
	kubectl = &installtest.Kubectl{
		Path:         requiredEnv("E2E_KUBECTL"),
		Kubeconfig:   requiredEnv("KUBECONFIG"),
		FieldManager: "vipps-e2e",
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", kubectl.Kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(cfg, client.Options{Scheme: testenv.Scheme()})
	Expect(err).NotTo(HaveOccurred())
	clientset, err = kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
})

func requiredEnv(name string) string {
	GinkgoHelper()
	value := os.Getenv(name)
	Expect(value).NotTo(BeEmpty(), "%s is not set: run the suite with make e2e (hack/e2e/run.sh)", name)
	return value
}
