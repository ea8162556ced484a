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

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// trailNow is when the tables' statuses are looked at.
var trailNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// failedStatus is the status of a VippsToken whose request failed at failedAt, while its
// targets held the token that expires at expiresAt.
func failedStatus(failedAt, expiresAt time.Time) *tokensv1alpha1.VippsTokenStatus {
	status := &tokensv1alpha1.VippsTokenStatus{
		TokenStatus: tokensv1alpha1.TokenStatus{
			ExpiresAt: metaTime(expiresAt), FailureCount: 3, LastFailureTime: metaTime(failedAt),
			NextRetryTime: metaTime(failedAt.Add(6 * time.Second)),
		},
		CredentialsResourceVersion: "7", LastRefreshRequest: "asked",
	}
	meta.SetStatusCondition(&status.Conditions, refreshedCondition(vipps.ErrUnavailable, time.Time{}))
	return status
}

func heldAt(requestedAt time.Time) *heldToken {
	return &heldToken{Token: vipps.Token{RequestedAt: requestedAt, ExpiresAt: requestedAt.Add(time.Hour)}}
}

func TestEndsFailures(t *testing.T) {
	failedAt := trailNow.Add(-time.Minute + 300*time.Millisecond)
	old := trailNow.Add(-time.Minute)
	cases := []struct {
		name   string
		status *tokensv1alpha1.VippsTokenStatus
		held   *heldToken
		want   bool
	}{
		{"a token requested after the failure", failedStatus(failedAt, old), heldAt(trailNow.Truncate(time.Second)), true},
		{"no failure recorded", &tokensv1alpha1.VippsTokenStatus{}, heldAt(trailNow), false},
		{"no token in the targets", failedStatus(failedAt, old), nil, false},
		{"the token requested before the failure", failedStatus(failedAt, old), heldAt(failedAt.Add(-time.Hour)), false},
		{"within the failure's second: cannot tell", failedStatus(failedAt, old), heldAt(failedAt.Truncate(time.Second)), false},
		{"the token status describes", failedStatus(failedAt, trailNow.Add(time.Hour)), heldAt(trailNow), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := endsFailures(c.status, c.held); got != c.want {
				t.Errorf("endsFailures() = %v, want %v", got, c.want)
			}
		})
	}
}

func TestStatusMayTrail(t *testing.T) {
	failedAt := trailNow.Add(-time.Minute)
	held := heldAt(trailNow)
	// recovered is what the reconcile that wrote held computes: its times, no failures, the
	// token issued, and Ready.
	recovered := func(change func(*tokensv1alpha1.VippsTokenStatus)) *tokensv1alpha1.VippsTokenStatus {
		status := failedStatus(failedAt, failedAt)
		recordIssuedStatus(status, held.ExpiresAt)
		status.ExpiresAt, status.RenewalTime, status.LastRefreshTime =
			metaTime(held.ExpiresAt), metaTime(trailNow.Add(40*time.Minute)), metaTime(held.RequestedAt)
		status.ObservedGeneration = 2
		meta.SetStatusCondition(&status.Conditions, metav1.Condition{
			Type: tokensv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonTokenIssued})
		if change != nil {
			change(status)
		}
		return status
	}
	cases := []struct {
		name  string
		after *tokensv1alpha1.VippsTokenStatus
		held  *heldToken
		want  bool
	}{
		{"the failures ended, nothing else changed", recovered(nil), held, true},
		{"the failures did not end", recovered(nil), heldAt(failedAt.Add(-time.Hour)), false},
		{"a refresh request acted on", recovered(func(s *tokensv1alpha1.VippsTokenStatus) { s.LastRefreshRequest = "again" }), held, false},
		{"new credentials", recovered(func(s *tokensv1alpha1.VippsTokenStatus) { s.CredentialsResourceVersion = "8" }), held, false},
		{"a workload restarted", recovered(func(s *tokensv1alpha1.VippsTokenStatus) {
			s.LastRolloutRestart = &tokensv1alpha1.RolloutRestartStatus{Time: metav1.NewTime(trailNow)}
		}), held, false},
		{"a failure recorded after all", recovered(func(s *tokensv1alpha1.VippsTokenStatus) {
			s.FailureCount, s.LastFailureTime = 1, metaTime(trailNow)
		}), held, false},
		{"Refreshed says other than the token issued", recovered(func(s *tokensv1alpha1.VippsTokenStatus) {
			meta.SetStatusCondition(&s.Conditions, refreshedCondition(vipps.ErrUnavailable, time.Time{}))
		}), held, false},
		{"a condition no reconcile derives from the targets", recovered(func(s *tokensv1alpha1.VippsTokenStatus) {
			meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: tokensv1alpha1.ConditionRolloutRestarted,
				Status: metav1.ConditionTrue, Reason: "Restarted"})
		}), held, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := statusMayTrail(failedStatus(failedAt, failedAt), c.after, c.held); got != c.want {
				t.Errorf("statusMayTrail() = %v, want %v", got, c.want)
			}
		})
	}
}
