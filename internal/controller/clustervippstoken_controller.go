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
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=clustervippstokens,verbs=get;list;watch
// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=clustervippstokens/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=clustervippstokens/finalizers,verbs=update
// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=vippstokens,verbs=create;update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// ClusterVippsTokenReconciler keeps the token of each ClusterVippsToken in its target in every
// selected namespace (cluster_child.go explains how). NewClusterVippsTokenReconciler builds it.
type ClusterVippsTokenReconciler struct {
	// reconcilerClients are the VippsToken reconciler's: its metadata cache of Secrets shows a
	// Secret of somebody else's in a target's place.
	reconcilerClients
	clock     clock.PassiveClock
	secrets   ownedSecrets
	restarter rolloutRestarter
	metrics   *operatorMetrics

	// resourceNamespace holds the credentials Secrets of ClusterVippsTokens and their
	// VippsTokens; it never receives a target.
	resourceNamespace string
	// namespaces are the VippsToken reconciler's: those the caches hold, empty for all. No
	// other namespace receives a target.
	namespaces []string
}

// NewClusterVippsTokenReconciler builds the reconciler on the clients, caches, clock and
// settings of tokens, the VippsToken reconciler, which obtains every ClusterVippsToken's token
// in resourceNamespace.
func NewClusterVippsTokenReconciler(tokens *VippsTokenReconciler, resourceNamespace string) (
	*ClusterVippsTokenReconciler, error) {
	if resourceNamespace == "" {
		return nil, errors.New("ClusterVippsTokens need a cluster resource namespace")
	}
	return &ClusterVippsTokenReconciler{
		reconcilerClients: tokens.reconcilerClients,
		clock:             tokens.clock,
		secrets:           tokens.secrets,
		restarter:         tokens.restarter,
		metrics:           tokens.metrics,
		resourceNamespace: resourceNamespace,
		namespaces:        tokens.namespaces,
	}, nil
}

// Reconcile brings one ClusterVippsToken's VippsToken, targets and status up to date.
func (r *ClusterVippsTokenReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, err error) {
	cvt := &tokensv1alpha1.ClusterVippsToken{}
	if err := r.client.Get(ctx, req.NamespacedName, cvt); err != nil {
		if apierrors.IsNotFound(err) {
			r.metrics.forgetClusterToken(req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !cvt.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil // the garbage collector deletes the VippsToken and the targets
	}
	before := cvt.DeepCopy()
	defer func() { err = errors.Join(err, r.writeStatus(ctx, before, cvt)) }()
	now := r.clock.Now()

	child, childErr := r.ensureChild(ctx, cvt)
	if childErr != nil && !errors.Is(childErr, errTargetConflict) {
		return ctrl.Result{}, childErr
	}
	source, held, err := r.sourceSecret(ctx, cvt, child)
	if err != nil {
		return ctrl.Result{}, err
	}
	namespaces, err := r.selectedNamespaces(ctx, cvt)
	if err != nil && !errors.Is(err, errNamespaceSelectorInvalid) {
		return ctrl.Result{}, err
	}
	childErr = errors.Join(childErr, err) // an invalid selector reads as a failure of the ClusterVippsToken
	owned, err := r.ownedFanOutTargets(ctx, cvt)
	if err != nil {
		return ctrl.Result{}, err
	}
	fanned, writeErr := r.syncFanOut(ctx, cvt, source, held, namespaces, owned)
	if apierrors.IsConflict(writeErr) {
		return ctrl.Result{}, writeErr // status keeps what it said rather than flap
	}
	describeClusterToken(now, cvt, child, childErr, fanned)
	r.reportFailingNamespaces(before, cvt)
	restartDue := r.restartWorkloads(ctx, cvt, fanned, now)
	return ctrl.Result{RequeueAfter: sooner(untilExpiry(now, cvt), restartDue)}, writeErr
}

// restartWorkloads restarts cvt's rolloutRestartTargets once for the token that the
// namespaces hold, right after it reached them; a workload whose namespace does not hold it
// is reported instead.
func (r *ClusterVippsTokenReconciler) restartWorkloads(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken,
	fanned fanOut, now time.Time) time.Duration {
	workloads := make([]workloadRef, 0, len(cvt.Spec.RolloutRestartTargets))
	for _, target := range cvt.Spec.RolloutRestartTargets {
		workloads = append(workloads, workloadRef{
			namespace: target.Namespace, target: target.RolloutRestartTarget, notReady: fanned.notHolding(target.Namespace),
		})
	}
	var requestedAt time.Time
	if fanned.holding() > 0 {
		requestedAt = fanned.requestedAt
	}
	record := restartRecord{subject: clusterEventSubject(cvt.Name, cvt.UID), generation: cvt.Generation,
		conditions: &cvt.Status.Conditions, last: &cvt.Status.LastRolloutRestart}
	return r.restarter.restart(ctx, record, workloads, requestedAt, fanned.wrote, now)
}

// clusterEventSubject refers to the ClusterVippsToken name for its events, without the
// resourceVersion (eventSubject says why).
func clusterEventSubject(name string, uid types.UID) *corev1.ObjectReference {
	return &corev1.ObjectReference{
		APIVersion: tokensv1alpha1.GroupVersion.String(), Kind: "ClusterVippsToken", Name: name, UID: uid,
	}
}

// sourceSecret is the Secret that cvt's VippsToken writes its token into, and the token it
// holds, read as the VippsToken reads its targets (readHeldToken). Both are nil before there
// is one, when the VippsToken is somebody else's, and when somebody else edited the Secret:
// the VippsToken writes it again, and until then the namespaces keep what they hold.
func (r *ClusterVippsTokenReconciler) sourceSecret(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken,
	child *tokensv1alpha1.VippsToken) (*corev1.Secret, *heldToken, error) {
	if child == nil {
		return nil, nil, nil
	}
	source := &corev1.Secret{}
	err := r.client.Get(ctx, client.ObjectKey{Namespace: r.resourceNamespace, Name: sourceSecretName(cvt)}, source)
	if apierrors.IsNotFound(err) || (err == nil && !metav1.IsControlledBy(source, child)) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the token of %s: %w", cvt.Name, err)
	}
	held, ok := readHeldToken(source)
	if !ok {
		return nil, nil, nil
	}
	return source, held, nil
}

// untilExpiry brings the ClusterVippsToken back when its token expires, so that Ready says so
// even if its VippsToken's status does not change then.
func untilExpiry(now time.Time, cvt *tokensv1alpha1.ClusterVippsToken) time.Duration {
	if cvt.Status.ExpiresAt == nil || !now.Before(cvt.Status.ExpiresAt.Time) {
		return 0
	}
	return cvt.Status.ExpiresAt.Sub(now)
}

// reportFailingNamespaces emits a Warning event when the namespaces that fail change.
func (r *ClusterVippsTokenReconciler) reportFailingNamespaces(before, cvt *tokensv1alpha1.ClusterVippsToken) {
	failing := cvt.Status.FailingNamespaces
	if len(failing) == 0 || (before.Status.Namespaces.Failing == cvt.Status.Namespaces.Failing &&
		equality.Semantic.DeepEqual(before.Status.FailingNamespaces, failing)) {
		return
	}
	r.recorder.Eventf(clusterEventSubject(cvt.Name, cvt.UID), nil, corev1.EventTypeWarning, failing[0].Reason, "WriteTargets",
		"%d of %d selected namespaces do not hold the token: %s. %s", cvt.Status.Namespaces.Failing,
		cvt.Status.Namespaces.Selected, failingSummary(failing), failing[0].Message)
}

// writeStatus writes the status when the reconcile changed it, and only then, and exports the
// namespace counts as metrics.
func (r *ClusterVippsTokenReconciler) writeStatus(ctx context.Context, before, cvt *tokensv1alpha1.ClusterVippsToken) error {
	cvt.Status.ObservedGeneration = cvt.Generation
	r.metrics.observeClusterNamespaces(cvt)
	if equality.Semantic.DeepEqual(before.Status, cvt.Status) {
		return nil
	}
	return patchStatus(ctx, r.client, cvt, before)
}
