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

package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/controller"
	"github.com/vipps-token-operator/vipps-token-operator/internal/tuning"
)

// options are the manager's flags. The defaults of the tuning flags are in internal/tuning,
// measured by the benchmark (make bench); README.md explains them.
type options struct {
	metricsAddr           string
	metricsSecure         bool
	metricsCertPath       string
	metricsCertName       string
	metricsCertKey        string
	enableHTTP2           bool
	probeAddr             string
	leaderElect           bool
	namespaces            stringList
	maxConcurrent         int
	kubeAPIQPS            float64
	kubeAPIBurst          int
	vippsTimeout          time.Duration
	vippsRateLimit        float64
	vippsRateBurst        int
	allowedEndpoints      stringList
	clusterResourceNS     string
	leaderElectionID      string
	leaderElectionNS      string
	leaderElectionRelease bool
	rolloutRestarts       bool
	rolloutRestartMin     time.Duration
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", "0",
		"The address the metrics endpoint binds to: :8443 for HTTPS, :8080 for HTTP, or 0 to disable it.")
	fs.BoolVar(&o.metricsSecure, "metrics-secure", true,
		"Serve metrics over HTTPS, to callers authenticated and authorised by the API server.")
	fs.StringVar(&o.metricsCertPath, "metrics-cert-path", "",
		"The directory that holds the metrics server's certificate; a self-signed one is generated when empty.")
	fs.StringVar(&o.metricsCertName, "metrics-cert-name", "tls.crt", "The metrics server's certificate file name.")
	fs.StringVar(&o.metricsCertKey, "metrics-cert-key", "tls.key", "The metrics server's key file name.")
	fs.BoolVar(&o.enableHTTP2, "enable-http2", false,
		"Serve metrics over HTTP/2 as well; off by default because of the HTTP/2 rapid reset CVEs.")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "The address the health probes bind to.")
	fs.BoolVar(&o.leaderElect, "leader-elect", false,
		"Elect a leader, so that of several replicas exactly one reconciles.")
	fs.StringVar(&o.leaderElectionID, "leader-election-id", "vipps-token-operator.vippsoperator.dev",
		"The name of the Lease used for leader election.")
	fs.StringVar(&o.leaderElectionNS, "leader-election-namespace", "",
		"The namespace of the leader election Lease; the Pod's own namespace when empty (required out of cluster).")
	fs.BoolVar(&o.leaderElectionRelease, "leader-election-release-on-cancel", true,
		"Give up the lease on shutdown, so that a new replica takes over at once.")
	fs.Var(&o.namespaces, "namespaces",
		"Comma-separated namespaces to watch; all namespaces when empty.")
	fs.IntVar(&o.maxConcurrent, "max-concurrent-reconciles", tuning.MaxConcurrentReconciles,
		"How many VippsTokens are reconciled at once.")
	fs.Float64Var(&o.kubeAPIQPS, "kube-api-qps", tuning.KubeAPIQPS,
		"Requests per second to the Kubernetes API server, on average; 0 for no limit in the client, which "+
			"leaves the API server's Priority and Fairness to share it out.")
	fs.IntVar(&o.kubeAPIBurst, "kube-api-burst", tuning.KubeAPIBurst,
		"Requests to the Kubernetes API server at once, at most, under a --kube-api-qps.")
	fs.DurationVar(&o.vippsTimeout, "vipps-timeout", tuning.VippsTimeout,
		"How long one token request to Vipps may take.")
	fs.Float64Var(&o.vippsRateLimit, "vipps-rate-limit", tuning.VippsRateLimit,
		"Token requests per second to Vipps, on average, for the whole operator.")
	fs.IntVar(&o.vippsRateBurst, "vipps-rate-burst", tuning.VippsRateBurst,
		"Token requests to Vipps at once, at most.")
	fs.BoolVar(&o.rolloutRestarts, "enable-rollout-restarts", false,
		"Restart a VippsToken's spec.rolloutRestartTargets after each new token. Needs the optional RBAC to get and "+
			"patch Deployments, StatefulSets and DaemonSets (config/rollout-restart, or the chart's rolloutRestarts.enabled).")
	fs.DurationVar(&o.rolloutRestartMin, "rollout-restart-min-interval", 5*time.Minute,
		"The least time between two restarts of a VippsToken's rolloutRestartTargets; a token that comes sooner waits.")
	fs.StringVar(&o.clusterResourceNS, "cluster-resource-namespace", "",
		"The namespace that holds the credentials Secrets of ClusterVippsTokens, and their VippsTokens; the "+
			"operator's own namespace when empty. Out of a cluster, ClusterVippsTokens are served only when it is set.")
	o.allowedEndpoints = append(stringList{}, controller.DefaultAllowedEndpoints...)
	fs.Var(&o.allowedEndpoints, "allowed-endpoints",
		"Comma-separated base URLs that a VippsToken's spec.endpoint may name. The official hosts are always "+
			"used for spec.environment; an endpoint outside this list gets the EndpointNotAllowed reason and no request.")
}

func (o *options) validate() error {
	switch {
	case o.maxConcurrent < 1:
		return fmt.Errorf("--max-concurrent-reconciles must be at least 1")
	case o.kubeAPIQPS < 0 || o.kubeAPIBurst < 1:
		return fmt.Errorf("--kube-api-qps must be positive, or 0 for no limit, and --kube-api-burst at least 1")
	case o.vippsRateLimit <= 0 || o.vippsRateBurst < 1:
		return fmt.Errorf("--vipps-rate-limit must be positive and --vipps-rate-burst at least 1")
	case o.vippsTimeout <= 0:
		return fmt.Errorf("--vipps-timeout must be positive")
	case o.rolloutRestartMin <= 0:
		return fmt.Errorf("--rollout-restart-min-interval must be positive")
	case o.clusterResourceNS != "" && len(o.namespaces) > 0 && !slices.Contains(o.namespaces, o.clusterResourceNS):
		return fmt.Errorf("--namespaces must include --cluster-resource-namespace %s, where ClusterVippsTokens keep "+
			"their credentials", o.clusterResourceNS)
	}
	return nil
}

// stringList is a comma-separated flag; setting it replaces the default.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(value string) error {
	*l = nil
	for item := range strings.SplitSeq(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}
