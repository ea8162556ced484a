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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// TokenFetcher is what the reconciler needs of Vipps: one token for one request.
type TokenFetcher interface {
	FetchToken(ctx context.Context, req vipps.Request) (vipps.Token, error)
}

// EventSource names the operator as the reporting controller of its events.
const EventSource = "vipps-token-operator"

// Options are the settings of a VippsTokenReconciler.
type Options struct {
	// Vipps sends the token requests: internal/vipps's client, with its rate limit.
	Vipps TokenFetcher
	// Endpoints are the base URLs that a VippsToken's spec.endpoint may name.
	Endpoints EndpointAllowList
	// Namespaces limits the watches, as the manager's cache is limited; empty watches all.
	Namespaces []string
	// MaxConcurrentReconciles is how many VippsTokens are reconciled at once.
	MaxConcurrentReconciles int
	// Clock is the real clock when nil.
	Clock clock.WithDelayedExecution
	// RolloutRestarts lets the reconciler restart a VippsToken's rolloutRestartTargets after a
	// new token, at most once per RolloutRestartMinInterval; it needs the optional RBAC to get
	// and patch workloads.
	RolloutRestarts           bool
	RolloutRestartMinInterval time.Duration
	// Events records the reconcilers' events; the manager's recorder when nil.
	Events events.EventRecorder
}

// VippsTokenReconciler keeps the token of each VippsToken fresh in its target Secrets.
// NewVippsTokenReconciler builds it; it has no usable zero value.
type VippsTokenReconciler struct {
	reconcilerClients
	fetcher    TokenFetcher
	clock      clock.WithDelayedExecution
	endpoints  EndpointAllowList
	namespaces []string

	maxConcurrentReconciles int

	restarter rolloutRestarter

	secrets     ownedSecrets
	credentials *credentialsReader
	obtained    *obtainedTokens
	hosts       *hostAvailability
	metrics     *operatorMetrics
}

// NewVippsTokenReconciler builds the reconciler on mgr's clients, with the metadata cache of
// Secrets that it adds to mgr; SetupWithManager then registers its watches.
func NewVippsTokenReconciler(mgr ctrl.Manager, opts Options) (*VippsTokenReconciler, error) {
	secretMetadata, err := newSecretMetadataCache(mgr, opts.Namespaces)
	if err != nil {
		return nil, err
	}
	recorder := opts.Events
	if recorder == nil {
		recorder = mgr.GetEventRecorder(EventSource)
	}
	return newReconciler(reconcilerClients{
		client:              mgr.GetClient(),
		apiReader:           mgr.GetAPIReader(),
		secretMetadata:      secretMetadata,
		secretMetadataCache: secretMetadata,
		scheme:              mgr.GetScheme(),
		recorder:            recorder,
		metricsRegistry:     ctrlmetrics.Registry,
	}, opts), nil
}

// reconcilerClients are what the reconcilers read and write through: a manager's, or in unit
// tests a fake client's. The ClusterVippsToken reconciler shares the VippsToken reconciler's.
type reconcilerClients struct {
	// client reads from the manager's cache and writes to the API server.
	client client.Client
	// apiReader reads past the cache: for Secrets the cache does not hold.
	apiReader client.Reader
	// secretMetadata reads the metadata-only cache of every Secret (setup.go), which
	// secretMetadataCache also feeds watches from; a unit test leaves the cache nil.
	secretMetadata      client.Reader
	secretMetadataCache cache.Cache
	scheme              *runtime.Scheme
	recorder            events.EventRecorder
	// metricsRegistry is where the operator's metrics are registered.
	metricsRegistry prometheus.Registerer
}

func newReconciler(clients reconcilerClients, opts Options) *VippsTokenReconciler {
	c := opts.Clock
	if c == nil {
		c = clock.RealClock{}
	}
	metrics := newOperatorMetrics().registeredOn(clients.metricsRegistry)
	return &VippsTokenReconciler{
		reconcilerClients:       clients,
		fetcher:                 opts.Vipps,
		clock:                   c,
		endpoints:               opts.Endpoints,
		namespaces:              opts.Namespaces,
		maxConcurrentReconciles: opts.MaxConcurrentReconciles,
		restarter: rolloutRestarter{
			client: clients.client, apiReader: clients.apiReader, recorder: clients.recorder,
			enabled: opts.RolloutRestarts, minInterval: opts.RolloutRestartMinInterval,
		},
		secrets:     ownedSecrets{client: clients.client, apiReader: clients.apiReader, scheme: clients.scheme},
		credentials: newCredentialsReader(clients.secretMetadata, clients.apiReader),
		obtained:    newObtainedTokens(),
		hosts:       newHostAvailability(c, metrics),
		metrics:     metrics,
	}
}
