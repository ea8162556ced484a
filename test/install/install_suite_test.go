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
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/suitetest"
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

	kustomize string               // the kustomize binary
	kubectl   *installtest.Kubectl // kubectl as a cluster admin, as the installing user is
)

func TestInstall(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Installer")
}

var _ = BeforeSuite(func() {
	ctx = context.Background()
	kustomize = installtest.FindKustomize()

	env, k8sClient = suitetest.StartAPIServer()
	kubectl = installtest.AdminKubectl(env, "vipps-token-operator-installer")
})
