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

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// Priorities in controller-runtime's priority queue, which hands out the highest first and,
// within one priority, the longest waiting first.
//
// By default the queue ranks work by where it came from, not by what it is for: the items of
// the initial list get LowPriority and keep it through every RequeueAfter (a result without
// a Priority preserves the request's), while every VippsToken woken by an event of its own
// runs at 0. A few VippsTokens changed over and over kept every worker busy at 0 and starved
// the rest, whose tokens expired. Ranking by urgency makes a token that is due go ahead of
// any ordinary work, whatever the other VippsTokens do.
//
// Every due token gets an urgent turn for the moment it comes due: its reconcile schedules one
// (requeuePriority), and until it has run, a timer of the handler does (enqueueByUrgency). The
// queue holds one item per VippsToken, at the higher of the priorities it was added with, so a
// VippsToken changed over and over while its urgent turn is scheduled runs urgently too; but
// within a priority the queue is first in, first out, so a due token waits at most for the
// items queued before it, one per VippsToken.
const (
	// priorityUrgent is a VippsToken whose targets need it now: no valid token, the renewal
	// time passed, or a retry due.
	priorityUrgent = 100
	// priorityRecovered is a VippsToken that waited for its host through an outage and is
	// woken by the host's first success, or offered the host's probe (host_availability.go).
	// Its token has been due longest. Above priorityUrgent, so that the queue hands these out
	// in the order they were added, the closest to expiry first, rather than in the order
	// their earlier urgent turns were scheduled.
	priorityRecovered = priorityUrgent + 1
	// priorityOrdinary is a VippsToken whose spec, annotations or targets changed but whose
	// token still serves.
	priorityOrdinary = 0
	// priorityLow is a VippsToken seen again without a change (the initial list, a resync),
	// whose token still serves: it is re-verified when nothing else waits.
	priorityLow = handler.LowPriority
)

// workPriority ranks a VippsToken for the work queue by how soon its targets need it.
// unchanged is true for an event that carries no change: the initial list or a resync.
func workPriority(now time.Time, status *tokensv1alpha1.VippsTokenStatus, unchanged bool) int {
	switch {
	case tokenDue(now, status):
		return priorityUrgent
	case unchanged:
		return priorityLow
	default:
		return priorityOrdinary
	}
}

// tokenDue is true when the targets hold no valid token (as far as status knows), or when a
// request is due: the retry of a failed one, or else the renewal. A failed renewal waiting
// for its retry is not due: the token it would replace still serves.
func tokenDue(now time.Time, status *tokensv1alpha1.VippsTokenStatus) bool {
	switch {
	case status.ExpiresAt == nil || !now.Before(status.ExpiresAt.Time):
		return true
	case status.NextRetryTime != nil:
		return !now.Before(status.NextRetryTime.Time)
	default:
		return status.RenewalTime != nil && !now.Before(status.RenewalTime.Time)
	}
}

// requeuePriority is the priority of the VippsToken's next turn that result (with err)
// schedules, or nil when nothing is requeued. Every turn the reconciler schedules is urgent: a
// RequeueAfter fires exactly when something is due (see requeueAfter), the renewal, a retry or
// the expiry, and a failed reconcile is retried with controller-runtime's backoff, which bounds
// what it costs. Without a Priority the turn would keep the request's: LowPriority for an item
// of the initial list, which any busy VippsToken starves. A retry at less than urgent could
// starve likewise past the moment the token comes due, with no other turn scheduled.
func requeuePriority(result ctrl.Result, err error) *int {
	if err != nil || result.RequeueAfter > 0 {
		return new(priorityUrgent)
	}
	return nil
}
