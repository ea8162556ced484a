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

// Package tuning holds the defaults of the manager's tuning flags, and the limit of its
// events client. The manager (cmd/options.go, cmd/events.go) and the benchmark (cmd/bench),
// which measured them and runs the manager and its baseline with them, read them from here.
package tuning

import (
	"time"

	"k8s.io/client-go/rest"
)

const (
	// MaxConcurrentReconciles is --max-concurrent-reconciles: VippsTokens reconciled at once.
	MaxConcurrentReconciles = 10
	// KubeAPIQPS is --kube-api-qps: requests per second to the Kubernetes API server, on
	// average; 0 for no limit in the client (see LimitKubeClient).
	KubeAPIQPS = 0.0
	// KubeAPIBurst is --kube-api-burst: requests to the Kubernetes API server at once, at
	// most, under a --kube-api-qps.
	KubeAPIBurst = 100
	// EventsQPS and EventsBurst limit the client that sends the reconcilers' events (no flag):
	// at most EventsQPS a second on average and EventsBurst at once. Events trail the writes
	// they report, and their backlog after a cold start of N VippsTokens drains in at most
	// N/EventsQPS seconds; real renewals (tokens of 15 minutes to 24 hours) bring about one
	// a second for 1000 VippsTokens.
	EventsQPS   = 20
	EventsBurst = 50
	// VippsTimeout is --vipps-timeout: how long one token request to Vipps may take.
	VippsTimeout = 10 * time.Second
	// VippsRateLimit is --vipps-rate-limit: token requests per second to Vipps, on average.
	VippsRateLimit = 300.0
	// VippsRateBurst is --vipps-rate-burst: token requests to Vipps at once, at most.
	VippsRateBurst = 20
)

// LimitKubeClient sets the client-side rate limit of cfg: qps requests per second and burst
// at once, or, for a qps of 0, none. None is controller-runtime's default (its GetConfig):
// the API server's Priority and Fairness queues the operator's requests among every
// client's, which a limit in one client cannot see. A limit of the client's own delayed the
// writes of a return after an outage, one target and one status per VippsToken, by seconds.
func LimitKubeClient(cfg *rest.Config, qps float64, burst int) {
	if qps == 0 {
		cfg.QPS = -1 // client-go's value for no limit; 0 would be its default of 5
		return
	}
	cfg.QPS, cfg.Burst = float32(qps), burst
}
