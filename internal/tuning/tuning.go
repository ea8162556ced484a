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

// Package tuning holds the defaults of the manager's tuning flags. The manager's flags
// (cmd/options.go) and the benchmark (cmd/bench), which measured them and runs the manager
// and its baseline with them, read them from here.
package tuning

import "time"

const (
	// MaxConcurrentReconciles is --max-concurrent-reconciles: VippsTokens reconciled at once.
	MaxConcurrentReconciles = 10
	// KubeAPIQPS is --kube-api-qps: requests per second to the Kubernetes API server, on average.
	KubeAPIQPS = 50.0
	// KubeAPIBurst is --kube-api-burst: requests to the Kubernetes API server at once, at most.
	KubeAPIBurst = 100
	// VippsTimeout is --vipps-timeout: how long one token request to Vipps may take.
	VippsTimeout = 10 * time.Second
	// VippsRateLimit is --vipps-rate-limit: token requests per second to Vipps, on average.
	VippsRateLimit = 100.0
	// VippsRateBurst is --vipps-rate-burst: token requests to Vipps at once, at most.
	VippsRateBurst = 20
)
