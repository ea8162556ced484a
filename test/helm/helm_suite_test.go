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

// Package helm tests the Helm chart in charts/vipps-token-operator: that helm lint passes,
// that every rendering is accepted by a real kube-apiserver, that its defaults install what
// dist/install.yaml installs, that values.schema.json refuses mistyped values, and that the
// manager accepts every flag the chart passes it.
package helm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/suitetest"
)

// The suite renders the chart with the helm binary that `make helm` builds at the Makefile's
// pinned version (HELM, which make test sets, or bin/helm), and hands each rendering to
// kubectl against envtest's kube-apiserver. The API server holds the Prometheus Operator's
// ServiceMonitor and PrometheusRule CRDs and not the operator's own, so that the chart's CRD
// is created, as on a first install. kustomize builds dist/install.yaml to compare with, as
// test/install does.

const (
	// release and namespace are those a release must have to get dist/install.yaml's names.
	release   = "vipps-token-operator"
	namespace = "vipps-token-operator-system"
	// leaseNamespace is another namespace, for manager.leaderElection.namespace.
	leaseNamespace = "vipps-leases"
)

var (
	env       *envtest.Environment
	k8sClient client.Client
	ctx       context.Context

	helm      string               // the helm binary
	kustomize string               // the kustomize binary
	kubectl   *installtest.Kubectl // kubectl as a cluster admin, as the installing user is
	chart     string               // the chart's directory
)

func TestHelm(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Helm chart")
}

var _ = BeforeSuite(func() {
	ctx = context.Background()
	helm = findHelm()
	kustomize = installtest.FindKustomize()
	chart = filepath.Join(testenv.RepoRoot(), "charts", "vipps-token-operator")

	env, k8sClient = suitetest.StartAPIServer(func(env *envtest.Environment) {
		env.CRDDirectoryPaths = monitoringCRDs()
	})
	kubectl = installtest.AdminKubectl(env, "helm")

	// `helm install --create-namespace` creates the namespace without labels; the chart's
	// README asks for the restricted Pod Security Standard, which dist/install.yaml's
	// Namespace enforces. Enforcing it here makes the dry runs report a pod that breaks it.
	restricted := map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}
	for _, name := range []string{namespace, leaseNamespace} {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: restricted}}
		Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	}
})

// findHelm returns $HELM or bin/helm, and fails the suite when it is not there: a chart
// that is never rendered must not pass for a tested one.
func findHelm() string {
	path := os.Getenv("HELM")
	if path == "" {
		path = filepath.Join(testenv.RepoRoot(), "bin", "helm")
	}
	_, err := os.Stat(path)
	Expect(err).NotTo(HaveOccurred(),
		"no helm at %s: run `make helm` (it builds the pinned version into bin/), or set HELM", path)
	return path
}
