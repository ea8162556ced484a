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
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// cannedResponse is a transport that answers every request with one status and header,
// without a network.
type cannedResponse struct {
	status int
	header http.Header
}

func (c cannedResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.status, Header: c.header.Clone(), Request: req,
		Body: io.NopCloser(strings.NewReader(`{"message": "Rate limit is exceeded."}`)),
	}, nil
}

// vippsAPIError is the error the vipps client returns for an answer with status and
// Retry-After (none when empty): a real *vipps.APIError, of the class the client gives the
// status. Its class is unexported, so a struct literal cannot build one.
func vippsAPIError(t *testing.T, status int, retryAfter string) error {
	t.Helper()
	header := http.Header{"Content-Type": {"application/json"}}
	if retryAfter != "" {
		header.Set("Retry-After", retryAfter)
	}
	client := vipps.NewClient(vipps.WithTransport(cannedResponse{status: status, header: header}))
	_, err := client.FetchToken(t.Context(), vipps.Request{
		Type: vipps.TokenTypeStandard, BaseURL: vipps.TestBaseURL,
		ClientID: "client-id", ClientSecret: "client-secret", SubscriptionKey: "subscription-key",
	})
	if apiErr, ok := errors.AsType[*vipps.APIError](err); !ok || apiErr.StatusCode != status {
		t.Fatalf("FetchToken() error = %v, want an *vipps.APIError with status %d", err, status)
	}
	return err
}

func TestExponential(t *testing.T) {
	tests := []struct {
		name         string
		base, limit  time.Duration
		failureCount int32
		want         time.Duration
	}{
		{"rejected, no failure yet", time.Minute, time.Hour, 0, time.Minute},
		{"rejected, 1st failure", time.Minute, time.Hour, 1, time.Minute},
		{"rejected, 2nd failure", time.Minute, time.Hour, 2, 2 * time.Minute},
		{"rejected, 3rd failure", time.Minute, time.Hour, 3, 4 * time.Minute},
		{"rejected, 6th failure", time.Minute, time.Hour, 6, 32 * time.Minute},
		{"rejected, 7th failure: capped", time.Minute, time.Hour, 7, time.Hour},
		{"rejected, largest count: capped, no overflow", time.Minute, time.Hour, 1<<31 - 1, time.Hour},
		{"transient, 1st failure", 5 * time.Second, 5 * time.Minute, 1, 5 * time.Second},
		{"transient, 4th failure", 5 * time.Second, 5 * time.Minute, 4, 40 * time.Second},
		{"transient, 6th failure", 5 * time.Second, 5 * time.Minute, 6, 160 * time.Second},
		{"transient, 7th failure: capped", 5 * time.Second, 5 * time.Minute, 7, 5 * time.Minute},
		{"base above the limit", 2 * time.Hour, time.Hour, 1, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exponential(tt.base, tt.limit, tt.failureCount); got != tt.want {
				t.Errorf("exponential(%s, %s, %d) = %s, want %s", tt.base, tt.limit, tt.failureCount, got, tt.want)
			}
		})
	}
}

func TestRetryDelayCredentialsRejected(t *testing.T) {
	rejected := map[string]error{
		"wrapped class":   fmt.Errorf("fetching Standard token from %s: %w", vipps.TestBaseURL, vipps.ErrCredentialsRejected),
		"HTTP 401 answer": vippsAPIError(t, http.StatusUnauthorized, ""),
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour}
	for name, err := range rejected {
		for i, wantDelay := range want {
			failures := int32(i + 1)
			t.Run(fmt.Sprintf("%s, failure %d", name, failures), func(t *testing.T) {
				// No jitter: every seed gets the same delay.
				for _, seed := range []string{"uid-a", "uid-b"} {
					if got := retryDelay(err, failures, seed); got != wantDelay {
						t.Errorf("retryDelay(%d, %s) = %s, want %s", failures, seed, got, wantDelay)
					}
				}
			})
		}
	}
}

func TestRetryDelayTransient(t *testing.T) {
	transient := map[string]error{
		"unavailable":                   fmt.Errorf("fetching Standard token: %w: HTTP 503", vipps.ErrUnavailable),
		"malformed response":            fmt.Errorf("fetching Standard token: HTTP 200: %w", vipps.ErrMalformedResponse),
		"rate limited, no Retry-After":  vippsAPIError(t, http.StatusTooManyRequests, ""),
		"503 with Retry-After":          vippsAPIError(t, http.StatusServiceUnavailable, "600"),
		"unforeseen: deadline exceeded": context.DeadlineExceeded,
	}
	ceilings := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second,
		80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}
	uids := sampleUIDs(200)
	for name, err := range transient {
		for i, d := range ceilings {
			failures := int32(i + 1)
			t.Run(fmt.Sprintf("%s, failure %d", name, failures), func(t *testing.T) {
				seen := map[time.Duration]bool{}
				for _, uid := range uids {
					got := retryDelay(err, failures, uid)
					if got < d/2 || got >= d {
						t.Fatalf("retryDelay(%d, %s) = %s, want it in [%s, %s)", failures, uid, got, d/2, d)
					}
					seen[got] = true
				}
				if len(seen) < 2 {
					t.Errorf("200 seeds all gave the same delay")
				}
			})
		}
	}
}

func TestRetryDelayHonoursRetryAfter(t *testing.T) {
	const seed = "0b4b5e1c-7d1e-4b8e-9a6f-3c2d1e0f9a8b"
	tests := []struct {
		name       string
		retryAfter string
		failures   int32
		want       time.Duration
	}{
		{"longer than the backoff, 1st failure", "600", 1, 10 * time.Minute},
		{"longer than the capped backoff", "360", 9, 6 * time.Minute},
		{"an hour", "3600", 1, time.Hour},
		{"more than an hour is capped by the client", "86400", 1, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := vippsAPIError(t, http.StatusTooManyRequests, tt.retryAfter)
			if got := retryDelay(err, tt.failures, seed); got != tt.want {
				t.Errorf("retryDelay(%d) = %s, want %s", tt.failures, got, tt.want)
			}
		})
	}
	t.Run("shorter than the backoff: the backoff", func(t *testing.T) {
		withRetryAfter := vippsAPIError(t, http.StatusTooManyRequests, "1")
		without := vippsAPIError(t, http.StatusTooManyRequests, "")
		got, want := retryDelay(withRetryAfter, 5, seed), retryDelay(without, 5, seed)
		if got != want || got < 40*time.Second {
			t.Errorf("retryDelay(5) = %s with Retry-After: 1, want %s as without it", got, want)
		}
	})
}

func TestRetryDelayStableForSeed(t *testing.T) {
	err := fmt.Errorf("fetching Standard token: %w", vipps.ErrUnavailable)
	uids := sampleUIDs(2)
	t.Run("same seed, same delay", func(t *testing.T) {
		if a, b := retryDelay(err, 3, uids[0]), retryDelay(err, 3, uids[0]); a != b {
			t.Errorf("retryDelay(3) = %s and then %s for the same seed", a, b)
		}
	})
	t.Run("different seeds, different delays", func(t *testing.T) {
		if a, b := retryDelay(err, 3, uids[0]), retryDelay(err, 3, uids[1]); a == b {
			t.Errorf("retryDelay(3) = %s for two different seeds", a)
		}
	})
}

func TestNextRetryTime(t *testing.T) {
	const seed = "0b4b5e1c-7d1e-4b8e-9a6f-3c2d1e0f9a8b"
	failedAt := time.Date(2026, 3, 1, 12, 0, 0, 700*int(time.Millisecond), time.UTC)
	tests := []struct {
		name string
		err  error
		want time.Time
	}{
		{
			name: "Retry-After is rounded up: never a retry before it",
			err:  vippsAPIError(t, http.StatusTooManyRequests, "5"), want: failedAt.Add(5 * time.Second).Truncate(time.Second).Add(time.Second),
		},
		{
			name: "rejected credentials are truncated like every status time",
			err:  vippsAPIError(t, http.StatusUnauthorized, ""), want: failedAt.Add(time.Minute).Truncate(time.Second),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextRetryTime(failedAt, tt.err, 1, seed); !got.Equal(tt.want) {
				t.Errorf("nextRetryTime() = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("Retry-After on a whole second is kept", func(t *testing.T) {
		whole := failedAt.Truncate(time.Second)
		got := nextRetryTime(whole, vippsAPIError(t, http.StatusTooManyRequests, "5"), 1, seed)
		if want := whole.Add(5 * time.Second); !got.Equal(want) {
			t.Errorf("nextRetryTime() = %s, want %s", got, want)
		}
	})
	t.Run("transient: within a second below the backoff", func(t *testing.T) {
		err := fmt.Errorf("fetching Standard token: %w", vipps.ErrUnavailable)
		got := nextRetryTime(failedAt, err, 1, seed)
		if delay := retryDelay(err, 1, seed); got.After(failedAt.Add(delay)) || !got.After(failedAt.Add(delay-time.Second)) {
			t.Errorf("nextRetryTime() = %s, want it in (%s, %s]", got, failedAt.Add(delay-time.Second), failedAt.Add(delay))
		}
	})
}

func TestProbeDelay(t *testing.T) {
	const samples = 200
	for _, tt := range []struct {
		probesFailed int32
		nominal      time.Duration
	}{
		{0, probeBackoffBase}, {1, 2 * probeBackoffBase}, {2, probeBackoffMax}, {10, probeBackoffMax},
		{1<<31 - 1, probeBackoffMax},
	} {
		t.Run(fmt.Sprintf("%d failed probes", tt.probesFailed), func(t *testing.T) {
			lowest, highest := tt.nominal, time.Duration(0)
			for i := range samples {
				d := probeDelay(tt.probesFailed, fmt.Sprintf("process-%d", i))
				if d <= tt.nominal*4/5 || d > tt.nominal {
					t.Fatalf("probeDelay() = %s, want it in (%s, %s]", d, tt.nominal*4/5, tt.nominal)
				}
				lowest, highest = min(lowest, d), max(highest, d)
			}
			if highest-lowest < tt.nominal/10 {
				t.Errorf("probeDelay() spread over only [%s, %s]: no jitter to speak of", lowest, highest)
			}
		})
	}
	t.Run("a 90-second outage costs at most 19 probes, and one comes at least every probeBackoffMax", func(t *testing.T) {
		for i := range samples {
			seed := fmt.Sprintf("process-%d", i)
			probes, elapsed := 0, time.Duration(0)
			for k := int32(0); ; k++ {
				gap := probeDelay(k, seed)
				if gap > probeBackoffMax {
					t.Fatalf("a gap of %s between probes", gap)
				}
				if elapsed += gap; elapsed > 90*time.Second {
					break
				}
				probes++
			}
			if probes > 19 {
				t.Fatalf("seed %s: %d probes in 90 s", seed, probes)
			}
		}
	})
}
