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

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestProgressCondition(t *testing.T) {
	ready := func(status metav1.ConditionStatus, reason string) metav1.Condition {
		return metav1.Condition{Type: tokensv1alpha1.ConditionReady, Status: status, Reason: reason, Message: "m"}
	}
	failed := func(reason string) *metav1.Condition {
		return &metav1.Condition{Type: tokensv1alpha1.ConditionRefreshed, Status: metav1.ConditionFalse, Reason: reason}
	}
	issued := &metav1.Condition{Type: tokensv1alpha1.ConditionRefreshed, Status: metav1.ConditionTrue,
		Reason: tokensv1alpha1.ReasonTokenIssued}
	const none = ""
	tests := []struct {
		name       string
		ready      metav1.Condition
		refreshed  *metav1.Condition
		wantType   string
		wantReason string
	}{
		{"valid token", ready(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid), issued, none, none},
		{"valid token, credentials rejected since", ready(metav1.ConditionTrue, tokensv1alpha1.ReasonCredentialsRejected),
			failed(tokensv1alpha1.ReasonCredentialsRejected), none, none},
		{"waiting for the first token", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonProgressing), nil,
			tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ReasonProgressing},
		{"first token, Vipps unavailable", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonVippsUnavailable),
			failed(tokensv1alpha1.ReasonVippsUnavailable), tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ReasonVippsUnavailable},
		{"first token, rate limited", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonRateLimited),
			failed(tokensv1alpha1.ReasonRateLimited), tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ReasonRateLimited},
		{"target write refused: retried with backoff", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTargetWriteFailed),
			issued, tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ReasonTargetWriteFailed},
		{"credentials not found", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsNotFound),
			failed(tokensv1alpha1.ReasonCredentialsNotFound), tokensv1alpha1.ConditionStalled, tokensv1alpha1.ReasonCredentialsNotFound},
		{"credentials invalid", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsInvalid),
			failed(tokensv1alpha1.ReasonCredentialsInvalid), tokensv1alpha1.ConditionStalled, tokensv1alpha1.ReasonCredentialsInvalid},
		{"credentials rejected", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsRejected),
			failed(tokensv1alpha1.ReasonCredentialsRejected), tokensv1alpha1.ConditionStalled, tokensv1alpha1.ReasonCredentialsRejected},
		{"endpoint not allowed", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonEndpointNotAllowed),
			failed(tokensv1alpha1.ReasonEndpointNotAllowed), tokensv1alpha1.ConditionStalled, tokensv1alpha1.ReasonEndpointNotAllowed},
		{"target owned by somebody else", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTargetConflict), nil,
			tokensv1alpha1.ConditionStalled, tokensv1alpha1.ReasonTargetConflict},
		{"expired during an outage", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired),
			failed(tokensv1alpha1.ReasonVippsUnavailable), tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ReasonTokenExpired},
		{"expired after the credentials were rejected", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired),
			failed(tokensv1alpha1.ReasonCredentialsRejected), tokensv1alpha1.ConditionStalled, tokensv1alpha1.ReasonCredentialsRejected},
		{"expired, last refresh succeeded", ready(metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired), issued,
			tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ReasonTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := progressCondition(tt.ready, tt.refreshed)
			switch {
			case tt.wantType == none && got != nil:
				t.Errorf("progressCondition() = %s=%s (%s), want none", got.Type, got.Status, got.Reason)
			case tt.wantType != none && (got == nil || got.Type != tt.wantType || got.Status != metav1.ConditionTrue ||
				got.Reason != tt.wantReason || got.Message != tt.ready.Message):
				t.Errorf("progressCondition() = %+v, want %s=True (%s) with Ready's message", got, tt.wantType, tt.wantReason)
			}
		})
	}
}

func TestSetProgressCondition(t *testing.T) {
	stalled := &metav1.Condition{Type: tokensv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: "R"}
	reconciling := &metav1.Condition{Type: tokensv1alpha1.ConditionReconciling, Status: metav1.ConditionTrue, Reason: "R"}
	has := func(conditions []metav1.Condition, conditionType string) bool {
		return meta.FindStatusCondition(conditions, conditionType) != nil
	}

	var conditions []metav1.Condition
	setProgressCondition(&conditions, reconciling)
	if !has(conditions, tokensv1alpha1.ConditionReconciling) || has(conditions, tokensv1alpha1.ConditionStalled) {
		t.Fatalf("after Reconciling: %+v", conditions)
	}
	setProgressCondition(&conditions, stalled)
	if has(conditions, tokensv1alpha1.ConditionReconciling) || !has(conditions, tokensv1alpha1.ConditionStalled) {
		t.Fatalf("after Stalled: %+v, want Stalled alone", conditions)
	}
	setProgressCondition(&conditions, nil)
	if len(conditions) != 0 {
		t.Fatalf("after none: %+v, want no conditions", conditions)
	}
}
