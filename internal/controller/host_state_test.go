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
	"net/http"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

var hostNow = time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)

func TestAdmitRequest(t *testing.T) {
	at := func(d time.Duration) time.Time { return hostNow.Add(d) }
	down := hostState{phase: hostDown, downSince: at(-time.Minute), nextProbe: at(5 * time.Second)}
	fresh := hostState{phase: hostUp, lastSuccess: at(-quietBeforeConfirm)}
	quiet := hostState{phase: hostUp, lastSuccess: at(-quietBeforeConfirm - time.Millisecond)}
	confirming := quiet
	confirming.confirming = true
	tests := []struct {
		name      string
		state     hostState
		asked     bool
		want      admission
		wantPhase hostPhase
	}{
		{"unknown host: up, and never heard from: confirm it", hostState{}, false, admitConfirm, ""},
		{"up, a success just now: send", fresh, false, admitSend, hostUp},
		{"up and quiet: confirm it", quiet, false, admitConfirm, hostUp},
		{"up, another request confirms it: hold", confirming, false, admitHold, hostUp},
		{"up, another request confirms it, a refresh asked for: hold all the same", confirming, true, admitHold, hostUp},
		{"down, probe not due: wait", down, false, admitWait, hostDown},
		{"down, probe due: the probe", withProbeAt(down, at(0)), false, admitProbe, hostProbing},
		{"down, probe overdue: the probe", withProbeAt(down, at(-time.Second)), false, admitProbe, hostProbing},
		{"down, a refresh asked for: the probe at once", down, true, admitProbe, hostProbing},
		{"probing: wait, one probe at a time", hostState{phase: hostProbing, nextProbe: at(-time.Second)}, false,
			admitWait, hostProbing},
		{"probing, a refresh asked for: wait all the same", hostState{phase: hostProbing}, true, admitWait, hostProbing},
		{"down within a Retry-After, a refresh asked for: wait",
			hostState{phase: hostDown, nextProbe: at(time.Second), notBefore: at(time.Second)}, true, admitWait, hostDown},
		{"down, Retry-After over, probe due: the probe",
			hostState{phase: hostDown, nextProbe: at(0), notBefore: at(0)}, false, admitProbe, hostProbing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, got := admitRequest(tt.state, hostNow, tt.asked)
			if got != tt.want || state.phase != tt.wantPhase {
				t.Errorf("admitRequest() = %v with phase %q, want %v with phase %q", got, state.phase, tt.want, tt.wantPhase)
			}
			if state.confirming != (tt.want == admitConfirm || tt.want == admitHold) {
				t.Errorf("confirming = %t after %v", state.confirming, got)
			}
		})
	}
}

func withProbeAt(s hostState, at time.Time) hostState {
	s.nextProbe = at
	return s
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want requestOutcome
	}{
		{"success", nil, outcomeSuccess},
		{"503", vippsAPIError(t, http.StatusServiceUnavailable, ""), outcomeHostFailure},
		{"500", vippsAPIError(t, http.StatusInternalServerError, ""), outcomeHostFailure},
		{"429", vippsAPIError(t, http.StatusTooManyRequests, "30"), outcomeHostFailure},
		{"a refused connection or a timeout", fmt.Errorf("%w: dial tcp: connection refused", vipps.ErrUnavailable),
			outcomeHostFailure},
		{"401: about the credentials", vippsAPIError(t, http.StatusUnauthorized, ""), outcomeNeutral},
		{"400: about the credentials", vippsAPIError(t, http.StatusBadRequest, ""), outcomeNeutral},
		{"403: about the credentials", vippsAPIError(t, http.StatusForbidden, ""), outcomeNeutral},
		{"a malformed answer", fmt.Errorf("%w: not JSON", vipps.ErrMalformedResponse), outcomeNeutral},
		{"cancelled by the operator's shutdown", fmt.Errorf("%w: %w", vipps.ErrUnavailable, context.Canceled),
			outcomeNeutral},
		{"an unforeseen error", errors.New("boom"), outcomeNeutral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcomeOf(tt.err); got != tt.want {
				t.Errorf("outcomeOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestAfterRequest(t *testing.T) {
	at := func(d time.Duration) time.Time { return hostNow.Add(d) }
	unavailable := vippsAPIError(t, http.StatusServiceUnavailable, "")
	rejected := vippsAPIError(t, http.StatusUnauthorized, "")
	retryAfter30s := vippsAPIError(t, http.StatusTooManyRequests, "30")
	down := hostState{phase: hostDown, downSince: at(-time.Minute), probesFailed: 2, nextProbe: at(3 * time.Second),
		cause: unavailable}
	probing := down
	probing.phase, probing.nextProbe = hostProbing, at(-time.Second)

	confirming := hostState{phase: hostUp, lastSuccess: at(-time.Minute), confirming: true}
	tests := []struct {
		name  string
		state hostState
		as    admission
		err   error
		check func(t *testing.T, s hostState)
	}{
		{"success on an up host: up", hostState{phase: hostUp}, admitSend, nil, isUp},
		{"the confirmation succeeds: up, confirmed", confirming, admitConfirm, nil, isUp},
		{"the probe succeeds: up, the outage forgotten", probing, admitProbe, nil, isUp},
		{"a request in flight since before the outage succeeds: up", down, admitSend, nil, isUp},
		{"the confirmation fails: down", confirming, admitConfirm, unavailable, func(t *testing.T, s hostState) {
			wantDown(t, s, at(0), 0)
			if s.confirming {
				t.Error("still confirming")
			}
		}},
		{"the confirmation is rejected (401): up, the next request confirms it", confirming, admitConfirm, rejected,
			func(t *testing.T, s hostState) {
				if !s.up() || s.confirming || !s.lastSuccess.Equal(at(-time.Minute)) {
					t.Errorf("state = %+v, want up, unconfirmed and no longer confirming", s)
				}
			}},
		{"a 503 on an up host: down from now, the first probe after probeBackoffBase or a little less",
			hostState{phase: hostUp}, admitSend, unavailable, func(t *testing.T, s hostState) {
				wantDown(t, s, at(0), 0)
				wantProbeWithin(t, s, at(probeBackoffBase*4/5), at(probeBackoffBase))
			}},
		{"a 503 on an unknown host: down", hostState{}, admitSend, unavailable, func(t *testing.T, s hostState) {
			wantDown(t, s, at(0), 0)
		}},
		{"the probe fails: down since the start, its backoff doubled", probing, admitProbe, unavailable,
			func(t *testing.T, s hostState) {
				wantDown(t, s, at(-time.Minute), 3)
				wantProbeWithin(t, s, at(probeBackoffMax*4/5), at(probeBackoffMax))
			}},
		{"a request in flight since before the outage fails: the schedule stays", down, admitSend, unavailable,
			func(t *testing.T, s hostState) {
				wantDown(t, s, at(-time.Minute), 2)
				wantProbeWithin(t, s, at(3*time.Second), at(3*time.Second))
			}},
		{"a request in flight fails while the probe is in flight: still probing", probing, admitSend, unavailable,
			func(t *testing.T, s hostState) {
				if s.phase != hostProbing || s.probesFailed != 2 {
					t.Errorf("phase %q with %d failed probes, want probing with 2", s.phase, s.probesFailed)
				}
			}},
		{"a 429 with Retry-After on an up host: no probe before it", hostState{phase: hostUp}, admitSend, retryAfter30s,
			func(t *testing.T, s hostState) {
				wantDown(t, s, at(0), 0)
				wantProbeWithin(t, s, at(30*time.Second), at(30*time.Second))
				if !s.notBefore.Equal(at(30 * time.Second)) {
					t.Errorf("notBefore = %s, want 30s from now", s.notBefore)
				}
			}},
		{"a 429 with Retry-After on a request in flight: the probe waits for it too", down, admitSend, retryAfter30s,
			func(t *testing.T, s hostState) {
				wantProbeWithin(t, s, at(30*time.Second), at(30*time.Second))
			}},
		{"a 401 on an up host: stays up", hostState{phase: hostUp}, admitSend, rejected, func(t *testing.T, s hostState) {
			if !s.up() || !s.downSince.IsZero() {
				t.Errorf("state = %+v, want up", s)
			}
		}},
		{"a 401 on the probe: down, the probe due at once for the next VippsToken", probing, admitProbe, rejected,
			func(t *testing.T, s hostState) {
				wantDown(t, s, at(-time.Minute), 2)
				if s.nextProbe.After(hostNow) {
					t.Errorf("nextProbe = %s, want it due", s.nextProbe)
				}
			}},
		{"a 401 on a request in flight while probing: still probing", probing, admitSend, rejected,
			func(t *testing.T, s hostState) {
				if s.phase != hostProbing {
					t.Errorf("phase %q, want probing", s.phase)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, afterRequest(tt.state, tt.as, tt.err, hostNow, "seed"))
		})
	}
}

func isUp(t *testing.T, s hostState) {
	t.Helper()
	if !s.up() || !s.downSince.IsZero() || s.cause != nil || s.probesFailed != 0 || s.confirming ||
		!s.lastSuccess.Equal(hostNow) {
		t.Errorf("state = %+v, want up, confirmed now, with nothing of an outage", s)
	}
}

func wantDown(t *testing.T, s hostState, since time.Time, probesFailed int32) {
	t.Helper()
	if s.phase != hostDown || !s.downSince.Equal(since) || s.probesFailed != probesFailed || s.cause == nil {
		t.Errorf("state = %+v, want down since %s with %d failed probes and a cause", s, since, probesFailed)
	}
}

// wantProbeWithin checks the next probe.
func wantProbeWithin(t *testing.T, s hostState, earliest, latest time.Time) {
	t.Helper()
	if s.nextProbe.Before(earliest) || s.nextProbe.After(latest) {
		t.Errorf("nextProbe = %s, want it in [%s, %s]", s.nextProbe, earliest, latest)
	}
}

func TestHostOf(t *testing.T) {
	tests := map[string]string{
		"https://api.vipps.no":        "api.vipps.no",
		"https://apitest.vipps.no/":   "apitest.vipps.no",
		"http://127.0.0.1:8080":       "127.0.0.1:8080",
		"https://proxy.example/vipps": "proxy.example",
		"not a URL":                   "not a URL",
	}
	for baseURL, want := range tests {
		if got := hostOf(baseURL); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", baseURL, got, want)
		}
	}
}

func TestNextTryOfHost(t *testing.T) {
	now := hostNow.Add(300 * time.Millisecond)
	if got := nextTryOfHost(hostState{phase: hostDown, nextProbe: hostNow.Add(4 * time.Second)}, now); !got.Equal(hostNow.Add(4 * time.Second)) {
		t.Errorf("down: %s, want the next probe", got)
	}
	// Later in the same second: rounding now up would put the next try after the probe.
	if got := nextTryOfHost(hostState{phase: hostDown, nextProbe: hostNow.Add(500 * time.Millisecond)}, now); !got.Equal(hostNow.Add(500 * time.Millisecond)) {
		t.Errorf("down, the probe due within the second: %s, want the next probe", got)
	}
	if got := nextTryOfHost(hostState{phase: hostProbing, nextProbe: hostNow.Add(-time.Second)}, now); !got.Equal(now) {
		t.Errorf("probing: %s, want now", got)
	}
}

func TestCeilSecond(t *testing.T) {
	if got := ceilSecond(hostNow); !got.Equal(hostNow) {
		t.Errorf("a whole second: %s", got)
	}
	if got := ceilSecond(hostNow.Add(time.Nanosecond)); !got.Equal(hostNow.Add(time.Second)) {
		t.Errorf("a nanosecond over: %s", got)
	}
}
