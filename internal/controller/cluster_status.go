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
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// describeClusterToken sets cvt's status: the token's times and the Refreshed condition as
// its VippsToken reports them (nil when there is none, for childErr), the namespaces from the
// fan-out, and Ready and the kstatus conditions from both.
func describeClusterToken(now time.Time, cvt *tokensv1alpha1.ClusterVippsToken, child *tokensv1alpha1.VippsToken,
	childErr error, fanned fanOut) {
	status := &cvt.Status
	var childStatus tokensv1alpha1.VippsTokenStatus
	if child != nil {
		childStatus = child.Status
	}
	status.TokenStatus = childStatus.TokenStatus

	refreshed := meta.FindStatusCondition(childStatus.Conditions, tokensv1alpha1.ConditionRefreshed)
	if refreshed != nil {
		meta.SetStatusCondition(&status.Conditions, *refreshed)
	} else {
		meta.RemoveStatusCondition(&status.Conditions, tokensv1alpha1.ConditionRefreshed)
	}
	status.Namespaces = tokensv1alpha1.NamespaceCounts{
		Selected: int32(fanned.selected), Ready: int32(fanned.holding()), Failing: int32(len(fanned.failures)),
	}
	status.FailingNamespaces = fanned.failures[:min(len(fanned.failures), tokensv1alpha1.MaxFailingNamespaces)]

	ready := clusterReadyCondition(now, &childStatus, childErr, fanned)
	meta.SetStatusCondition(&status.Conditions, ready)
	setProgressCondition(&status.Conditions, progressCondition(ready, refreshed))
	for i := range status.Conditions {
		status.Conditions[i].ObservedGeneration = cvt.Generation
	}
}

// clusterReadyCondition is Ready of a ClusterVippsToken: its VippsToken's Ready, unless the
// VippsToken could not be made (childErr) or the token is valid but some namespaces do not
// hold it, which leaves Ready True with reason NamespacesFailing, as a failed refresh does.
func clusterReadyCondition(now time.Time, child *tokensv1alpha1.VippsTokenStatus, childErr error,
	fanned fanOut) metav1.Condition {
	ready := metav1.Condition{Type: tokensv1alpha1.ConditionReady}
	childReady := meta.FindStatusCondition(child.Conditions, tokensv1alpha1.ConditionReady)
	valid := child.ExpiresAt != nil && now.Before(child.ExpiresAt.Time)
	switch {
	case childErr != nil:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, failureReason(childErr), failureMessage(childErr)
	case childReady == nil:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, tokensv1alpha1.ReasonProgressing,
			"Waiting for the first token."
	case childReady.Status != metav1.ConditionTrue || !valid:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, childReady.Reason, childReady.Message
		if childReady.Status == metav1.ConditionTrue {
			ready.Reason, ready.Message = tokensv1alpha1.ReasonTokenExpired,
				fmt.Sprintf("The token expired at %s.", formatTime(child.ExpiresAt.Time))
		}
	case len(fanned.failures) > 0:
		ready.Status, ready.Reason = metav1.ConditionTrue, tokensv1alpha1.ReasonNamespacesFailing
		ready.Message = fmt.Sprintf("The token is valid until %s, but %d of %d selected namespaces do not hold it: %s.",
			formatTime(child.ExpiresAt.Time), len(fanned.failures), fanned.selected, failingSummary(fanned.failures))
	default:
		ready.Status, ready.Reason = metav1.ConditionTrue, childReady.Reason
		ready.Message = fmt.Sprintf("%s the token. %s", holdingPhrase(fanned.holding()), childReady.Message)
	}
	return ready
}

// holdingPhrase says how many selected namespaces hold the token, in words that agree.
func holdingPhrase(n int) string {
	switch n {
	case 0:
		return "No selected namespace holds"
	case 1:
		return "The one selected namespace holds"
	}
	return fmt.Sprintf("All %d selected namespaces hold", n)
}

// failingSummary names the first failing namespaces and their reasons.
func failingSummary(failures []tokensv1alpha1.NamespaceFailure) string {
	shown := failures[:min(len(failures), 3)]
	parts := make([]string, 0, len(shown)+1)
	for _, f := range shown {
		parts = append(parts, fmt.Sprintf("%s (%s)", f.Namespace, f.Reason))
	}
	if more := len(failures) - len(shown); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(parts, ", ")
}
