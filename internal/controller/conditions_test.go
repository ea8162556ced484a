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
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// sameCondition reports how got differs from want in type, status, reason or message.
func sameCondition(t *testing.T, got, want metav1.Condition) {
	t.Helper()
	if got.Type != want.Type || got.Status != want.Status || got.Reason != want.Reason {
		t.Errorf("condition = %s %s %s, want %s %s %s", got.Type, got.Status, got.Reason, want.Type, want.Status, want.Reason)
	}
	if got.Message != want.Message {
		t.Errorf("message = %q\nwant      %q", got.Message, want.Message)
	}
}

func TestRefreshedCondition(t *testing.T) {
	expiresAt := time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		err       error
		expiresAt time.Time
		want      metav1.Condition
	}{
		{"issued", nil, expiresAt, metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonTokenIssued,
			Message: "Vipps issued a token valid until 2026-03-01T13:00:00Z."}},
		{"issued, expiry shown in UTC", nil, expiresAt.In(time.FixedZone("CET", 3600)), metav1.Condition{
			Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonTokenIssued,
			Message: "Vipps issued a token valid until 2026-03-01T13:00:00Z."}},
		{"Vipps unavailable", fmt.Errorf("fetching Standard token: %w: HTTP 503", vipps.ErrUnavailable), time.Time{},
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonVippsUnavailable,
				Message: "Fetching Standard token: token service unavailable: HTTP 503. " +
					"The operator retries with backoff; a token still valid stays in the targets."}},
		{"credentials missing", fmt.Errorf("%w: Secret payments/vipps does not exist", errCredentialsNotFound), time.Time{},
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonCredentialsNotFound,
				Message: "Credentials not found: Secret payments/vipps does not exist. " +
					"Create the Secret or add the key; the operator retries as soon as it changes."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Type = tokensv1alpha1.ConditionRefreshed
			sameCondition(t, refreshedCondition(tt.err, tt.expiresAt), tt.want)
		})
	}
}

func TestReadyCondition(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }
	refreshed := func(status metav1.ConditionStatus, reason, message string) []metav1.Condition {
		return []metav1.Condition{{Type: tokensv1alpha1.ConditionRefreshed, Status: status, Reason: reason, Message: message}}
	}
	const rateLimited = "Rate limited: HTTP 429 Too Many Requests. The operator backs off and honours Retry-After."
	failed := refreshed(metav1.ConditionFalse, tokensv1alpha1.ReasonRateLimited, rateLimited)
	succeeded := refreshed(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenIssued, "Vipps issued a token.")
	conflict := fmt.Errorf("%w: Secret shop-token in namespace payments exists and is not owned by this VippsToken", errTargetConflict)

	tests := []struct {
		name      string
		status    tokensv1alpha1.VippsTokenStatus
		targetErr error
		want      metav1.Condition
	}{
		{"target conflict, even with a valid token",
			tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: at(30 * time.Minute), RenewalTime: at(10 * time.Minute)}, Conditions: succeeded},
			conflict, metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonTargetConflict,
				Message: failureMessage(conflict)}},
		{"valid token, last refresh failed: True with the failure's reason",
			tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: at(30 * time.Minute), RenewalTime: at(-time.Minute)}, Conditions: failed},
			nil, metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonRateLimited,
				Message: "The targets hold a token valid until 2026-03-01T13:00:00Z, but the last refresh failed: " + rateLimited}},
		{"valid token",
			tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: at(30 * time.Minute), RenewalTime: at(10 * time.Minute)}, Conditions: succeeded},
			nil, metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonTokenValid,
				Message: "The targets hold a token valid until 2026-03-01T13:00:00Z; it is renewed from 2026-03-01T12:40:00Z."}},
		{"valid token, no Refreshed condition yet",
			tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: at(time.Second), RenewalTime: at(-time.Minute)}},
			nil, metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonTokenValid,
				Message: "The targets hold a token valid until 2026-03-01T12:30:01Z; it is renewed from 2026-03-01T12:29:00Z."}},
		{"token expires now",
			tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: at(0), RenewalTime: at(-time.Minute)}, Conditions: succeeded},
			nil, metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonTokenExpired,
				Message: "The token in the targets expired at 2026-03-01T12:30:00Z."}},
		{"token expired, last refresh failed",
			tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: at(-time.Hour), RenewalTime: at(-2 * time.Hour)}, Conditions: failed},
			nil, metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonTokenExpired,
				Message: "The token in the targets expired at 2026-03-01T11:30:00Z. The last refresh failed: " + rateLimited}},
		{"never issued, refresh failed: the failure",
			tokensv1alpha1.VippsTokenStatus{Conditions: failed},
			nil, metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonRateLimited, Message: rateLimited}},
		{"never issued, nothing failed",
			tokensv1alpha1.VippsTokenStatus{},
			nil, metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonProgressing,
				Message: "Waiting for the first token."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Type = tokensv1alpha1.ConditionReady
			sameCondition(t, readyCondition(now, &tt.status, tt.targetErr), tt.want)
		})
	}
}

func TestHostDownCondition(t *testing.T) {
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	unavailable := fmt.Errorf("fetching Standard token: %w: HTTP 503", vipps.ErrUnavailable)
	rateLimited := fmt.Errorf("fetching Standard token: %w: HTTP 429", vipps.ErrRateLimited)
	tests := []struct {
		name  string
		state hostState
		want  metav1.Condition
	}{
		{"down: the cause, since when, and the next probe",
			hostState{phase: hostDown, downSince: since, nextProbe: since.Add(7 * time.Second), cause: unavailable},
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonVippsUnavailable,
				Message: "Fetching Standard token: token service unavailable: HTTP 503. The operator retries with " +
					"backoff; a token still valid stays in the targets. Vipps at api.vipps.no has been unavailable " +
					"since 2026-03-01T12:00:00Z: instead of a retry for each VippsToken, the operator sends one probe " +
					"request at a time there (the next at 2026-03-01T12:00:07Z), and renews this token as soon as " +
					"one succeeds."}},
		{"probing: one is under way",
			hostState{phase: hostProbing, downSince: since, nextProbe: since.Add(7 * time.Second), cause: unavailable},
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonVippsUnavailable,
				Message: "Fetching Standard token: token service unavailable: HTTP 503. The operator retries with " +
					"backoff; a token still valid stays in the targets. Vipps at api.vipps.no has been unavailable " +
					"since 2026-03-01T12:00:00Z: instead of a retry for each VippsToken, the operator sends one probe " +
					"request at a time there (one is under way), and renews this token as soon as one succeeds."}},
		{"rate limited: the reason says so",
			hostState{phase: hostDown, downSince: since, nextProbe: since.Add(time.Minute), cause: rateLimited},
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonRateLimited,
				Message: "Fetching Standard token: rate limited: HTTP 429. The operator backs off and honours " +
					"Retry-After; lower the operator's --vipps-rate-limit if this persists. Vipps at api.vipps.no has " +
					"been unavailable since 2026-03-01T12:00:00Z: instead of a retry for each VippsToken, the operator " +
					"sends one probe request at a time there (the next at 2026-03-01T12:01:00Z), and renews this " +
					"token as soon as one succeeds."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Type = tokensv1alpha1.ConditionRefreshed
			sameCondition(t, hostDownCondition("api.vipps.no", tt.state), tt.want)
		})
	}
}
