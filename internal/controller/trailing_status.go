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
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// The status of a VippsToken returning after an outage trails its targets.
//
// The host's first success after an outage wakes every VippsToken that waited for it
// (host_availability.go), and each reconcile writes a new token into the targets and then
// the status. The API server takes a VippsToken status patch at about a third the rate of a
// Secret update: in a CPU profile of kube-apiserver during the return of 1000 tokens, the
// status patches took 33% of its time and the target writes 10%. Written in turn, the
// statuses held the last targets back by seconds. So the first reconcile of a returning
// VippsToken writes the targets and leaves the status to the VippsToken's next turn: the
// watch event of its own target write brings it back, at the urgent priority of the renewal
// that reconcile scheduled (work_priority.go), and so after every VippsToken still returning,
// which wait above urgent. That reconcile finds in the targets a token requested after the
// failures that status records (endsFailures), and writes what the first would have written;
// so does any later one, after a restart, or after a status write the API server refused.

// endsFailures is true when the targets hold a token that status does not describe and that
// was requested after the last failure status records: a request succeeded after the
// failures, and no status write has said so. In whole seconds, as targets and status keep
// times: within the failure's own second it cannot tell, and is false.
func endsFailures(status *tokensv1alpha1.VippsTokenStatus, held *heldToken) bool {
	if held == nil || status.LastFailureTime == nil {
		return false
	}
	describesHeld := status.ExpiresAt != nil && status.ExpiresAt.Time.Equal(held.ExpiresAt)
	return !describesHeld && held.RequestedAt.Truncate(time.Second).After(status.LastFailureTime.Truncate(time.Second))
}

// recoverFromFailures records in status, when the targets hold a token that ended its
// failures, what the reconcile that obtained the token recorded: no failures, the token
// issued.
func recoverFromFailures(status *tokensv1alpha1.VippsTokenStatus, held *heldToken) {
	if endsFailures(status, held) {
		recordIssuedStatus(status, held.ExpiresAt)
	}
}

// recordIssuedStatus is what status says after a successful token request.
func recordIssuedStatus(status *tokensv1alpha1.VippsTokenStatus, expiresAt time.Time) {
	status.FailureCount = 0
	status.LastFailureTime = nil
	status.NextRetryTime = nil
	meta.SetStatusCondition(&status.Conditions, refreshedCondition(nil, expiresAt))
}

// statusMayTrail is true when after, the status a reconcile computed once it wrote held into
// the targets, is what the next reconcile derives from before, the status it starts from,
// and the targets: the failures before ended (endsFailures), and apart from what every
// reconcile derives from the targets (the token's times, and Ready with the kstatus
// conditions that follow from it) and the observed generation, which every status write
// sets, after is before recovered from its failures.
func statusMayTrail(before, after *tokensv1alpha1.VippsTokenStatus, held *heldToken) bool {
	if !endsFailures(before, held) {
		return false
	}
	recovered := before.DeepCopy()
	recordIssuedStatus(recovered, held.ExpiresAt)
	return equality.Semantic.DeepEqual(notFromTargets(recovered), notFromTargets(after))
}

// derivedConditions are the conditions every reconcile sets from the token the targets hold.
var derivedConditions = []string{
	tokensv1alpha1.ConditionReady, tokensv1alpha1.ConditionReconciling, tokensv1alpha1.ConditionStalled,
}

// notFromTargets is status without what every reconcile derives from the targets, and
// without the observed generation; the other conditions stay, by type, without their
// transition times.
func notFromTargets(status *tokensv1alpha1.VippsTokenStatus) tokensv1alpha1.VippsTokenStatus {
	rest := *status.DeepCopy()
	rest.ObservedGeneration = 0
	rest.ExpiresAt, rest.RenewalTime, rest.LastRefreshTime = nil, nil, nil
	rest.Conditions = nil
	for _, condition := range status.Conditions {
		if !slices.Contains(derivedConditions, condition.Type) {
			condition.LastTransitionTime = metav1.Time{}
			rest.Conditions = append(rest.Conditions, condition)
		}
	}
	slices.SortFunc(rest.Conditions, func(a, b metav1.Condition) int { return strings.Compare(a.Type, b.Type) })
	return rest
}
