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

// Package testenv starts a real kube-apiserver and etcd (envtest) with the project's CRDs
// installed, for the Ginkgo suites of every package.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// modulePath is this repository's module, told apart from the modules nested in it.
const modulePath = "github.com/vipps-token-operator/vipps-token-operator"

// RepoRoot is the directory that holds this module's go.mod, found by walking up from the
// working directory: a test runs in its package's directory, the demo and the benchmark run
// from the repository (make demo, make bench). It panics elsewhere, since nothing that needs
// the CRDs, the samples or the scripts can run there.
func RepoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if goMod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declares(goMod, modulePath) {
			return dir
		}
		if filepath.Dir(dir) == dir {
			panic(fmt.Sprintf("no go.mod of %s in %s or above it: run from within the repository", modulePath, wd))
		}
	}
}

// declares is true when goMod's module directive names module.
func declares(goMod []byte, module string) bool {
	for line := range strings.Lines(string(goMod)) {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(name), `"`) == module
		}
	}
	return false
}

// Scheme knows the built-in kinds, CustomResourceDefinition and VippsToken.
func Scheme() *k8sruntime.Scheme {
	scheme := k8sruntime.NewScheme()
	for _, add := range []func(*k8sruntime.Scheme) error{
		clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, tokensv1alpha1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

// New returns an envtest environment with the generated CRDs. Its binaries come from
// KUBEBUILDER_ASSETS, as make test sets it; when a suite runs on its own (go test, an IDE),
// hack/envtest-assets.sh finds them, which is instant once they are cached.
func New() (*envtest.Environment, error) {
	assets, err := assetsDir()
	if err != nil {
		return nil, err
	}
	return &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: assets,
		Scheme:                Scheme(),
	}, nil
}

// Start starts env and returns a client of its Scheme for the cluster admin envtest creates.
// env.Config is that admin's, for a manager or another client. Stop env even when Start
// fails: the control plane may be half started.
func Start(env *envtest.Environment) (client.Client, error) {
	cfg, err := env.Start()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: env.Scheme})
}

func assetsDir() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	cmd := exec.Command(filepath.Join(RepoRoot(), "hack", "envtest-assets.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("finding envtest binaries with hack/envtest-assets.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
