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
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// The fan-out: one ClusterVippsToken whose token the manager copies into many namespaces.
const (
	clusterResourceNamespace = "bench-cluster" // the manager's --cluster-resource-namespace, in every session
	fanOutToken              = "fanout"        // the ClusterVippsToken, and its VippsToken in the resource namespace
	fanOutTarget             = "vipps-token"   // its target in every selected namespace
	fanOutLabel              = "bench-fanout"  // "true" on the namespaces it selects
)

var clusterControllerLabels = map[string]string{"controller": "clustervippstoken"}

// runFanOut runs on a fresh control plane: the namespaces first, then the manager, then one
// ClusterVippsToken over them all, with tokens of the renewal lifetime. It measures the first
// fan-out, then the first renewal: from the source Secret's new token to every namespace's.
func (b *bench) runFanOut(ctx context.Context) error {
	n := b.fanOutNamespaces
	b.say("Fan-out: one ClusterVippsToken over %d namespaces, tokens of %s.", n, duration(renewalLifetime))
	s, err := b.startSession(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	s.fake.SetLifetime(renewalLifetime)
	if err := s.createCredentials(ctx, clusterResourceNamespace, benchCredentials(namespaces)); err != nil {
		return err
	}
	keys := make([]string, n) // the watch's keys of the targets
	if err := parallel(ctx, n, createWorkers, func(ctx context.Context, i int) error {
		name := fmt.Sprintf("fanout-%03d", i)
		keys[i] = name + "/" + fanOutTarget
		return s.client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels: map[string]string{fanOutLabel: "true"}}})
	}); err != nil {
		return err
	}
	if err := s.startOperator("fanout"); err != nil {
		return err
	}
	if err := s.waitForController(ctx, clusterControllerLabels); err != nil {
		return err
	}
	idle, err := s.op.PeakRSSBytes()
	if err != nil {
		return err
	}

	// The first fan-out: its Vipps calls and requests count from the manager's start.
	source := clusterResourceNamespace + "/" + fanOutToken + "-token" // the watch's key of the source
	holding := func() (int, string) {
		v := s.watch.now()
		return v.holding(keys, v.held[source].token), v.held[source].token
	}
	everyNamespaceHolds := func(old string) func() bool { // a token other than old
		return func() bool { held, token := holding(); return token != "" && token != old && held == n }
	}
	from, created := mark{calls: s.fake.Calls()}, time.Now()
	if err := s.client.Create(ctx, newClusterToken(s.fakeURL)); err != nil {
		return err
	}
	if err := s.waitUntil(ctx, convergeTimeout, everyNamespaceHolds("")); err != nil {
		held, _ := holding()
		return fmt.Errorf("%d of %d namespaces hold the token: %w", held, n, err)
	}
	var last time.Time // when the last namespace's target was populated
	populated := s.watch.now().populated
	for _, key := range keys {
		if at := populated[key]; at.After(last) {
			last = at
		}
	}
	s.say("Every namespace holds the token after %s; waiting for its renewal.", duration(last.Sub(created)))
	if _, err := s.settle(ctx); err != nil {
		return err
	}
	first, err := s.since(ctx, from)
	if err != nil {
		return err
	}

	// The renewal, from the settled first fan-out until every namespace holds the new token
	// and the writes have settled again.
	if from, err = s.mark(ctx); err != nil {
		return err
	}
	v := s.watch.now()
	old, writes := v.held[source].token, v.secretWrites
	if err := s.waitUntil(ctx, 2*renewalLifetime, everyNamespaceHolds(old)); err != nil {
		held, token := holding()
		return fmt.Errorf("source renewed: %t; %d of %d namespaces hold its token: %w", token != old, held, n, err)
	}
	if _, err := s.settle(ctx); err != nil {
		return err
	}
	renewal, err := s.since(ctx, from)
	if err != nil {
		return err
	}
	v = s.watch.now()
	renewed := v.replaced(source, old)
	delays := make([]time.Duration, 0, n) // per namespace, from the source's new token to its target's
	for _, key := range keys {
		delays = append(delays, v.replaced(key, old).Sub(renewed))
	}
	late, secretWrites := distributionOf(delays), v.secretWrites-writes

	name := fmt.Sprintf("7. fan-out (1 ClusterVippsToken, %d namespaces, %s tokens)", n, duration(renewalLifetime))
	s.res.add(name, "creation -> every namespace holds the token", duration(last.Sub(created)))
	s.res.goal(name, "Vipps calls until then", first.vippsCalls, "= 1", first.vippsCalls == 1)
	s.res.add(name, "API requests by verb until then", first.requests)
	s.res.add(name, "renewal -> every namespace holds the new token", late.max)
	s.res.add(name, "renewal -> a namespace holds the new token", late)
	s.res.goal(name, "Vipps calls per renewal", renewal.vippsCalls, "= 1", renewal.vippsCalls == 1)
	s.res.goal(name, "Secret writes per renewal (seen by the watch)", secretWrites, fmt.Sprintf("= %d", n+1),
		secretWrites == n+1)
	s.res.add(name, "API writes per renewal", renewal.requests.writes())
	s.res.add(name, "API requests by verb per renewal", renewal.requests)
	s.res.add(name, "peak RSS", renewal.peakRSS)
	s.res.add(name, "RSS idle before creation", size(idle))
	s.res.add(name, "live heap when settled", renewal.liveHeap)
	return nil
}

// newClusterToken is the fan-out's ClusterVippsToken: the resource namespace's credentials,
// every namespace labelled for the fan-out.
func newClusterToken(endpoint string) *tokensv1alpha1.ClusterVippsToken {
	return &tokensv1alpha1.ClusterVippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: fanOutToken},
		Spec: tokensv1alpha1.ClusterVippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{Type: tokensv1alpha1.TokenTypeStandard,
				Environment: tokensv1alpha1.EnvironmentTest, Endpoint: endpoint},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: credentialsSecret},
			NamespaceSelector:    metav1.LabelSelector{MatchLabels: map[string]string{fanOutLabel: "true"}},
			Target:               tokensv1alpha1.TargetSecret{Name: fanOutTarget},
		},
	}
}
