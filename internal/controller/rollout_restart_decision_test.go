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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestRolloutRestart(t *testing.T) {
	now := heldIssuedAt.Add(time.Hour)
	held := requestedAt(heldTokenFor("held", 2*time.Hour), heldIssuedAt.Add(50*time.Minute))
	restartedFor := func(token time.Time, at time.Time) *tokensv1alpha1.RolloutRestartStatus {
		return &tokensv1alpha1.RolloutRestartStatus{TokenRefreshTime: metav1.NewTime(token), Time: metav1.NewTime(at)}
	}
	var never *tokensv1alpha1.RolloutRestartStatus
	tests := []struct {
		name       string
		enabled    bool
		workloads  int
		last       *tokensv1alpha1.RolloutRestartStatus
		held       *heldToken
		written    bool
		wantAction restartAction
		wantWait   time.Duration
	}{
		{"no workloads named", true, 0, never, held, true, restartNothing, 0},
		{"no workloads named, restarts disabled", false, 0, never, held, true, restartNothing, 0},
		{"named, but restarts disabled", false, 2, never, held, true, restartDisabled, 0},
		{"named, restarts disabled, no token yet", false, 2, never, nil, false, restartDisabled, 0},
		{"no token yet", true, 2, never, nil, false, restartNothing, 0},
		{"the first token, written now", true, 2, never, held, true, restartNow, 0},
		{"a token found, not written now: adopted, not restarted", true, 2, never, held, false, restartAdopt, 0},
		{"already restarted for this token: a resync, a retry, a restarted operator", true, 2,
			restartedFor(held.RequestedAt, now.Add(-time.Second)), held, false, restartNothing, 0},
		{"a new token, long after the last restart", true, 2,
			restartedFor(heldIssuedAt, now.Add(-time.Hour)), held, true, restartNow, 0},
		{"a new token found after a restart of the operator, not yet restarted for", true, 2,
			restartedFor(heldIssuedAt, now.Add(-time.Hour)), held, false, restartNow, 0},
		{"a new token within the minimum interval waits for its end", true, 2,
			restartedFor(heldIssuedAt, now.Add(-time.Minute)), held, true, restartWait, 4 * time.Minute},
		{"at the end of the minimum interval", true, 2,
			restartedFor(heldIssuedAt, now.Add(-5*time.Minute)), held, true, restartNow, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, wait := rolloutRestart(restartInput{now: now, enabled: tt.enabled, minInterval: 5 * time.Minute,
				last: tt.last, workloads: tt.workloads, requestedAt: requestedAtOf(tt.held), written: tt.written})
			if action != tt.wantAction || wait != tt.wantWait {
				t.Errorf("rolloutRestart() = %v, %v; want %v, %v", action, wait, tt.wantAction, tt.wantWait)
			}
		})
	}
}

func requestedAtOf(held *heldToken) time.Time {
	if held == nil {
		return time.Time{}
	}
	return held.RequestedAt
}

func TestSooner(t *testing.T) {
	for _, tt := range []struct{ a, b, want time.Duration }{
		{0, 0, 0}, {time.Second, 0, time.Second}, {0, time.Second, time.Second},
		{time.Second, time.Minute, time.Second}, {time.Minute, time.Second, time.Second},
	} {
		if got := sooner(tt.a, tt.b); got != tt.want {
			t.Errorf("sooner(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
