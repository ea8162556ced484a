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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// Metrics on controller-runtime's registry, served at the manager's metrics endpoint. Labels
// name VippsTokens and classes of results, never a value from a Secret.
var (
	// perToken are the labels of the series that describe one VippsToken.
	perToken = []string{"namespace", "name"}

	tokenExpiry = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vipps_token_expiry_timestamp_seconds",
		Help: "When the token in a VippsToken's targets expires, in Unix seconds.",
	}, perToken)
	tokenRenewal = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vipps_token_renewal_timestamp_seconds",
		Help: "When the operator renews a VippsToken's token, in Unix seconds.",
	}, perToken)
	tokenReady = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vipps_token_ready",
		Help: "1 when a VippsToken's Ready condition is True, else 0.",
	}, perToken)
	tokenRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vipps_token_requests_total",
		Help: "Token requests sent to Vipps, by token type, environment and result (Success or a condition reason).",
	}, []string{"type", "environment", "result"})
	tokenRequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "vipps_token_request_duration_seconds",
		Help:    "How long token requests to Vipps took, by token type and environment.",
		Buckets: prometheus.ExponentialBuckets(0.025, 2, 10),
	}, []string{"type", "environment"})
	hostStateGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vipps_token_host_state",
		Help: "1 for the state the operator believes a Vipps host is in (up, down, or probing: down with " +
			"the one probe request in flight), 0 for the others.",
	}, []string{"host", "state"})
	hostDownSince = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vipps_token_host_down_since_timestamp_seconds",
		Help: "When a Vipps host that is down (or probing) went down, in Unix seconds; absent while it is up.",
	}, []string{"host"})
)

func init() {
	metrics.Registry.MustRegister(tokenExpiry, tokenRenewal, tokenReady, tokenRequests, tokenRequestDuration,
		hostStateGauge, hostDownSince)
}

// resultSuccess is the result label of a token request that issued a token.
const resultSuccess = "Success"

func observeTokenRequest(tok *tokensv1alpha1.VippsToken, took time.Duration, err error) {
	result := resultSuccess
	if err != nil {
		result = failureReason(err)
	}
	tokenType, environment := string(tok.Spec.Type), string(tok.Spec.Environment)
	tokenRequests.WithLabelValues(tokenType, environment, result).Inc()
	tokenRequestDuration.WithLabelValues(tokenType, environment).Observe(took.Seconds())
}

// observeTokenStatus exports what the status says of tok.
func observeTokenStatus(tok *tokensv1alpha1.VippsToken) {
	labels := []string{tok.Namespace, tok.Name}
	setOrDelete := func(gauge *prometheus.GaugeVec, t *metav1.Time) {
		if t == nil {
			gauge.DeleteLabelValues(labels...)
			return
		}
		gauge.WithLabelValues(labels...).Set(float64(t.Unix()))
	}
	setOrDelete(tokenExpiry, tok.Status.ExpiresAt)
	setOrDelete(tokenRenewal, tok.Status.RenewalTime)
	ready := 0.0
	if meta.IsStatusConditionTrue(tok.Status.Conditions, tokensv1alpha1.ConditionReady) {
		ready = 1
	}
	tokenReady.WithLabelValues(labels...).Set(ready)
}

// forgetToken drops the series of a deleted VippsToken.
func forgetToken(key types.NamespacedName) {
	for _, gauge := range []*prometheus.GaugeVec{tokenExpiry, tokenRenewal, tokenReady} {
		gauge.DeleteLabelValues(key.Namespace, key.Name)
	}
}

// observeHostState exports what the operator believes of a host: one series per state, 1 for
// the current one, and while it is not up, when it went down.
func observeHostState(host string, state hostState) {
	current := state.phase
	if state.up() {
		current = hostUp
	}
	for _, phase := range hostPhases {
		value := 0.0
		if phase == current {
			value = 1
		}
		hostStateGauge.WithLabelValues(host, string(phase)).Set(value)
	}
	if state.up() {
		hostDownSince.DeleteLabelValues(host)
		return
	}
	hostDownSince.WithLabelValues(host).Set(float64(state.downSince.Unix()))
}
