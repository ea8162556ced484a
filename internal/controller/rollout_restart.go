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
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// No kubebuilder RBAC marker here: the permission to get and patch workloads is an optional
// component of the installer (config/rollout-restart) and of the Helm chart, so that the
// default install keeps its least privilege.

// rolloutRestarter restarts the workloads that read a token once, for VippsTokens and
// ClusterVippsTokens alike.
type rolloutRestarter struct {
	client    client.Client
	apiReader client.Reader
	recorder  events.EventRecorder
	// enabled is --enable-rollout-restarts; minInterval is --rollout-restart-min-interval.
	enabled     bool
	minInterval time.Duration
}

// restartRecord is where a restart is recorded: the status of a VippsToken or a
// ClusterVippsToken, and the object its events are about.
type restartRecord struct {
	subject    *corev1.ObjectReference
	generation int64
	conditions *[]metav1.Condition
	last       **tokensv1alpha1.RolloutRestartStatus
}

// workloadRef is a workload of rolloutRestartTargets in its namespace; notReady, when set,
// says why its namespace does not hold the token, and it is then not restarted.
type workloadRef struct {
	namespace string
	target    tokensv1alpha1.RolloutRestartTarget
	notReady  string
}

// restartWorkloads restarts a VippsToken's rolloutRestartTargets once for the token the
// targets hold (held; written when this reconcile wrote it), records that in status, and
// says how long until a restart that waits for the minimum interval is due (0: none waits).
func (r *VippsTokenReconciler) restartWorkloads(ctx context.Context, tok *tokensv1alpha1.VippsToken, held *heldToken,
	written bool, now time.Time) time.Duration {
	workloads := make([]workloadRef, 0, len(tok.Spec.RolloutRestartTargets))
	for _, target := range tok.Spec.RolloutRestartTargets {
		workloads = append(workloads, workloadRef{namespace: tok.Namespace, target: target})
	}
	var requestedAt time.Time
	if held != nil {
		requestedAt = held.RequestedAt
	}
	record := restartRecord{subject: eventSubject(tok), generation: tok.Generation,
		conditions: &tok.Status.Conditions, last: &tok.Status.LastRolloutRestart}
	return r.restarter.restart(ctx, record, workloads, requestedAt, written, now)
}

// restart restarts workloads once for the token requested at requestedAt (zero: there is
// none; written: this reconcile wrote it), records that, and says how long until a restart
// that waits for the minimum interval is due (0: none waits).
func (w rolloutRestarter) restart(ctx context.Context, record restartRecord, workloads []workloadRef,
	requestedAt time.Time, written bool, now time.Time) time.Duration {
	action, wait := rolloutRestart(restartInput{
		now: now, enabled: w.enabled, minInterval: w.minInterval, last: *record.last,
		workloads: len(workloads), requestedAt: requestedAt, written: written,
	})
	conditions := record.conditions
	switch action {
	case restartNothing:
		if current := meta.FindStatusCondition(*conditions, tokensv1alpha1.ConditionRolloutRestarted); current != nil &&
			(len(workloads) == 0 || current.Reason == tokensv1alpha1.ReasonRestartsDisabled && w.enabled) {
			meta.RemoveStatusCondition(conditions, tokensv1alpha1.ConditionRolloutRestarted)
		}
	case restartDisabled:
		record.setCondition(metav1.ConditionFalse, tokensv1alpha1.ReasonRestartsDisabled, fmt.Sprintf(
			"spec.rolloutRestartTargets names %d workloads, but the operator was not started with "+
				"--enable-rollout-restarts, so none is restarted.", len(workloads)))
	case restartAdopt:
		record.restarted(requestedAt, now)
		record.setCondition(metav1.ConditionTrue, tokensv1alpha1.ReasonRestarted,
			"The token in the targets was there before the workloads were named; they restart at the next token.")
	case restartWait:
		record.setCondition(metav1.ConditionFalse, tokensv1alpha1.ReasonRestartPending, fmt.Sprintf(
			"A new token is in the targets; the workloads restart at %s, %s after their last restart.",
			formatTime(now.Add(wait)), w.minInterval))
	case restartNow:
		restarted, failed := w.restartEach(ctx, record.subject, workloads, now)
		record.restarted(requestedAt, now)
		if len(failed) > 0 {
			record.setCondition(metav1.ConditionFalse, tokensv1alpha1.ReasonRestartFailed, fmt.Sprintf(
				"Not restarted for the token issued at %s: %s. Not retried for this token.",
				formatTime(requestedAt), strings.Join(failed, "; ")))
			break
		}
		record.setCondition(metav1.ConditionTrue, tokensv1alpha1.ReasonRestarted, fmt.Sprintf(
			"Restarted %s for the token issued at %s.", strings.Join(restarted, ", "), formatTime(requestedAt)))
	}
	return wait
}

// restarted notes that the workloads have had their restart for the token requested at
// requestedAt.
func (rec restartRecord) restarted(requestedAt, now time.Time) {
	*rec.last = &tokensv1alpha1.RolloutRestartStatus{
		TokenRefreshTime: metav1.NewTime(requestedAt), Time: metav1.NewTime(now.Truncate(time.Second)),
	}
}

func (rec restartRecord) setCondition(status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(rec.conditions, metav1.Condition{
		Type: tokensv1alpha1.ConditionRolloutRestarted, Status: status, Reason: reason, Message: message,
		ObservedGeneration: rec.generation,
	})
}

// restartEach restarts every workload once and reports each in an event. A workload that is
// missing, paused, refuses the patch or whose namespace lacks the token is named in failed,
// with why.
func (w rolloutRestarter) restartEach(ctx context.Context, subject *corev1.ObjectReference, workloads []workloadRef,
	now time.Time) (restarted, failed []string) {
	for _, ref := range workloads {
		name := fmt.Sprintf("%s %s", ref.target.Kind, ref.target.Name)
		if ref.namespace != subject.Namespace {
			name = fmt.Sprintf("%s %s/%s", ref.target.Kind, ref.namespace, ref.target.Name)
		}
		// The workload as the related object keeps the events of two workloads apart: the
		// events API would aggregate them into one series otherwise.
		workload := &corev1.ObjectReference{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: string(ref.target.Kind),
			Namespace: ref.namespace, Name: ref.target.Name}
		err := errors.New(ref.notReady)
		if ref.notReady == "" {
			err = w.restartWorkload(ctx, ref.namespace, ref.target, now)
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s %v", name, err))
			w.recorder.Eventf(subject, workload, corev1.EventTypeWarning, tokensv1alpha1.ReasonRestartFailed,
				"RolloutRestart", "%s was not restarted for the new token: %v.", name, err)
			continue
		}
		restarted = append(restarted, name)
		w.recorder.Eventf(subject, workload, corev1.EventTypeNormal, tokensv1alpha1.ReasonRestarted,
			"RolloutRestart", "Restarted %s for the new token.", name)
	}
	return restarted, failed
}

// restartWorkload sets the restarted-at annotation on the workload's pod template, as kubectl
// rollout restart sets its own: a change to the template rolls the Pods. It reads the workload
// past the cache, so that the operator watches no workloads.
func (w rolloutRestarter) restartWorkload(ctx context.Context, namespace string,
	target tokensv1alpha1.RolloutRestartTarget, now time.Time) error {
	workload := workloadOf(target.Kind)
	if workload == nil {
		return fmt.Errorf("is of a kind that cannot be restarted")
	}
	err := w.apiReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: target.Name}, workload)
	switch {
	case apierrors.IsNotFound(err):
		return errors.New("does not exist")
	case err != nil:
		return fmt.Errorf("could not be read: %w", err)
	}
	if deployment, ok := workload.(*appsv1.Deployment); ok && deployment.Spec.Paused {
		return errors.New("is paused (kubectl rollout resume lets it restart)")
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`,
		tokensv1alpha1.AnnotationRestartedAt, formatTime(now))
	if err := w.client.Patch(ctx, workload, client.RawPatch(types.MergePatchType, []byte(patch)), fieldOwner); err != nil {
		return fmt.Errorf("refused the restart: %w", err)
	}
	return nil
}

func workloadOf(kind tokensv1alpha1.WorkloadKind) client.Object {
	switch kind {
	case tokensv1alpha1.WorkloadDeployment:
		return &appsv1.Deployment{}
	case tokensv1alpha1.WorkloadStatefulSet:
		return &appsv1.StatefulSet{}
	case tokensv1alpha1.WorkloadDaemonSet:
		return &appsv1.DaemonSet{}
	}
	return nil
}
