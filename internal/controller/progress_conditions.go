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
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// progressCondition is the kstatus condition that describes a VippsToken whose targets hold
// no valid token: Stalled when the failure needs a person, Reconciling otherwise. It is nil
// while Ready is True: kstatus then reads Ready and finds the VippsToken current. Following
// Flux's convention for these "abnormal-true" conditions, the one that does not apply is
// absent rather than False.
func progressCondition(ready metav1.Condition, refreshed *metav1.Condition) *metav1.Condition {
	if ready.Status == metav1.ConditionTrue {
		return nil
	}
	// An expired token says nothing of why: the failed refresh behind it does.
	cause, message := ready.Reason, ready.Message
	if ready.Reason == tokensv1alpha1.ReasonTokenExpired && refreshed != nil && refreshed.Status == metav1.ConditionFalse {
		cause = refreshed.Reason
	}
	if needsAPerson(cause) {
		return &metav1.Condition{Type: tokensv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: cause, Message: message}
	}
	return &metav1.Condition{Type: tokensv1alpha1.ConditionReconciling, Status: metav1.ConditionTrue, Reason: ready.Reason, Message: message}
}

// needsAPerson is true for the failures that no retry can cure: somebody must change the
// credentials, the spec, the allow-list or a Secret in a target's way. The operator still
// retries them as soon as any of those changes.
func needsAPerson(reason string) bool {
	switch reason {
	case tokensv1alpha1.ReasonCredentialsNotFound, tokensv1alpha1.ReasonCredentialsInvalid,
		tokensv1alpha1.ReasonCredentialsRejected, tokensv1alpha1.ReasonEndpointNotAllowed,
		tokensv1alpha1.ReasonTargetConflict, tokensv1alpha1.ReasonNamespaceSelectorInvalid:
		return true
	}
	return false
}

// setProgressCondition records progress (which may be nil) and removes the other kstatus
// condition, or both when there is none.
func setProgressCondition(conditions *[]metav1.Condition, progress *metav1.Condition) {
	for _, conditionType := range []string{tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ConditionStalled} {
		if progress == nil || progress.Type != conditionType {
			meta.RemoveStatusCondition(conditions, conditionType)
		}
	}
	if progress != nil {
		meta.SetStatusCondition(conditions, *progress)
	}
}
