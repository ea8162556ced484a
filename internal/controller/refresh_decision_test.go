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
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

var decisionIssuedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// decisionToken is a VippsToken at generation 3 whose status has seen generation 3 and
// credentials Secret version "100", changed by each of edits.
func decisionToken(edits ...func(*tokensv1alpha1.VippsToken)) *tokensv1alpha1.VippsToken {
	tok := &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "payments", UID: "6f1c2a9e-1b7d-4c43-9a55-0d2f8e1b3c4a", Generation: 3},
		Status:     tokensv1alpha1.VippsTokenStatus{ObservedGeneration: 3, CredentialsResourceVersion: "100"},
	}
	for _, edit := range edits {
		edit(tok)
	}
	return tok
}

func refreshAnnotation(value string) func(*tokensv1alpha1.VippsToken) {
	return func(tok *tokensv1alpha1.VippsToken) {
		tok.Annotations = map[string]string{tokensv1alpha1.AnnotationRefresh: value}
	}
}

func lastRefreshRequest(value string) func(*tokensv1alpha1.VippsToken) {
	return func(tok *tokensv1alpha1.VippsToken) { tok.Status.LastRefreshRequest = value }
}

func nextRetryAt(at time.Time) func(*tokensv1alpha1.VippsToken) {
	return func(tok *tokensv1alpha1.VippsToken) { tok.Status.NextRetryTime = &metav1.Time{Time: at} }
}

func lastRefreshAt(at time.Time) func(*tokensv1alpha1.VippsToken) {
	return func(tok *tokensv1alpha1.VippsToken) { tok.Status.LastRefreshTime = &metav1.Time{Time: at} }
}

func TestRefreshReason(t *testing.T) {
	const inputs = "inputs-now"
	held := &heldToken{
		Token:      vipps.Token{AccessToken: "token", RequestedAt: decisionIssuedAt, ExpiresAt: decisionIssuedAt.Add(time.Hour)},
		inputsHash: inputs,
	}
	renewAt := heldRenewalTime(decisionToken(), held)
	tests := []struct {
		name       string
		now        time.Time
		tok        *tokensv1alpha1.VippsToken
		held       *heldToken
		inputsHash string
		want       string // the reason of the trigger that fires; "" when none does
	}{
		{"no held token", decisionIssuedAt, decisionToken(), nil, inputs, "NoValidToken"},
		{"no held token and a refresh request", decisionIssuedAt, decisionToken(refreshAnnotation("1")), nil, inputs,
			"NoValidToken"},
		{"inputs changed", decisionIssuedAt, decisionToken(), held, "inputs-other", "InputsChanged"},
		{"inputs changed and a refresh request", decisionIssuedAt, decisionToken(refreshAnnotation("1")), held, "inputs-other",
			"InputsChanged"},
		{"refresh requested", decisionIssuedAt, decisionToken(refreshAnnotation("1")), held, inputs, "RefreshRequested"},
		{"refresh request already acted on", decisionIssuedAt, decisionToken(refreshAnnotation("1"), lastRefreshRequest("1")),
			held, inputs, ""},
		{"a failed refresh request, acted on", decisionIssuedAt, decisionToken(refreshAnnotation("1"), lastRefreshRequest("1"),
			nextRetryAt(decisionIssuedAt.Add(time.Minute))), held, inputs, "RetryAfterFailure"},
		{"fresh token", decisionIssuedAt.Add(time.Minute), decisionToken(), held, inputs, ""},
		{"a second before the renewal time", renewAt.Add(-time.Second), decisionToken(), held, inputs, ""},
		{"at the renewal time", renewAt, decisionToken(), held, inputs, "RenewalTimeReached"},
		{"after the renewal time", decisionIssuedAt.Add(59 * time.Minute), decisionToken(), held, inputs, "RenewalTimeReached"},
		{"renewal time under the VippsToken's own policy", decisionIssuedAt.Add(31 * time.Minute),
			decisionToken(func(tok *tokensv1alpha1.VippsToken) { tok.Spec.RefreshPolicy = renewAtPercentage(80) }),
			held, inputs, "RenewalTimeReached"},
		{"no held token, within the minimum interval: refreshReason does not judge the interval",
			decisionIssuedAt.Add(10 * time.Second), decisionToken(lastRefreshAt(decisionIssuedAt)), nil, inputs,
			"NoValidToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trigger, due := refreshReason(refreshInput{now: tt.now, tok: tt.tok, held: tt.held, inputsHash: tt.inputsHash})
			if trigger.reason != tt.want || due != (tt.want != "") {
				t.Errorf("refreshReason() = %q, %v; want %q", trigger.reason, due, tt.want)
			}
		})
	}
}

func TestRefreshRequested(t *testing.T) {
	tests := []struct {
		name string
		tok  *tokensv1alpha1.VippsToken
		want bool
	}{
		{"no annotation", decisionToken(), false},
		{"empty annotation", decisionToken(refreshAnnotation("")), false},
		{"new value", decisionToken(refreshAnnotation("1767225600")), true},
		{"value acted on", decisionToken(refreshAnnotation("1767225600"), lastRefreshRequest("1767225600")), false},
		{"value changed since", decisionToken(refreshAnnotation("1767229200"), lastRefreshRequest("1767225600")), true},
		{"annotation removed after a request", decisionToken(lastRefreshRequest("1767225600")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refreshRequested(tt.tok); got != tt.want {
				t.Errorf("refreshRequested() = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestRetryBlocked(t *testing.T) {
	now := decisionIssuedAt
	later := nextRetryAt(now.Add(time.Minute))
	tests := []struct {
		name               string
		tok                *tokensv1alpha1.VippsToken
		credentialsVersion string
		want               bool
	}{
		{"waiting for the retry time", decisionToken(later), "100", true},
		{"no retry time", decisionToken(), "100", false},
		{"retry time now", decisionToken(nextRetryAt(now)), "100", false},
		{"retry time passed", decisionToken(nextRetryAt(now.Add(-time.Second))), "100", false},
		{"spec changed", decisionToken(later, func(tok *tokensv1alpha1.VippsToken) { tok.Generation = 4 }), "100", false},
		{"credentials Secret changed", decisionToken(later), "101", false},
		{"refresh requested", decisionToken(later, refreshAnnotation("1")), "100", false},
		{"refresh request already acted on", decisionToken(later, refreshAnnotation("1"), lastRefreshRequest("1")), "100", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryBlocked(now, tt.tok, tt.credentialsVersion); got != tt.want {
				t.Errorf("retryBlocked() = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestJitterSeed(t *testing.T) {
	expiresAt := time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	tok := decisionToken()
	t.Run("UID and expiry in Unix seconds", func(t *testing.T) {
		if got, want := jitterSeed(tok, expiresAt), "6f1c2a9e-1b7d-4c43-9a55-0d2f8e1b3c4a/1772370000"; got != want {
			t.Errorf("jitterSeed() = %q, want %q", got, want)
		}
	})
	t.Run("the fraction of a second and the zone do not matter", func(t *testing.T) {
		other := expiresAt.Add(400 * time.Millisecond).In(time.FixedZone("CET", 3600))
		if a, b := jitterSeed(tok, expiresAt), jitterSeed(tok, other); a != b {
			t.Errorf("jitterSeed() = %q and %q for the same second", a, b)
		}
	})
	t.Run("each VippsToken its own", func(t *testing.T) {
		other := decisionToken(func(tok *tokensv1alpha1.VippsToken) { tok.UID = "0b4b5e1c-7d1e-4b8e-9a6f-3c2d1e0f9a8b" })
		if a, b := jitterSeed(tok, expiresAt), jitterSeed(other, expiresAt); a == b {
			t.Errorf("jitterSeed() = %q for two VippsTokens", a)
		}
	})
	t.Run("each token its own", func(t *testing.T) {
		if a, b := jitterSeed(tok, expiresAt), jitterSeed(tok, expiresAt.Add(time.Hour)); a == b {
			t.Errorf("jitterSeed() = %q for two expiries", a)
		}
	})
}

func TestIntervalHolds(t *testing.T) {
	held := &heldToken{Token: vipps.Token{RequestedAt: decisionIssuedAt, ExpiresAt: decisionIssuedAt.Add(time.Minute)}}
	expired := lastRefreshAt(decisionIssuedAt)
	const version = "100" // decisionToken's credentials version
	tests := []struct {
		name    string
		now     time.Time
		tok     *tokensv1alpha1.VippsToken
		held    *heldToken
		version string
		want    bool
	}{
		// A token that expired sooner than the minimum interval (the default 30 s) after it was
		// requested is not replaced before the interval ends, whatever its lifetime said.
		{"expired within the minimum interval", decisionIssuedAt.Add(29 * time.Second), decisionToken(expired), nil, version, true},
		{"minimum interval over", decisionIssuedAt.Add(30 * time.Second), decisionToken(expired), nil, version, false},
		{"a failed retry waits too", decisionIssuedAt.Add(10 * time.Second),
			decisionToken(expired, nextRetryAt(decisionIssuedAt.Add(5*time.Second))), nil, version, true},
		{"the VippsToken's own minimum interval", decisionIssuedAt.Add(50 * time.Second),
			decisionToken(expired, func(tok *tokensv1alpha1.VippsToken) {
				tok.Spec.RefreshPolicy = withMinimumInterval(nil, time.Minute)
			}), nil, version, true},
		{"never a token before", decisionIssuedAt, decisionToken(), nil, version, false},
		{"a held token: its renewal time decides", decisionIssuedAt.Add(10 * time.Second), decisionToken(expired), held, version, false},
		// What a person does goes at once.
		{"a refresh request", decisionIssuedAt.Add(10 * time.Second), decisionToken(expired, refreshAnnotation("1")), nil, version, false},
		{"a spec change", decisionIssuedAt.Add(10 * time.Second),
			decisionToken(expired, func(tok *tokensv1alpha1.VippsToken) { tok.Generation++ }), nil, version, false},
		{"a credentials change", decisionIssuedAt.Add(10 * time.Second), decisionToken(expired), nil, "101", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := intervalHolds(tt.now, tt.tok, tt.held, tt.version); got != tt.want {
				t.Errorf("intervalHolds() = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestRequeueAfter(t *testing.T) {
	now := decisionIssuedAt
	in := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }
	type requeueCase struct {
		name   string
		status tokensv1alpha1.VippsTokenStatus
		want   time.Duration
	}
	tests := []requeueCase{
		{"nothing scheduled", tokensv1alpha1.VippsTokenStatus{}, 0},
		{"renewal", tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{RenewalTime: in(40 * time.Minute), ExpiresAt: in(time.Hour)}}, 40 * time.Minute},
		{"retry before the renewal", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(40 * time.Minute),
				NextRetryTime: in(time.Minute),
				ExpiresAt:     in(time.Hour),
			},
		}, time.Minute},
		{"renewal passed: the retry", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(2 * time.Minute),
				ExpiresAt:     in(20 * time.Minute),
			},
		}, 2 * time.Minute},
		{"retry after the expiry: the expiry", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(30 * time.Minute),
				ExpiresAt:     in(5 * time.Minute),
			},
		}, 5 * time.Minute},
		{"renewal due now is not scheduled again", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime: in(0),
				ExpiresAt:   in(20 * time.Minute),
			},
		}, 20 * time.Minute},
		{"expiring now is not scheduled again", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				NextRetryTime: in(5 * time.Minute),
				ExpiresAt:     in(0),
			},
		}, 5 * time.Minute},
		{"only a retry", tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{NextRetryTime: in(90 * time.Second)}}, 90 * time.Second},
		{"everything passed", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Hour),
				NextRetryTime: in(-time.Minute),
				ExpiresAt:     in(-time.Second),
			},
		}, 0},
		{"expired within the minimum interval: its end", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				LastRefreshTime: in(-20 * time.Second),
				ExpiresAt:       in(-time.Second),
			},
		}, 10 * time.Second},
		{"no token since the targets were emptied: the minimum interval's end", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				LastRefreshTime: in(-5 * time.Second),
			},
		}, 25 * time.Second},
		{"a valid token: the minimum interval schedules nothing", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				LastRefreshTime: in(-5 * time.Second),
				RenewalTime:     in(time.Minute),
				ExpiresAt:       in(2 * time.Minute),
			},
		}, time.Minute},
		{"minimum interval long over", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				LastRefreshTime: in(-time.Hour),
				ExpiresAt:       in(-time.Minute),
			},
		}, 0},
	}
	// A VippsToken waiting for its host is brought back by the host, not by its retry time.
	waitingForHost := []requeueCase{
		{"valid token: its expiry, not the next probe", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(5 * time.Second),
				ExpiresAt:     in(time.Minute),
			},
		}, time.Minute},
		{"expired: only the recheck", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				NextRetryTime: in(5 * time.Second),
				ExpiresAt:     in(-time.Minute),
			},
		}, hostWaitRecheck},
		{"no token yet: only the recheck", tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{NextRetryTime: in(2 * time.Second)}},
			hostWaitRecheck},
		{"a token valid longer than the recheck: the recheck", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(5 * time.Second),
				ExpiresAt:     in(time.Hour),
			},
		}, hostWaitRecheck},
	}
	for waiting, cases := range map[bool][]requeueCase{false: tests, true: waitingForHost} {
		for _, tt := range cases {
			t.Run(fmt.Sprintf("%s (waiting for the host: %t)", tt.name, waiting), func(t *testing.T) {
				if got := requeueAfter(now, &tokensv1alpha1.VippsToken{Status: tt.status}, waiting); got != tt.want {
					t.Errorf("requeueAfter() = %s, want %s", got, tt.want)
				}
			})
		}
	}
}
