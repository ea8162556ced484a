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
	"crypto/sha256"
	"encoding/binary"
	"time"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

const (
	// defaultRenewBeforePercentage renews when a third of the lifetime remains.
	defaultRenewBeforePercentage = 33
	// defaultMinimumInterval is the shortest time between two token requests.
	defaultMinimumInterval = 30 * time.Second
	// jitterShare is the largest share of the renewal window taken off as jitter.
	jitterShare = 0.1
)

// renewalTime is when a token requested at requestedAt and expiring at expiresAt is renewed:
// when the policy's share (or fixed duration) of its lifetime remains, minus a jitter of up
// to a tenth of that window so that tokens created together do not renew together, and never
// sooner than the policy's minimum interval after the request. It is whole seconds, as
// status stores it, so that the stored time and the decision made from it never disagree.
//
// The lifetime counts from the request, never from the JWT's iat or the body's not_before:
// Azure AD back-dates both by about five minutes, and a lifetime counted from them comes out
// five minutes too long, which puts the renewal of a short token before it was received.
//
// The jitter is pseudo-random but derived from seed (the VippsToken's UID and the token's
// expiry), so it is the same every time it is computed: a restarted operator finds the same
// renewal time that it stored in status.
func renewalTime(requestedAt, expiresAt time.Time, policy *tokensv1alpha1.RefreshPolicy, seed string) time.Time {
	lifetime := expiresAt.Sub(requestedAt)
	window := renewalWindow(lifetime, policy)
	jitter := time.Duration(float64(window) * jitterShare * unitFraction(seed))
	renewAt := expiresAt.Add(-window - jitter)

	if earliest := requestedAt.Add(minimumInterval(policy)); renewAt.Before(earliest) {
		renewAt = earliest
	}
	return renewAt.Truncate(time.Second)
}

// renewalWindow is how long before expiry the token is renewed, before jitter.
func renewalWindow(lifetime time.Duration, policy *tokensv1alpha1.RefreshPolicy) time.Duration {
	byShare := func(percent int32) time.Duration { return lifetime * time.Duration(percent) / 100 }
	switch {
	case policy != nil && policy.RenewBefore != nil && policy.RenewBefore.Duration < lifetime:
		return policy.RenewBefore.Duration
	case policy != nil && policy.RenewBeforePercentage != nil:
		return byShare(*policy.RenewBeforePercentage)
	default:
		// Also where renewBefore is as long as the lifetime or longer, which would renew at once.
		return byShare(defaultRenewBeforePercentage)
	}
}

func minimumInterval(policy *tokensv1alpha1.RefreshPolicy) time.Duration {
	if policy != nil && policy.MinimumInterval != nil {
		return policy.MinimumInterval.Duration
	}
	return defaultMinimumInterval
}

// unitFraction maps seed to a number in [0, 1), the same for the same seed. SHA-256 spreads
// seeds that differ only in their last characters (a failure count) as well as any others.
func unitFraction(seed string) float64 {
	sum := sha256.Sum256([]byte(seed))
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}
