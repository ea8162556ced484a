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

// Package suitetest starts the project's Ginkgo suites: it runs their specs under go test
// with the Eventually defaults a suite asks for, and starts a real kube-apiserver and etcd
// (envtest) with the project's CRDs installed, which it stops when the suite ends. The suites
// of api/v1alpha1, internal/kubectlvipps, test/argocd, test/helm, test/install, test/rbac and
// test/reliability start this way.
package suitetest

import (
	"testing"
	"time"

	// The Ginkgo and Gomega DSL, dot-imported as in the suites these helpers are part of.
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck
	. "github.com/onsi/gomega"    //nolint:staticcheck
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// Run runs the suite's specs, described as description, failing t when an assertion fails.
// Eventually polls every poll for at most timeout, unless a spec says otherwise.
func Run(t *testing.T, description string, timeout, poll time.Duration) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(timeout)
	SetDefaultEventuallyPollingInterval(poll)
	RunSpecs(t, description)
}

// StartAPIServer starts envtest's kube-apiserver and etcd with the project's CRDs
// (testenv.New), once configure, if given, has changed the environment, and returns the
// environment and a client for the cluster admin envtest creates; env.Config is that admin's.
// Call it from BeforeSuite: it stops the environment when the suite ends, even one that failed
// half started, and fails the suite when the environment does not start.
func StartAPIServer(configure ...func(env *envtest.Environment)) (*envtest.Environment, client.Client) {
	GinkgoHelper()
	env, err := testenv.New()
	Expect(err).NotTo(HaveOccurred())
	for _, c := range configure {
		c(env)
	}
	DeferCleanup(env.Stop)
	k8sClient, err := testenv.Start(env)
	Expect(err).NotTo(HaveOccurred())
	return env, k8sClient
}
