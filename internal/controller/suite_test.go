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

package controller

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// The suite runs the real reconciler in a manager against a real kube-apiserver and etcd,
// with the project's fake Vipps server behind an allowed endpoint. Specs assert through
// k8sClient, which reads the API server directly (no cache), and through the fake's counters.

var (
	env       *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client

	fake       *fakevipps.Server
	fakeServer *httptest.Server

	suiteCtx    context.Context
	suiteCancel context.CancelFunc
	manager     *runningManager
)

// clusterResourceNamespace is the suite's --cluster-resource-namespace: the credentials of
// ClusterVippsTokens, and their VippsTokens, live there.
const clusterResourceNamespace = "vipps-cluster-resources"

// specTimeout bounds every Eventually in the suite: the reconciler acts within a second or
// two, so a few seconds of slack separate slowness from failure.
const specTimeout = 10 * time.Second

func TestController(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyTimeout(specTimeout)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	SetDefaultConsistentlyDuration(3 * time.Second)
	SetDefaultConsistentlyPollingInterval(200 * time.Millisecond)
	RunSpecs(t, "VippsToken controller")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true), zap.Level(zapcore.Level(-1))))
	suiteCtx, suiteCancel = context.WithCancel(context.Background())

	var err error
	env, err = testenv.New()
	Expect(err).NotTo(HaveOccurred())
	cfg, err = env.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: env.Scheme})
	Expect(err).NotTo(HaveOccurred())

	fake = fakevipps.NewServer(fakevipps.WithEnvironment(fakevipps.EnvironmentTest))
	fakeServer, err = fakevipps.Serve("127.0.0.1:0", fake)
	Expect(err).NotTo(HaveOccurred())

	Expect(k8sClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusterResourceNamespace}})).
		To(Succeed())
	manager = startManager()
})

var _ = AfterSuite(func() {
	if manager != nil {
		manager.stop()
	}
	if fakeServer != nil {
		fakeServer.Close()
	}
	suiteCancel()
	if env != nil {
		Expect(env.Stop()).To(Succeed())
	}
})

// Every spec talks to the fake through the same host, and what the reconciler believes of a
// host outlives the spec that took it down: each spec starts with every host up, as a new
// operator does.
var _ = BeforeEach(func() {
	DeferCleanup(func() { manager.hosts.reset() })
})

// runningManager is a manager running the reconciler, as the operator's main runs it.
type runningManager struct {
	// client reads through the manager's cache, as the reconciler does.
	client client.Client
	// hosts is what the reconciler knows of the Vipps hosts.
	hosts  *hostAvailability
	cancel context.CancelFunc
	done   chan struct{}
}

// managerOptions are what a spec may change of the manager that startManager starts.
type managerOptions struct {
	workers         int
	endpoints       []string
	rolloutRestarts bool
}

type managerOption func(*managerOptions)

// withWorkers runs n reconciles at once instead of 4.
func withWorkers(n int) managerOption { return func(o *managerOptions) { o.workers = n } }

// withEndpoints allows more base URLs, such as a spec's own server in front of the fake.
func withEndpoints(urls ...string) managerOption {
	return func(o *managerOptions) { o.endpoints = append(o.endpoints, urls...) }
}

// withoutRolloutRestarts runs the manager as one started without --enable-rollout-restarts.
func withoutRolloutRestarts() managerOption {
	return func(o *managerOptions) { o.rolloutRestarts = false }
}

// restartMinInterval is the suite's --rollout-restart-min-interval: long enough to see a
// restart wait for it, short enough to see it happen.
const restartMinInterval = 4 * time.Second

// startManager starts the reconciler with a short Vipps timeout, rollout restarts enabled,
// and with the fake's URL allowed as an endpoint.
func startManager(options ...managerOption) *runningManager {
	opts := managerOptions{workers: 4, rolloutRestarts: true}
	for _, o := range options {
		o(&opts)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  env.Scheme,
		Cache:   CacheOptions(nil),
		Metrics: metricsserver.Options{BindAddress: "0"},
		// A restarted manager registers the same controller name again in this process.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	Expect(err).NotTo(HaveOccurred())

	allowed := append([]string{fakeServer.URL, closedPortURL}, opts.endpoints...)
	endpoints, err := NewEndpointAllowList(append(allowed, DefaultAllowedEndpoints...))
	Expect(err).NotTo(HaveOccurred())
	reconciler, err := NewVippsTokenReconciler(mgr, Options{
		Vipps:                     vipps.NewClient(vipps.WithTimeout(2 * time.Second)),
		Endpoints:                 endpoints,
		MaxConcurrentReconciles:   opts.workers,
		RolloutRestarts:           opts.rolloutRestarts,
		RolloutRestartMinInterval: restartMinInterval,
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(reconciler.SetupWithManager(mgr)).To(Succeed())
	clusterReconciler, err := NewClusterVippsTokenReconciler(reconciler, clusterResourceNamespace)
	Expect(err).NotTo(HaveOccurred())
	Expect(clusterReconciler.SetupWithManager(mgr)).To(Succeed())

	ctx, cancel := context.WithCancel(suiteCtx)
	running := &runningManager{client: mgr.GetClient(), hosts: reconciler.hosts, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer GinkgoRecover()
		defer close(running.done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	return running
}

func (m *runningManager) stop() {
	m.cancel()
	Eventually(m.done).Should(BeClosed())
}
