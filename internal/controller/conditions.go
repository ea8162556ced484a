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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// refreshedCondition records how a token request went.
func refreshedCondition(err error, expiresAt time.Time) metav1.Condition {
	if err != nil {
		return metav1.Condition{
			Type: tokensv1alpha1.ConditionRefreshed, Status: metav1.ConditionFalse,
			Reason: failureReason(err), Message: failureMessage(err),
		}
	}
	return metav1.Condition{
		Type: tokensv1alpha1.ConditionRefreshed, Status: metav1.ConditionTrue,
		Reason:  tokensv1alpha1.ReasonTokenIssued,
		Message: fmt.Sprintf("Vipps issued a token valid until %s.", formatTime(expiresAt)),
	}
}

// hostDownCondition records that a VippsToken's request failed, or waits, because its host
// is down: the failure that keeps the host down, since when, and when the operator probes it
// next. It is the Refreshed condition of every VippsToken that waits for the host.
func hostDownCondition(host string, s hostState) metav1.Condition {
	cause := s.cause
	if cause == nil {
		cause = vipps.ErrUnavailable
	}
	next := "the next at " + formatTime(s.nextProbe)
	if s.phase == hostProbing {
		next = "one is under way"
	}
	return metav1.Condition{
		Type: tokensv1alpha1.ConditionRefreshed, Status: metav1.ConditionFalse, Reason: failureReason(cause),
		Message: fmt.Sprintf("%s Vipps at %s has been unavailable since %s: instead of a retry for each "+
			"VippsToken, the operator sends one probe request at a time there (%s), and renews this token as "+
			"soon as one succeeds.", failureMessage(cause), host, formatTime(s.downSince), next),
	}
}

// readyCondition summarises the VippsToken from what the targets hold (the token's expiry
// in status, if any), a problem with the targets themselves, and the Refreshed condition.
// A valid token keeps Ready True even while refreshes fail, but its reason then names the
// failure, so that kubectl get shows it.
func readyCondition(now time.Time, status *tokensv1alpha1.VippsTokenStatus, targetErr error) metav1.Condition {
	ready := metav1.Condition{Type: tokensv1alpha1.ConditionReady}
	refreshed := meta.FindStatusCondition(status.Conditions, tokensv1alpha1.ConditionRefreshed)
	refreshFailed := refreshed != nil && refreshed.Status == metav1.ConditionFalse
	valid := status.ExpiresAt != nil && now.Before(status.ExpiresAt.Time)

	switch {
	case targetErr != nil:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, failureReason(targetErr), failureMessage(targetErr)
	case valid && refreshFailed:
		ready.Status, ready.Reason = metav1.ConditionTrue, refreshed.Reason
		ready.Message = fmt.Sprintf("The targets hold a token valid until %s, but the last refresh failed: %s",
			formatTime(status.ExpiresAt.Time), refreshed.Message)
	case valid:
		ready.Status, ready.Reason = metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid
		ready.Message = fmt.Sprintf("The targets hold a token valid until %s.", formatTime(status.ExpiresAt.Time))
		if status.RenewalTime != nil {
			ready.Message = fmt.Sprintf("The targets hold a token valid until %s; it is renewed from %s.",
				formatTime(status.ExpiresAt.Time), formatTime(status.RenewalTime.Time))
		}
	case status.ExpiresAt != nil:
		ready.Status, ready.Reason = metav1.ConditionFalse, tokensv1alpha1.ReasonTokenExpired
		ready.Message = fmt.Sprintf("The token in the targets expired at %s.", formatTime(status.ExpiresAt.Time))
		if refreshFailed {
			ready.Message += " The last refresh failed: " + refreshed.Message
		}
	case refreshFailed:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, refreshed.Reason, refreshed.Message
	default:
		ready.Status, ready.Reason = metav1.ConditionFalse, tokensv1alpha1.ReasonProgressing
		ready.Message = "Waiting for the first token."
	}
	return ready
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
