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

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// restartAction is what to do about a VippsToken's rolloutRestartTargets in one reconcile.
type restartAction int

const (
	// restartNothing: no workloads are named, or they have been restarted for the token the
	// targets hold (or the targets hold none yet).
	restartNothing restartAction = iota
	// restartDisabled: workloads are named, but the operator was not started with
	// --enable-rollout-restarts.
	restartDisabled
	// restartAdopt: the first token seen with these workloads was not written by this
	// reconcile (the operator restarted, or restarts were just enabled): it is recorded as
	// handled without a restart, so that no upgrade or restart of the operator restarts
	// every workload.
	restartAdopt
	// restartWait: a new token waits for the minimum interval since the last restart.
	restartWait
	// restartNow: restart the workloads for the token the targets hold.
	restartNow
)

// restartInput is what the decision looks at.
type restartInput struct {
	now         time.Time
	enabled     bool
	minInterval time.Duration
	// last is the restart recorded in status.
	last *tokensv1alpha1.RolloutRestartStatus
	// workloads is how many workloads spec.rolloutRestartTargets names.
	workloads int
	// requestedAt identifies the token the targets hold (zero: they hold none); written is
	// true when this reconcile wrote it.
	requestedAt time.Time
	written     bool
}

// rolloutRestart decides what to do about the workloads, and for restartWait, how long to
// wait. A token is restarted for at most once: the restart is recorded in status with the
// token's identity (its lastRefreshTime), which a restart of the operator reads back.
func rolloutRestart(in restartInput) (restartAction, time.Duration) {
	last := in.last
	switch {
	case in.workloads == 0 || in.requestedAt.IsZero() && in.enabled:
		return restartNothing, 0
	case !in.enabled:
		return restartDisabled, 0
	case last != nil && last.TokenRefreshTime.Time.Equal(in.requestedAt):
		return restartNothing, 0
	case last == nil && !in.written:
		return restartAdopt, 0
	}
	if last != nil {
		if next := last.Time.Add(in.minInterval); in.now.Before(next) {
			return restartWait, next.Sub(in.now)
		}
	}
	return restartNow, 0
}
