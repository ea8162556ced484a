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
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// operatorMetrics are the operator's own collectors, served with controller-runtime's at the
// manager's metrics endpoint. Labels name VippsTokens, hosts and classes of results, never a
// value from a Secret.
type operatorMetrics struct {
	tokenExpiry, tokenRenewal, tokenReady *prometheus.GaugeVec
	tokenRequests                         *prometheus.CounterVec
	tokenRequestDuration                  *prometheus.HistogramVec
	hostState, hostDownSince              *prometheus.GaugeVec
	clusterNamespaces                     *prometheus.GaugeVec
}

// labelName is the label of a series that names a VippsToken or a ClusterVippsToken.
const labelName = "name"

// perToken are the labels of the series that describe one VippsToken.
var perToken = []string{"namespace", labelName}

func newOperatorMetrics() *operatorMetrics {
	return &operatorMetrics{
		tokenExpiry: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vipps_token_expiry_timestamp_seconds",
			Help: "When the token in a VippsToken's targets expires, in Unix seconds.",
		}, perToken),
		tokenRenewal: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vipps_token_renewal_timestamp_seconds",
			Help: "When the operator renews a VippsToken's token, in Unix seconds.",
		}, perToken),
		tokenReady: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vipps_token_ready",
			Help: "1 when a VippsToken's Ready condition is True, else 0.",
		}, perToken),
		tokenRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vipps_token_requests_total",
			Help: "Token requests sent to Vipps, by token type, environment and result (Success or a condition reason).",
		}, []string{"type", "environment", "result"}),
		tokenRequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vipps_token_request_duration_seconds",
			Help:    "How long token requests to Vipps took, by token type and environment.",
			Buckets: prometheus.ExponentialBuckets(0.025, 2, 10),
		}, []string{"type", "environment"}),
		hostState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vipps_token_host_state",
			Help: "1 for the state the operator believes a Vipps host is in (up, down, or probing: down with " +
				"the one probe request in flight), 0 for the others.",
		}, []string{"host", "state"}),
		hostDownSince: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vipps_token_host_down_since_timestamp_seconds",
			Help: "When a Vipps host that is down (or probing) went down, in Unix seconds; absent while it is up.",
		}, []string{"host"}),
		clusterNamespaces: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vipps_cluster_token_namespaces",
			Help: "The namespaces of a ClusterVippsToken: those its namespaceSelector selects (state selected), " +
				"those whose target holds its token (ready), and those whose target could not be written (failing).",
		}, []string{labelName, "state"}),
	}
}

// registeredOn registers m on reg and returns what reg serves: m, or the collectors of an
// earlier reconciler of the same process (a test that restarts the manager), which a
// registry cannot hold twice.
func (m *operatorMetrics) registeredOn(reg prometheus.Registerer) *operatorMetrics {
	m.tokenExpiry = registered(reg, m.tokenExpiry)
	m.tokenRenewal = registered(reg, m.tokenRenewal)
	m.tokenReady = registered(reg, m.tokenReady)
	m.tokenRequests = registered(reg, m.tokenRequests)
	m.tokenRequestDuration = registered(reg, m.tokenRequestDuration)
	m.hostState = registered(reg, m.hostState)
	m.hostDownSince = registered(reg, m.hostDownSince)
	m.clusterNamespaces = registered(reg, m.clusterNamespaces)
	return m
}

func registered[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if existing, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
		if same, ok := existing.ExistingCollector.(C); ok {
			return same
		}
	}
	if err != nil {
		// Only a name clash with another kind of collector gets here: a programming error.
		panic(fmt.Sprintf("registering a metric: %v", err))
	}
	return c
}

// resultSuccess is the result label of a token request that issued a token.
const resultSuccess = "Success"

func (m *operatorMetrics) observeTokenRequest(tok *tokensv1alpha1.VippsToken, took time.Duration, err error) {
	result := resultSuccess
	if err != nil {
		result = failureReason(err)
	}
	tokenType, environment := string(tok.Spec.Type), string(tok.Spec.Environment)
	m.tokenRequests.WithLabelValues(tokenType, environment, result).Inc()
	m.tokenRequestDuration.WithLabelValues(tokenType, environment).Observe(took.Seconds())
}

// observeTokenStatus exports what the status says of tok.
func (m *operatorMetrics) observeTokenStatus(tok *tokensv1alpha1.VippsToken) {
	labels := []string{tok.Namespace, tok.Name}
	setOrDelete := func(gauge *prometheus.GaugeVec, t *metav1.Time) {
		if t == nil {
			gauge.DeleteLabelValues(labels...)
			return
		}
		gauge.WithLabelValues(labels...).Set(float64(t.Unix()))
	}
	setOrDelete(m.tokenExpiry, tok.Status.ExpiresAt)
	setOrDelete(m.tokenRenewal, tok.Status.RenewalTime)
	ready := 0.0
	if meta.IsStatusConditionTrue(tok.Status.Conditions, tokensv1alpha1.ConditionReady) {
		ready = 1
	}
	m.tokenReady.WithLabelValues(labels...).Set(ready)
}

// forgetToken drops the series of a deleted VippsToken.
func (m *operatorMetrics) forgetToken(key types.NamespacedName) {
	for _, gauge := range []*prometheus.GaugeVec{m.tokenExpiry, m.tokenRenewal, m.tokenReady} {
		gauge.DeleteLabelValues(key.Namespace, key.Name)
	}
}

// observeHostState exports what the operator believes of a host: one series per state, 1 for
// the current one, and while it is not up, when it went down.
func (m *operatorMetrics) observeHostState(host string, state hostState) {
	current := state.phase
	if state.up() {
		current = hostUp
	}
	for _, phase := range hostPhases {
		value := 0.0
		if phase == current {
			value = 1
		}
		m.hostState.WithLabelValues(host, string(phase)).Set(value)
	}
	if state.up() {
		m.hostDownSince.DeleteLabelValues(host)
		return
	}
	m.hostDownSince.WithLabelValues(host).Set(float64(state.downSince.Unix()))
}

// observeClusterNamespaces exports the namespace counts of cvt's status. The token's own
// series are its VippsToken's, in the cluster resource namespace.
func (m *operatorMetrics) observeClusterNamespaces(cvt *tokensv1alpha1.ClusterVippsToken) {
	counts := cvt.Status.Namespaces
	m.clusterNamespaces.WithLabelValues(cvt.Name, "selected").Set(float64(counts.Selected))
	m.clusterNamespaces.WithLabelValues(cvt.Name, "ready").Set(float64(counts.Ready))
	m.clusterNamespaces.WithLabelValues(cvt.Name, "failing").Set(float64(counts.Failing))
}

// forgetClusterToken drops the series of a deleted ClusterVippsToken.
func (m *operatorMetrics) forgetClusterToken(name string) {
	m.clusterNamespaces.DeletePartialMatch(prometheus.Labels{labelName: name})
}
