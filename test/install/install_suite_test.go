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

// Package install tests the installer, dist/install.yaml as `make build-installer` writes
// it: every object in it must be accepted by a real kube-apiserver as it is.
package install

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// The suite builds the installer the way `make build-installer` does (kustomize build
// config/default), from a copy of config/ so that it can also build the optional variants
// and never edits the working tree, and hands it to kubectl as an installer would, against
// envtest's kube-apiserver. Set INSTALL_YAML to test a file built already instead:
//
//	make build-installer && INSTALL_YAML=$PWD/dist/install.yaml go test ./test/install
//
// kustomize is bin/kustomize, installed by `make kustomize` when the suite starts (a no-op
// once it is there); set KUSTOMIZE to use another. kubectl is envtest's, from the same
// directory as kube-apiserver.

var (
	env       *envtest.Environment
	k8sClient client.Client
	ctx       context.Context

	kustomize  string // the kustomize binary
	kubectl    string // the kubectl binary
	kubeconfig string // a kubeconfig for a cluster admin, as the installing user is
)

func TestInstall(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Installer")
}

var _ = BeforeSuite(func() {
	ctx = context.Background()
	kustomize = findKustomize()

	var err error
	env, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	cfg, err := env.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: env.Scheme})
	Expect(err).NotTo(HaveOccurred())

	kubectl = filepath.Join(env.BinaryAssetsDirectory, "kubectl")
	Expect(kubectl).To(BeAnExistingFile(), "hack/envtest-assets.sh puts kubectl next to kube-apiserver")
	admin, err := env.AddUser(envtest.User{Name: "installer", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	contents, err := admin.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kubeconfig = filepath.Join(GinkgoT().TempDir(), "installer.kubeconfig")
	Expect(os.WriteFile(kubeconfig, contents, 0o600)).To(Succeed())
})

var _ = AfterSuite(func() {
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})

// findKustomize returns $KUSTOMIZE, or bin/kustomize after `make kustomize` made sure it
// is there at the Makefile's pinned version.
func findKustomize() string {
	if path := os.Getenv("KUSTOMIZE"); path != "" {
		return path
	}
	cmd := exec.Command("make", "--no-print-directory", "kustomize")
	cmd.Dir = testenv.RepoRoot()
	cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
	Expect(cmd.Run()).To(Succeed(), "make kustomize")
	return filepath.Join(testenv.RepoRoot(), "bin", "kustomize")
}

// run runs a command and returns its stdout and stderr apart.
func run(name string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	GinkgoWriter.Printf("$ %s %v\n%s%s", filepath.Base(name), args, out.String(), errOut.String())
	return out.String(), errOut.String(), err
}
