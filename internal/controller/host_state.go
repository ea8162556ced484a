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
	"net/url"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// Every VippsToken of a cluster talks to the same one or two hosts, so an outage is a
// property of the host, not of a token. While a host is down, the VippsTokens that need it
// do not each retry on a backoff of their own (hundreds of requests to a service that is
// down, and a recovery as slow as the longest backoff): one request at a time, the probe,
// goes on the host's own backoff, and its first success brings every waiting VippsToken
// back at once (host_availability.go). These are the decisions; they are pure.

// hostPhase is what the operator believes of a host.
type hostPhase string

const (
	// hostUp: requests go as usual. The operator starts with every host up.
	hostUp hostPhase = "up"
	// hostDown: the last request failed in a way that says the host is unavailable; no
	// request goes but the probe, at its time.
	hostDown hostPhase = "down"
	// hostProbing: down, and the probe is in flight; nothing else goes.
	hostProbing hostPhase = "probing"
)

// hostPhases are the phases in the order the metrics list them.
var hostPhases = []hostPhase{hostUp, hostDown, hostProbing}

// quietBeforeConfirm is how long a host that is up may go without a successful request
// before the next request confirms it: that one goes alone, and the others that come due
// meanwhile hold until it answers. VippsTokens come due together (a cold start, a wave of
// renewals), and the workers would otherwise send one request each at the same moment, all
// of them lost when Vipps went down in the quiet. A host answering all the time, as in a
// cold start, needs no confirmation; a confirmation costs the others one round trip.
const quietBeforeConfirm = 500 * time.Millisecond

// hostState is what the operator knows of one host. The zero value is a host that is up.
type hostState struct {
	phase hostPhase
	// downSince is when the request failed that took the host down; zero while it is up.
	downSince time.Time
	// probesFailed counts the failed probes of this outage; the probe's backoff doubles with it.
	probesFailed int32
	// nextProbe is when the next probe may go.
	nextProbe time.Time
	// notBefore is the end of a Retry-After that the host asked for: no request comes
	// sooner, not even a refresh that a person asks for.
	notBefore time.Time
	// cause is the latest failure of this outage, which conditions and events repeat.
	cause error
	// lastSuccess is when a request to the host last succeeded.
	lastSuccess time.Time
	// confirming is true while the request that confirms a quiet host that is up is in flight.
	confirming bool
}

// up is true for a host that is up, the zero value included.
func (s hostState) up() bool { return s.phase == "" || s.phase == hostUp }

// admission says what a VippsToken whose token is due may do with its host.
type admission int

const (
	// admitSend: the host is up and answered recently; the request goes as usual.
	admitSend admission = iota
	// admitConfirm: the host is up but quiet; this request goes alone and confirms it.
	admitConfirm
	// admitHold: the host is up and another request confirms it; hold until it answers.
	admitHold
	// admitProbe: the host is down and its probe is due; this request is the probe.
	admitProbe
	// admitWait: the host is down; no request goes, and the VippsToken waits for the probe.
	admitWait
)

// admitRequest decides whether a token request may go to a host in state s at now, and
// returns the host's state afterwards. Only one probe is in flight at a time. A refresh that
// a person asked for (asked) may go as the probe before the probe's time, since the person
// may know that Vipps is back, but never before a Retry-After.
func admitRequest(s hostState, now time.Time, asked bool) (hostState, admission) {
	switch {
	case s.up() && now.Sub(s.lastSuccess) <= quietBeforeConfirm:
		return s, admitSend
	case s.up() && s.confirming:
		return s, admitHold
	case s.up():
		s.confirming = true
		return s, admitConfirm
	case s.phase == hostProbing, now.Before(s.notBefore):
		return s, admitWait
	case !now.Before(s.nextProbe) || asked:
		s.phase = hostProbing
		return s, admitProbe
	default:
		return s, admitWait
	}
}

// requestOutcome is what a request's result says about its host.
type requestOutcome int

const (
	// outcomeSuccess: the host issued a token; it is up.
	outcomeSuccess requestOutcome = iota
	// outcomeHostFailure: a 5xx, a timeout, a refused connection or a 429; the host is
	// unavailable, for every VippsToken alike.
	outcomeHostFailure
	// outcomeNeutral: rejected credentials (400, 401, 403), a malformed answer, a request
	// cancelled by the operator itself: they concern the VippsToken, not the host.
	outcomeNeutral
)

func outcomeOf(err error) requestOutcome {
	switch {
	case err == nil:
		return outcomeSuccess
	case errors.Is(err, context.Canceled):
		// The operator is shutting down; the host said nothing.
		return outcomeNeutral
	case errors.Is(err, vipps.ErrUnavailable), errors.Is(err, vipps.ErrRateLimited):
		return outcomeHostFailure
	default:
		return outcomeNeutral
	}
}

// afterRequest is the host's state after a request to it, admitted as as, ended at now with
// err. seed spreads the probes' jitter.
//
// A success brings the host up, or keeps it up, as confirmed. A failure while the host is up
// takes it down. A failure of the probe doubles the probe's backoff. A failure of a request
// that was already in flight when the host went down changes nothing but the cause: the
// probe's schedule is the host's, not the request's. A Retry-After holds every request back,
// whichever request received it. A neutral result of the probe hands the probe on at once,
// and one of a confirmation lets the next request confirm: it said nothing of the host.
func afterRequest(s hostState, as admission, err error, now time.Time, seed string) hostState {
	probe := as == admitProbe
	switch outcomeOf(err) {
	case outcomeSuccess:
		return hostState{phase: hostUp, lastSuccess: now}
	case outcomeNeutral:
		if probe && s.phase == hostProbing {
			s.phase = hostDown
		}
		if as == admitConfirm {
			s.confirming = false
		}
		return s
	}
	switch {
	case s.up():
		s = hostState{phase: hostDown, downSince: now, nextProbe: now.Add(probeDelay(0, seed))}
	case probe:
		s.phase = hostDown
		s.probesFailed++
		s.nextProbe = now.Add(probeDelay(s.probesFailed, seed))
	}
	s.cause = err
	if retryAfter, ok := vipps.RetryAfter(err); ok {
		s.notBefore = later(s.notBefore, ceilSecond(now.Add(retryAfter)))
		s.nextProbe = later(s.nextProbe, s.notBefore)
	}
	return s
}

// hostOf is the host that a base URL's token requests go to: its host and port, which is
// what an outage is a property of.
func hostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return baseURL
	}
	return u.Host
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ceilSecond is t rounded up to a whole second. The end of a Retry-After is kept so: status
// shows whole seconds, and must not show a time before the one the host allows.
func ceilSecond(t time.Time) time.Time {
	if truncated := t.Truncate(time.Second); !truncated.Equal(t) {
		return truncated.Add(time.Second)
	}
	return t
}

// nextTryOfHost is when a VippsToken that waits for a host in state s may next have its
// token requested: the host's next probe, or now while the probe is in flight, since its
// result may come at any moment. Status shows it truncated to the second, as the condition's
// message shows the probe's time.
func nextTryOfHost(s hostState, now time.Time) time.Time {
	return later(s.nextProbe, now)
}
