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
	"strconv"
	"time"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// refreshTrigger is one reason to request a new token, in the manner of cert-manager's
// trigger policies: refreshTriggers are tried in order, and the first that fires names why
// a token is requested, in the log and in the TokenIssued event.
type refreshTrigger struct {
	// reason is the trigger's name, CamelCase like a condition reason.
	reason string
	// because completes "requested because …".
	because string
	fires   func(in refreshInput) bool
}

// refreshInput is what the triggers look at.
type refreshInput struct {
	now time.Time
	tok *tokensv1alpha1.VippsToken
	// held is what the targets hold; nil when they hold no valid token.
	held *heldToken
	// inputsHash identifies what a token requested now would be issued for.
	inputsHash string
}

var refreshTriggers = []refreshTrigger{
	{"NoValidToken", "the targets held no valid token", func(in refreshInput) bool { return in.held == nil }},
	{"InputsChanged", "the spec or the credentials changed",
		func(in refreshInput) bool { return in.held.inputsHash != in.inputsHash }},
	{"RefreshRequested", "a refresh was requested", func(in refreshInput) bool { return refreshRequested(in.tok) }},
	// A failed request is retried (retryBlocked says when) until one succeeds, also when
	// what asked for it, a refresh request, has been acted on.
	{"RetryAfterFailure", "an earlier request failed",
		func(in refreshInput) bool { return in.tok.Status.NextRetryTime != nil }},
	{"RenewalTimeReached", "the renewal time had come",
		func(in refreshInput) bool { return !in.now.Before(heldRenewalTime(in.tok, in.held)) }},
}

// refreshReason is the first trigger that fires, and false when none does: the token the
// targets hold serves.
func refreshReason(in refreshInput) (refreshTrigger, bool) {
	for _, trigger := range refreshTriggers {
		if trigger.fires(in) {
			return trigger, true
		}
	}
	return refreshTrigger{}, false
}

// refreshRequested is true when the refresh annotation carries a value not yet acted on.
func refreshRequested(tok *tokensv1alpha1.VippsToken) bool {
	value := tok.Annotations[tokensv1alpha1.AnnotationRefresh]
	return value != "" && value != tok.Status.LastRefreshRequest
}

// retryBlocked is true while a failed token request waits for its retry time. A change to
// the spec or to the credentials Secret, or an explicit refresh request, retries at once:
// the cause of the failure may be gone.
func retryBlocked(now time.Time, tok *tokensv1alpha1.VippsToken, credentialsVersion string) bool {
	status := &tok.Status
	return status.NextRetryTime != nil && now.Before(status.NextRetryTime.Time) &&
		unchangedByAPerson(tok, credentialsVersion)
}

// intervalHolds is true while the minimum interval after the last token obtained holds
// back the refresh of a token that expired within it: Vipps issued one that lives shorter
// than the interval, which holds all the same. (A renewal time never falls within it.)
func intervalHolds(now time.Time, tok *tokensv1alpha1.VippsToken, held *heldToken, credentialsVersion string) bool {
	return held == nil && now.Before(minimumIntervalEnd(tok)) && unchangedByAPerson(tok, credentialsVersion)
}

// unchangedByAPerson is true when neither the spec nor the credentials Secret changed since
// the last reconcile and no refresh is requested: what a person does goes at once.
func unchangedByAPerson(tok *tokensv1alpha1.VippsToken, credentialsVersion string) bool {
	status := &tok.Status
	return status.ObservedGeneration == tok.Generation &&
		status.CredentialsResourceVersion == credentialsVersion &&
		!refreshRequested(tok)
}

// heldRenewalTime is the renewal time of the held token under tok's refresh policy.
func heldRenewalTime(tok *tokensv1alpha1.VippsToken, held *heldToken) time.Time {
	return renewalTime(held.RequestedAt, held.ExpiresAt, tok.Spec.RefreshPolicy, jitterSeed(tok, held.ExpiresAt))
}

// jitterSeed makes each token's jitter its own and stable: tokens created together get
// different jitter, and a restart computes the same renewal time again.
func jitterSeed(tok *tokensv1alpha1.VippsToken, expiresAt time.Time) string {
	return string(tok.UID) + "/" + strconv.FormatInt(expiresAt.Unix(), 10)
}

// minimumIntervalEnd is when the minimum interval after the last token request that
// succeeded ends, or the zero time when there was none. It counts from when the operator
// sent that request, never from claims inside the token.
func minimumIntervalEnd(tok *tokensv1alpha1.VippsToken) time.Time {
	last := tok.Status.LastRefreshTime
	if last == nil {
		return time.Time{}
	}
	return last.Add(minimumInterval(tok.Spec.RefreshPolicy))
}

// hostWaitRecheck is how often a VippsToken that waits for its host comes back by itself,
// in case the host's wake-up missed it; coming back also brings the next probe's time in
// its status up to date.
const hostWaitRecheck = transientBackoffMax

// requeueAfter is how long until the next thing that needs the reconciler: the renewal, a
// retry, the expiry (so that Ready turns False on time), or, when the targets hold no valid
// token, the end of the minimum interval that holds the next request back. Zero means
// nothing is scheduled; a watch event will bring the VippsToken back.
//
// A VippsToken that waits for its host (waitingForHost) is brought back by the host's
// first success or offered its probe (host_availability.go), not by its retry time: every
// waiting VippsToken coming back at every probe would cost a write each, for nothing. It
// comes back by itself at its expiry, and after hostWaitRecheck.
func requeueAfter(now time.Time, tok *tokensv1alpha1.VippsToken, waitingForHost bool) time.Duration {
	status := &tok.Status
	candidates := []*time.Time{timeOf(status.RenewalTime), timeOf(status.ExpiresAt)}
	if waitingForHost {
		candidates = append(candidates, new(now.Add(hostWaitRecheck)))
	} else {
		candidates = append(candidates, timeOf(status.NextRetryTime))
	}
	if status.ExpiresAt == nil || !now.Before(status.ExpiresAt.Time) {
		intervalEnd := minimumIntervalEnd(tok)
		candidates = append(candidates, &intervalEnd)
	}
	var next time.Duration
	for _, t := range candidates {
		if t != nil && t.After(now) {
			next = sooner(next, t.Sub(now))
		}
	}
	return next
}

// sooner is the sooner of two requeue delays, where 0 schedules nothing.
func sooner(a, b time.Duration) time.Duration {
	if a == 0 || b > 0 && b < a {
		return b
	}
	return a
}
