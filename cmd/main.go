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

// Command manager runs the vipps-token-operator.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	// Import all Kubernetes client auth plugins (e.g. Azure, GCP, OIDC) for out-of-cluster use.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/controller"
	"github.com/vipps-token-operator/vipps-token-operator/internal/tuning"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

// The kubelet stops a Pod with SIGTERM, and with SIGKILL after its grace period
// (terminationGracePeriodSeconds: 10 in config/ and in the chart). The manager ends well
// within it, whatever it is doing.
const (
	// gracefulShutdownTimeout bounds the wait for the workers, caches and servers after SIGTERM.
	// A reconcile in flight ends through its context within milliseconds, Vipps request and
	// API call alike; the bound is for whatever does not.
	gracefulShutdownTimeout = 5 * time.Second
	// shutdownDeadline bounds the whole shutdown. After the workers the manager gives up its
	// leader election lease, and that may wait for the renew deadline (10 s) when the API
	// server does not answer: the deadline ends the process first, with a word in the log.
	shutdownDeadline = 8 * time.Second
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(tokensv1alpha1.AddToScheme(scheme))
}

func main() {
	var opts options
	opts.bind(flag.CommandLine)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	capped := capVerbosity(&zapOpts)
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	if capped {
		setupLog.Info("Capped the log verbosity: above it, client-go logs HTTP bodies and headers, "+
			"which hold credentials and tokens", "verbosity", maxVerbosity)
	}

	if err := run(opts); err != nil {
		setupLog.Error(err, "Manager stopped")
		os.Exit(1)
	}
}

func run(opts options) error {
	if err := opts.validate(); err != nil {
		return err
	}
	endpoints, err := controller.NewEndpointAllowList(opts.allowedEndpoints)
	if err != nil {
		return err
	}

	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("loading the kubeconfig: %w", err)
	}
	tuning.LimitKubeClient(cfg, opts.kubeAPIQPS, opts.kubeAPIBurst)

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Cache:                         controller.CacheOptions(opts.namespaces),
		Metrics:                       metricsOptions(opts),
		HealthProbeBindAddress:        opts.probeAddr,
		LeaderElection:                opts.leaderElect,
		LeaderElectionID:              opts.leaderElectionID,
		LeaderElectionNamespace:       opts.leaderElectionNS,
		LeaderElectionReleaseOnCancel: opts.leaderElectionRelease, // safe: the process ends when the manager does
		GracefulShutdownTimeout:       new(gracefulShutdownTimeout),
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}

	recorder, stopEvents, err := startEventRecorder(cfg, scheme)
	if err != nil {
		return err
	}
	defer stopEvents()
	reconciler, err := controller.NewVippsTokenReconciler(mgr, controller.Options{
		Vipps: vipps.NewClient(vipps.WithTimeout(opts.vippsTimeout),
			vipps.WithRateLimit(opts.vippsRateLimit, opts.vippsRateBurst)),
		Endpoints:                 endpoints,
		Namespaces:                opts.namespaces,
		MaxConcurrentReconciles:   opts.maxConcurrent,
		RolloutRestarts:           opts.rolloutRestarts,
		RolloutRestartMinInterval: opts.rolloutRestartMin,
		Events:                    recorder,
	})
	if err == nil {
		err = reconciler.SetupWithManager(mgr)
	}
	if err != nil {
		return fmt.Errorf("setting up the VippsToken controller: %w", err)
	}
	if err := setupClusterVippsTokens(mgr, reconciler, opts); err != nil {
		return fmt.Errorf("setting up the ClusterVippsToken controller: %w", err)
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}

	setupLog.Info("Starting manager", "namespaces", opts.namespaces, "allowedEndpoints", opts.allowedEndpoints)
	ctx := ctrl.SetupSignalHandler()
	go exitAfter(ctx, shutdownDeadline)
	return mgr.Start(ctx)
}

// setupClusterVippsTokens serves ClusterVippsTokens from the cluster resource namespace: the
// flag's, or else the Pod's own. An operator limited to --namespaces serves them only when
// told where, as one out of a cluster does.
func setupClusterVippsTokens(mgr ctrl.Manager, tokens *controller.VippsTokenReconciler, opts options) error {
	namespace := opts.clusterResourceNS
	if namespace == "" && len(opts.namespaces) == 0 {
		namespace = podNamespace()
	}
	if namespace == "" {
		setupLog.Info("Not serving ClusterVippsTokens: --cluster-resource-namespace is not set")
		return nil
	}
	reconciler, err := controller.NewClusterVippsTokenReconciler(tokens, namespace)
	if err != nil {
		return err
	}
	setupLog.Info("Serving ClusterVippsTokens", "clusterResourceNamespace", namespace)
	return reconciler.SetupWithManager(mgr)
}

// podNamespace is the namespace of the Pod the operator runs in, from its ServiceAccount
// token's mount, as client-go's in-cluster configuration finds it; empty out of a cluster.
func podNamespace() string {
	namespace, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(namespace))
}

// exitAfter ends the process deadline after ctx ends, unless it ended before.
func exitAfter(ctx context.Context, deadline time.Duration) {
	<-ctx.Done()
	time.Sleep(deadline)
	setupLog.Error(errors.New("shutdown deadline exceeded"), "The manager did not stop in time; exiting",
		"deadline", deadline)
	os.Exit(1)
}

// metricsOptions serves metrics as the kubebuilder scaffold does: HTTPS with the API
// server's authentication and authorisation, and no HTTP/2 unless asked for.
func metricsOptions(opts options) metricsserver.Options {
	server := metricsserver.Options{BindAddress: opts.metricsAddr, SecureServing: opts.metricsSecure}
	if !opts.enableHTTP2 {
		server.TLSOpts = append(server.TLSOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	if opts.metricsSecure {
		server.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	if opts.metricsCertPath != "" {
		server.CertDir, server.CertName, server.KeyName = opts.metricsCertPath, opts.metricsCertName, opts.metricsCertKey
	}
	return server
}
