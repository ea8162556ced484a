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
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// The token lifetimes Vipps issues: Partner tokens, and Standard tokens in Test and Production.
const (
	partnerLifetime    = 15 * time.Minute
	testLifetime       = time.Hour
	productionLifetime = 24 * time.Hour
)

func renewAtPercentage(percent int32) *tokensv1alpha1.RefreshPolicy {
	return &tokensv1alpha1.RefreshPolicy{RenewBeforePercentage: &percent}
}

func renewBeforeDuration(d time.Duration) *tokensv1alpha1.RefreshPolicy {
	return &tokensv1alpha1.RefreshPolicy{RenewBefore: &metav1.Duration{Duration: d}}
}

// withMinimumInterval returns policy (nil for the defaults) with its minimum interval set.
func withMinimumInterval(policy *tokensv1alpha1.RefreshPolicy, d time.Duration) *tokensv1alpha1.RefreshPolicy {
	if policy == nil {
		policy = &tokensv1alpha1.RefreshPolicy{}
	}
	policy.MinimumInterval = &metav1.Duration{Duration: d}
	return policy
}

// sampleUIDs are n VippsToken UIDs, random like the API server's (version 4 UUIDs) but the
// same in every run. Seeds that differ only in their last characters would not do:
// FNV-1a's last bytes barely move the top bits that unitFraction uses.
func sampleUIDs(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	uids := make([]string, n)
	for i := range uids {
		a, b := r.Uint64(), r.Uint64()
		uids[i] = fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, b>>48, b&0xffffffffffff)
	}
	return uids
}

func TestRenewalWindow(t *testing.T) {
	tests := []struct {
		name     string
		lifetime time.Duration
		policy   *tokensv1alpha1.RefreshPolicy
		want     time.Duration
	}{
		{"default, 15-minute Partner token: a third", partnerLifetime, nil, 4*time.Minute + 57*time.Second},
		{"default, 1-hour Test token: a third", testLifetime, nil, 19*time.Minute + 48*time.Second},
		{"default, 24-hour Production token: a third", productionLifetime, nil, 7*time.Hour + 55*time.Minute + 12*time.Second},
		{"empty policy is the default", testLifetime, &tokensv1alpha1.RefreshPolicy{}, 19*time.Minute + 48*time.Second},
		{"only a minimum interval is the default", testLifetime, withMinimumInterval(nil, time.Minute), 19*time.Minute + 48*time.Second},
		{"renewBeforePercentage 50 of an hour", testLifetime, renewAtPercentage(50), 30 * time.Minute},
		{"renewBeforePercentage 5 of a day", productionLifetime, renewAtPercentage(5), 72 * time.Minute},
		{"renewBeforePercentage 90 of 15 minutes", partnerLifetime, renewAtPercentage(90), 13*time.Minute + 30*time.Second},
		{"renewBefore 10m of an hour", testLifetime, renewBeforeDuration(10 * time.Minute), 10 * time.Minute},
		{"renewBefore 2m of a Partner token", partnerLifetime, renewBeforeDuration(2 * time.Minute), 2 * time.Minute},
		{"renewBefore just under the lifetime", productionLifetime, renewBeforeDuration(23 * time.Hour), 23 * time.Hour},
		{"renewBefore equal to the lifetime falls back to a third", testLifetime, renewBeforeDuration(time.Hour), 19*time.Minute + 48*time.Second},
		{"renewBefore longer than the lifetime falls back to a third", partnerLifetime, renewBeforeDuration(time.Hour), 4*time.Minute + 57*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renewalWindow(tt.lifetime, tt.policy); got != tt.want {
				t.Errorf("renewalWindow(%s) = %s, want %s", tt.lifetime, got, tt.want)
			}
		})
	}
}

func TestMinimumInterval(t *testing.T) {
	tests := []struct {
		name   string
		policy *tokensv1alpha1.RefreshPolicy
		want   time.Duration
	}{
		{"no policy", nil, 30 * time.Second},
		{"empty policy", &tokensv1alpha1.RefreshPolicy{}, 30 * time.Second},
		{"policy without a minimum interval", renewAtPercentage(50), 30 * time.Second},
		{"minimum interval set", withMinimumInterval(nil, 5*time.Minute), 5 * time.Minute},
		{"minimum interval shorter than the default", withMinimumInterval(renewAtPercentage(50), time.Second), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := minimumInterval(tt.policy); got != tt.want {
				t.Errorf("minimumInterval() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestUnitFraction(t *testing.T) {
	t.Run("same seed, same fraction", func(t *testing.T) {
		if a, b := unitFraction("uid-1/1767225600"), unitFraction("uid-1/1767225600"); a != b {
			t.Errorf("unitFraction() = %v and then %v for the same seed", a, b)
		}
	})
	t.Run("spread over [0, 1)", func(t *testing.T) {
		lowest, highest := 1.0, 0.0
		seen := map[float64]bool{}
		for _, uid := range sampleUIDs(1000) {
			f := unitFraction(uid + "/1772370000")
			if f < 0 || f >= 1 {
				t.Fatalf("unitFraction(%s) = %v, want it in [0, 1)", uid, f)
			}
			lowest, highest = min(lowest, f), max(highest, f)
			seen[f] = true
		}
		if len(seen) != 1000 {
			t.Errorf("1000 seeds gave %d distinct fractions, want 1000", len(seen))
		}
		if lowest > 0.01 || highest < 0.99 {
			t.Errorf("1000 seeds gave fractions in [%v, %v], want them spread over [0, 1)", lowest, highest)
		}
	})
}

func TestRenewalTime(t *testing.T) {
	// A fraction of a second on the issue time shows that the result is whole seconds.
	issuedAt := time.Date(2026, 3, 1, 12, 0, 0, 250_000_000, time.UTC)
	tests := []struct {
		name     string
		lifetime time.Duration
		policy   *tokensv1alpha1.RefreshPolicy
		// window: the renewal comes this long before expiry, plus a jitter of up to a tenth of it.
		window time.Duration
		// clampedTo: when set, the renewal comes exactly this long after the (whole) issue second.
		clampedTo time.Duration
	}{
		{name: "Partner, default: about 5 minutes before expiry", lifetime: partnerLifetime, window: 4*time.Minute + 57*time.Second},
		{name: "Test, default", lifetime: testLifetime, window: 19*time.Minute + 48*time.Second},
		{name: "Production, default", lifetime: productionLifetime, window: 7*time.Hour + 55*time.Minute + 12*time.Second},
		{name: "renewBeforePercentage", lifetime: testLifetime, policy: renewAtPercentage(50), window: 30 * time.Minute},
		{name: "renewBefore", lifetime: productionLifetime, policy: renewBeforeDuration(time.Hour), window: time.Hour},
		{name: "renewBefore as long as the lifetime: a third", lifetime: partnerLifetime,
			policy: renewBeforeDuration(partnerLifetime), window: 4*time.Minute + 57*time.Second},
		{name: "minimum interval that does not bind", lifetime: testLifetime,
			policy: withMinimumInterval(nil, time.Minute), window: 19*time.Minute + 48*time.Second},
		{name: "default minimum interval clamps a short-lived token", lifetime: 40 * time.Second, clampedTo: 30 * time.Second},
		{name: "default minimum interval clamps renewBefore close to the lifetime", lifetime: testLifetime,
			policy: renewBeforeDuration(59*time.Minute + 30*time.Second), clampedTo: 30 * time.Second},
		{name: "policy minimum interval clamps", lifetime: partnerLifetime,
			policy: withMinimumInterval(renewAtPercentage(50), 10*time.Minute), clampedTo: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expiresAt := issuedAt.Add(tt.lifetime)
			for _, uid := range sampleUIDs(20) {
				seed := fmt.Sprintf("%s/%d", uid, expiresAt.Unix())
				got := renewalTime(issuedAt, expiresAt, tt.policy, seed)
				if got.Nanosecond() != 0 {
					t.Errorf("renewalTime(seed %s) = %s, want whole seconds", seed, got.Format(time.RFC3339Nano))
				}
				if tt.clampedTo != 0 {
					if want := issuedAt.Truncate(time.Second).Add(tt.clampedTo); !got.Equal(want) {
						t.Errorf("renewalTime(seed %s) = %s, want %s", seed, got, want)
					}
					continue
				}
				// Truncating to the second moves the renewal up to a second earlier.
				latest, earliest := expiresAt.Add(-tt.window), expiresAt.Add(-tt.window-tt.window/10-time.Second)
				if got.After(latest) || !got.After(earliest) {
					t.Errorf("renewalTime(seed %s) = %s, want it in (%s, %s]", seed, got, earliest, latest)
				}
			}
		})
	}
}

func TestRenewalTimeJitter(t *testing.T) {
	issuedAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expiresAt := issuedAt.Add(testLifetime)
	policy := renewAtPercentage(50) // a 30-minute window: its tenth, 3 minutes, is whole seconds
	windowStart := expiresAt.Add(-30 * time.Minute)
	const maxJitter = 3 * time.Minute
	jitterOf := func(seed string) time.Duration {
		return windowStart.Sub(renewalTime(issuedAt, expiresAt, policy, seed))
	}

	t.Run("within [0, window/10] and spread over it", func(t *testing.T) {
		lowest, highest := maxJitter, time.Duration(0)
		for _, uid := range sampleUIDs(1000) {
			jitter := jitterOf(fmt.Sprintf("%s/%d", uid, expiresAt.Unix()))
			if jitter < 0 || jitter > maxJitter {
				t.Fatalf("UID %s: jitter %s, want it in [0, %s]", uid, jitter, maxJitter)
			}
			lowest, highest = min(lowest, jitter), max(highest, jitter)
		}
		if lowest == highest {
			t.Fatalf("1000 seeds all gave a jitter of %s", lowest)
		}
		if lowest > maxJitter/10 || highest < maxJitter*9/10 {
			t.Errorf("1000 seeds gave jitters in [%s, %s], want them spread over [0, %s]", lowest, highest, maxJitter)
		}
	})
	t.Run("same seed, same renewal time", func(t *testing.T) {
		if a, b := jitterOf("uid-a/1772370000"), jitterOf("uid-a/1772370000"); a != b {
			t.Errorf("jitter = %s and then %s for the same seed", a, b)
		}
	})
	t.Run("different seeds, different renewal times", func(t *testing.T) {
		if a, b := jitterOf("uid-a/1772370000"), jitterOf("uid-b/1772370000"); a == b {
			t.Errorf("jitter = %s for two different seeds", a)
		}
	})
}

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
	server, err := fakevipps.Serve("127.0.0.1:0", fake)
	if err != nil {
		t.Fatal(err)
	}
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
