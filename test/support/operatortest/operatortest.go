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

// Package operatortest runs the operator's real reconciler in a Ginkgo suite: in a manager,
// against envtest's kube-apiserver, with the project's fake Vipps server behind an allowed
// endpoint, as test/argocd, test/rbac and internal/kubectlvipps do. It also builds the
// VippsTokens their specs create (test/support/credentialstest builds their credentials).
//
// What it starts, it stops when the suite ends, through DeferCleanup. Call StartFakeVipps and
// StartManager (or StartOperator) from BeforeSuite after suitetest.StartAPIServer, which stops
// the API server when the suite ends: cleanups run last registered first, so the manager
// stops first, then the fake Vipps server, then the API server.
package operatortest

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	// The Ginkgo and Gomega DSL, dot-imported as in the suites these helpers are part of.
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck
	. "github.com/onsi/gomega"    //nolint:staticcheck
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/controller"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// LeaderHandoverBound is how long a follower may take to take the Lease from a leader that
// stopped without releasing it, with cmd/main.go's leader election timing (controller-runtime's
// defaults): the lease duration (15 s) from when the follower saw the last renewal, and two of
// its retries (2 s, stretched by client-go's jitter up to 2.2 times): one to see that renewal,
// one to take the Lease. 3 s more cover a spec's polling and the API calls around it.
const LeaderHandoverBound = 15*time.Second + 2*(2*time.Second*22/10) + 3*time.Second

// StartFakeVipps starts a fake Vipps server for the test environment, and closes it when
// the suite ends. Specs register credentials with fake; VippsTokens call server.URL.
func StartFakeVipps() (fake *fakevipps.Server, server *httptest.Server) {
	fake = fakevipps.NewServer(fakevipps.WithEnvironment(fakevipps.EnvironmentTest))
	server, err := fakevipps.Serve("127.0.0.1:0", fake)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(server.Close)
	return fake, server
}

// SetupReconciler sets up the VippsTokenReconciler with mgr as cmd/main.go does, but calling
// Vipps through vippsClient, at endpoint only (the fake Vipps server), two tokens at a time;
// and, unless clusterResourceNamespace is empty, the ClusterVippsTokenReconciler with it.
func SetupReconciler(mgr ctrl.Manager, endpoint string, vippsClient controller.TokenFetcher,
	clusterResourceNamespace string) {
	GinkgoHelper()
	endpoints, err := controller.NewEndpointAllowList([]string{endpoint})
	Expect(err).NotTo(HaveOccurred())
	reconciler, err := controller.NewVippsTokenReconciler(mgr, controller.Options{
		Vipps: vippsClient, Endpoints: endpoints, MaxConcurrentReconciles: 2,
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(reconciler.SetupWithManager(mgr)).To(Succeed())
	if clusterResourceNamespace == "" {
		return
	}
	clusterReconciler, err := controller.NewClusterVippsTokenReconciler(reconciler, clusterResourceNamespace)
	Expect(err).NotTo(HaveOccurred())
	Expect(clusterReconciler.SetupWithManager(mgr)).To(Succeed())
}

// StartOperator runs the VippsToken reconciler in a manager of env's API server until the suite
// ends, as cmd/main.go wires it with --namespaces (all namespaces when none are given), calling
// Vipps at endpoint only (the fake Vipps server) with a short timeout.
func StartOperator(ctx context.Context, env *envtest.Environment, endpoint string, namespaces ...string) {
	GinkgoHelper()
	startOperator(ctx, env, endpoint, "", namespaces)
}

// StartClusterOperator runs both reconcilers as StartOperator does, in every namespace, as
// cmd/main.go wires them with --cluster-resource-namespace.
func StartClusterOperator(ctx context.Context, env *envtest.Environment, endpoint, clusterResourceNamespace string) {
	GinkgoHelper()
	startOperator(ctx, env, endpoint, clusterResourceNamespace, nil)
}

func startOperator(ctx context.Context, env *envtest.Environment, endpoint, clusterResourceNamespace string,
	namespaces []string) {
	GinkgoHelper()
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:  env.Scheme,
		Cache:   controller.CacheOptions(namespaces),
		Metrics: metricsserver.Options{BindAddress: "0"},
	})
	Expect(err).NotTo(HaveOccurred())
	SetupReconciler(mgr, endpoint, vipps.NewClient(vipps.WithTimeout(2*time.Second)), clusterResourceNamespace)
	StartManager(ctx, mgr)
}

// StartManager runs mgr in the background until the suite ends, and fails the suite if it stops
// with an error. When the suite ends, it stops mgr and waits until it has stopped, so that
// no reconcile is left running against a stopped API server.
func StartManager(ctx context.Context, mgr ctrl.Manager) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	DeferCleanup(func() {
		cancel()
		Eventually(done).Should(BeClosed())
	})
}

// StandardToken builds a Standard VippsToken of the test environment against endpoint, that
// reads its credentials from the Secret "vipps-credentials" and writes its token into the
// Secret target.
func StandardToken(namespace, name, endpoint, target string) *tokensv1alpha1.VippsToken {
	return &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: tokensv1alpha1.VippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{
				Type:        tokensv1alpha1.TokenTypeStandard,
				Environment: tokensv1alpha1.EnvironmentTest,
				Endpoint:    endpoint,
			},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
			Targets:              []tokensv1alpha1.TargetSecret{{Name: target}},
		},
	}
}

// ScrapeMetrics gets /metrics from a manager's secure metrics server at address, with bearer as
// its bearer token unless bearer is empty, and returns the status and the body. The certificate
// is not verified: the manager's is self-signed, as in a cluster without --metrics-cert-path.
func ScrapeMetrics(g Gomega, address, bearer string) (int, string) {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodGet, "https://"+address+"/metrics", nil)
	g.Expect(err).NotTo(HaveOccurred())
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	httpClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the manager's self-signed certificate
	}}
	defer httpClient.CloseIdleConnections()
	resp, err := httpClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	g.Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, string(body)
}
