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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// recordWaitingForHost notes that tok's token is due but its request waits for its host,
// which is down: the Refreshed condition names the outage and the next probe. It counts as
// one failure, with one event, per outage, however often the VippsToken is reconciled while
// it waits; the waiting VippsTokens of a long outage cost no write per probe.
func (r *VippsTokenReconciler) recordWaitingForHost(tok *tokensv1alpha1.VippsToken, host string, state hostState,
	now time.Time) {
	status := &tok.Status
	status.NextRetryTime = metaTime(nextTryOfHost(state, now))
	condition := hostDownCondition(host, state)
	if status.LastFailureTime != nil && !status.LastFailureTime.Time.Before(state.downSince.Truncate(time.Second)) {
		// Already counted in this outage, by a failed request of its own or an earlier wait.
		meta.SetStatusCondition(&status.Conditions, condition)
		return
	}
	status.FailureCount++
	status.LastFailureTime = metaTime(now)
	r.recordCondition(tok, condition)
}

// expiryOf is the expiry of the token the targets hold, or the zero time when they hold
// none: what ranks VippsTokens waiting for their host.
func expiryOf(held *heldToken) time.Time {
	if held == nil {
		return time.Time{}
	}
	return held.ExpiresAt
}
