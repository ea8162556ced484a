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

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// TestRenewalTimeOfIssuedTokens takes tokens through the whole path a real one takes: the
// fake issues them as Vipps does, with iat, nbf and not_before back-dated five minutes (and,
// for comparison, exact), the client parses the response, and renewalTime decides. The
// back-dating must change nothing: the lifetime counts from the request.
func TestRenewalTimeOfIssuedTokens(t *testing.T) {
	requested := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return requested }
	const uid = "6f1c2a9e-1b7d-4c43-9a55-0d2f8e1b3c4a"
	shortInterval := withMinimumInterval(nil, time.Second)

	tests := []struct {
		name     string
		lifetime time.Duration
		policy   *tokensv1alpha1.RefreshPolicy
		// The renewal lies in [earliest, latest] after the request: when a third of the
		// lifetime remains, minus up to a tenth of that third as jitter, in whole seconds.
		earliest, latest time.Duration
	}{
		{"20 s, default minimum interval of 30 s: not before it", 20 * time.Second, nil, 30 * time.Second, 30 * time.Second},
		{"20 s, minimum interval 1 s", 20 * time.Second, shortInterval, 12 * time.Second, 14 * time.Second},
		{"60 s", time.Minute, shortInterval, 38 * time.Second, 41 * time.Second},
		{"15 min partner token", partnerLifetime, nil, 9*time.Minute + 33*time.Second, 10*time.Minute + 3*time.Second},
		{"1 h test token", testLifetime, nil, 38*time.Minute + 12*time.Second, 40*time.Minute + 12*time.Second},
		{"24 h production token", productionLifetime, nil, 15*time.Hour + 17*time.Minute, 16*time.Hour + 4*time.Minute + 48*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			renewals := map[time.Duration]time.Time{}
			for _, backdating := range []time.Duration{fakevipps.DefaultBackdating, 0} {
				token := issue(t, clock, tt.lifetime, backdating)
				renewals[backdating] = renewalTime(token.RequestedAt, token.ExpiresAt, tt.policy, uid)
			}
			backdated, exact := renewals[fakevipps.DefaultBackdating], renewals[0]
			if !backdated.Equal(exact) {
				t.Errorf("renewal of a back-dated token = %s, of an exact one = %s: want the same", backdated, exact)
			}
			if after := backdated.Sub(requested); after < tt.earliest || after > tt.latest {
				t.Errorf("renewal %s after the request, want between %s and %s", after, tt.earliest, tt.latest)
			}
		})
	}
}

// issue fetches a token of the lifetime given from a fake that back-dates its claims by
// backdating, at the time clock gives.
func issue(t *testing.T, clock func() time.Time, lifetime, backdating time.Duration) vipps.Token {
	t.Helper()
	fake := fakevipps.NewServer(fakevipps.WithClock(clock), fakevipps.WithLifetime(lifetime),
		fakevipps.WithBackdating(backdating))
	server := httptest.NewServer(fake)
	defer server.Close()
	creds := fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
	token, err := vipps.NewClient(vipps.WithClock(clock)).FetchToken(context.Background(), vipps.Request{
		Type: vipps.TokenTypeStandard, BaseURL: server.URL,
		ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, SubscriptionKey: creds.SubscriptionKeys[0],
	})
	if err != nil {
		t.Fatalf("FetchToken() error = %v", err)
	}
	return token
}
