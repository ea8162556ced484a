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

// Package argocd tests the Argo CD resource customizations of VippsToken (health check and
// refresh action) and of ClusterVippsToken (health check), in argocd/resource_customizations,
// on the interpreter Argo CD runs them on, against objects that the real reconcilers brought
// into each phase, and captures those objects as the customizations' test data.
package argocd

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/suitetest"
)

// The suite runs the real reconcilers, of VippsTokens and of ClusterVippsTokens, in a manager
// against a real kube-apiserver and etcd, with the project's fake Vipps server behind an
// allowed endpoint, as internal/controller's suite does. Specs read through k8sClient, which
// goes to the API server directly.

// clusterResourceNamespace is the suite's --cluster-resource-namespace: the credentials of
// ClusterVippsTokens, and their VippsTokens, live there.
const clusterResourceNamespace = "vipps-cluster-resources"

// updateEnv, set to 1, makes the suite write what it captures into the customization's
// testdata instead of comparing the committed files with it.
const updateEnv = "UPDATE_ARGOCD_TESTDATA"

var (
	env       *envtest.Environment
	k8sClient client.Client

	fake       *fakevipps.Server
	fakeServer *httptest.Server

	suiteCtx context.Context
)

func updating() bool { return os.Getenv(updateEnv) == "1" }

func TestArgoCD(t *testing.T) {
	SetDefaultConsistentlyDuration(3 * time.Second)
	SetDefaultConsistentlyPollingInterval(200 * time.Millisecond)
	suitetest.Run(t, "Argo CD customizations of VippsToken and ClusterVippsToken", 15*time.Second, 100*time.Millisecond)
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	suiteCtx = context.Background()

	env, k8sClient = suitetest.StartAPIServer()
	fake, fakeServer = operatortest.StartFakeVipps()

	newNamespace(clusterResourceNamespace)
	operatortest.StartClusterOperator(suiteCtx, env, fakeServer.URL, clusterResourceNamespace)
})
