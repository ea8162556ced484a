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

// refreshReason says why tok needs a new token now, or "" when the token the targets hold
// serves. inputsHash identifies what a token requested now would be issued for.
func refreshReason(now time.Time, tok *tokensv1alpha1.VippsToken, held *heldToken, inputsHash string) string {
	switch {
	case held == nil:
		return "the targets hold no valid token"
	case held.inputsHash != inputsHash:
		return "the spec or the credentials changed"
	case refreshRequested(tok):
		return "a refresh was requested"
	case tok.Status.NextRetryTime != nil:
		// A failed request is retried (retryBlocked says when) until one succeeds, also
		// when what asked for it, a refresh request, has been acted on.
		return "a failed request is retried"
	case !now.Before(heldRenewalTime(tok, held)):
		return "the renewal time has come"
	}
	return ""
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
		status.ObservedGeneration == tok.Generation &&
		status.CredentialsResourceVersion == credentialsVersion &&
		!refreshRequested(tok)
}

// heldRenewalTime is the renewal time of the held token under tok's refresh policy.
func heldRenewalTime(tok *tokensv1alpha1.VippsToken, held *heldToken) time.Time {
	return renewalTime(held.IssuedAt, held.ExpiresAt, tok.Spec.RefreshPolicy, jitterSeed(tok, held.ExpiresAt))
}

// jitterSeed makes each token's jitter its own and stable: tokens created together get
// different jitter, and a restart computes the same renewal time again.
func jitterSeed(tok *tokensv1alpha1.VippsToken, expiresAt time.Time) string {
	return string(tok.UID) + "/" + strconv.FormatInt(expiresAt.Unix(), 10)
}

// requeueAfter is how long until the next thing that needs the reconciler: the renewal, a
// retry, or the expiry (so that Ready turns False on time). Zero means nothing is scheduled;
// a watch event will bring the VippsToken back.
func requeueAfter(now time.Time, status *tokensv1alpha1.VippsTokenStatus) time.Duration {
	var next time.Duration
	for _, t := range []*time.Time{timeOf(status.RenewalTime), timeOf(status.NextRetryTime), timeOf(status.ExpiresAt)} {
		if t == nil || !t.After(now) {
			continue
		}
		if d := t.Sub(now); next == 0 || d < next {
			next = d
		}
	}
	return next
}
