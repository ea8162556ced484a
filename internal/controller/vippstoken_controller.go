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
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=vippstokens,verbs=get;list;watch
// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=vippstokens/status,verbs=get;update;patch
// Target Secrets carry an owner reference with blockOwnerDeletion, which clusters with the
// OwnerReferencesPermissionEnforcement admission plugin (OpenShift) allow only with this:
// +kubebuilder:rbac:groups=tokens.vippsoperator.dev,resources=vippstokens/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one VippsToken's targets and status up to date.
func (r *VippsTokenReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	// Deferred first, so that it sees the final error: the next turn's place in the queue.
	defer func() { result.Priority = requeuePriority(result, err) }()
	tok, err := r.getVippsToken(ctx, req.NamespacedName)
	if tok == nil || err != nil {
		return ctrl.Result{}, err
	}
	if !tok.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil // the garbage collector deletes the targets through their owner reference
	}
	now := r.clock.Now()
	owned, err := r.ownedTargets(ctx, tok)
	if err != nil {
		return ctrl.Result{}, err
	}
	held := heldTokenOf(owned, now)
	before := tok.DeepCopy()
	// A VippsToken that returns after an outage leaves its status to its next turn, which
	// derives it from the targets (trailing_status.go).
	returning, statusTrails := r.hosts.takeReturning(req.NamespacedName), false
	defer func() { err = errors.Join(err, r.writeStatus(ctx, before, tok, statusTrails)) }()
	// A token in the targets that came after the failures status records ends them.
	recoverFromFailures(&tok.Status, held)

	request, credentialsVersion, err := r.tokenRequest(ctx, tok)
	if err != nil {
		r.recordUnsentFailure(tok, now, err)
		return r.finish(now, tok, held, nil)
	}

	taken, err := r.targetsTakenByOthers(ctx, tok, owned)
	if err != nil {
		return ctrl.Result{}, err
	}
	if len(taken) == len(tok.Spec.Targets) {
		// No target can take a token, so none is requested. The watch of Secrets brings the
		// VippsToken back as soon as one of them is deleted.
		return r.finish(now, tok, nil, targetConflict(tok, taken))
	}

	inputsHash := tokenInputsHash(request)
	written := false
	if obtained := r.obtainIfDue(ctx, tok, held, request, inputsHash, credentialsVersion, now); obtained != nil {
		held, err = r.writeObtained(ctx, tok, held, obtained, request, owned)
		written = held == (*heldToken)(obtained)
	} else if held != nil && held.inputsHash == inputsHash {
		// The held token serves: the targets that the spec names now get it, former ones go.
		// (Held for other inputs, it is one a failed refresh could not replace: the targets
		// keep it as they are.)
		err = r.syncTargets(ctx, tok, issuedToken(*held), request, owned)
	}
	restartDue := r.restartWorkloads(ctx, tok, held, written, now)
	result, err = r.finish(now, tok, held, err)
	if err == nil {
		result.RequeueAfter = sooner(result.RequeueAfter, restartDue)
		statusTrails = returning && written && statusMayTrail(&before.Status, &tok.Status, held)
	}
	return result, err
}

// getVippsToken reads the VippsToken from the cache; nil when it is gone, and then what is
// kept of it in memory and in metrics goes too.
func (r *VippsTokenReconciler) getVippsToken(ctx context.Context, key client.ObjectKey) (*tokensv1alpha1.VippsToken, error) {
	tok := &tokensv1alpha1.VippsToken{}
	err := r.client.Get(ctx, key, tok)
	if apierrors.IsNotFound(err) {
		r.metrics.forgetToken(key)
		r.obtained.forget(key)
		r.hosts.forget(key)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// obtainIfDue returns the token to write into the targets instead of the held one: one
// obtained earlier whose write the API server refused, or a new one when a refresh trigger
// fires, no backoff holds the request back and its host lets it through. Nil when there is
// none, also when the request failed.
func (r *VippsTokenReconciler) obtainIfDue(ctx context.Context, tok *tokensv1alpha1.VippsToken, held *heldToken,
	req vipps.Request, inputsHash, credentialsVersion string, now time.Time) *obtainedToken {
	if unheld := r.obtained.unheld(tok, held, inputsHash, now); unheld != nil {
		return unheld
	}
	key := client.ObjectKeyFromObject(tok)
	trigger, due := refreshReason(refreshInput{now: now, tok: tok, held: held, inputsHash: inputsHash})
	if !due {
		r.hosts.forget(key)
		return nil
	}
	if retryBlocked(now, tok, credentialsVersion) || intervalHolds(now, tok, held, credentialsVersion) {
		return nil
	}
	host, expiresAt := hostOf(req.BaseURL), expiryOf(held)
	verdict, state := r.hosts.admit(ctx, host, key, expiresAt, refreshRequested(tok))
	if verdict == admitWait {
		r.recordWaitingForHost(tok, host, state, now)
		return nil
	}
	logf.FromContext(ctx).V(1).Info("Requesting a token", "why", trigger.reason, "probe", verdict == admitProbe)

	token, err := r.fetch(ctx, tok, req)
	state = r.hosts.report(host, key, expiresAt, verdict, err)
	tok.Status.LastRefreshRequest = tok.Annotations[tokensv1alpha1.AnnotationRefresh]
	tok.Status.CredentialsResourceVersion = credentialsVersion
	if err != nil {
		// The backoff counts from the failure, not from the request: a request that hung
		// until the client's timeout would otherwise have eaten its own backoff.
		r.recordFailedRequest(tok, r.clock.Now(), err, host, state)
		return nil
	}
	r.recordIssued(tok, token, trigger)
	obtained := &obtainedToken{Token: token, inputsHash: inputsHash}
	r.obtained.remember(tok, obtained)
	return obtained
}

// writeObtained writes obtained into the targets and returns what they hold afterwards:
// obtained, once any target took it, else still held.
func (r *VippsTokenReconciler) writeObtained(ctx context.Context, tok *tokensv1alpha1.VippsToken, held *heldToken,
	obtained *obtainedToken, req vipps.Request, owned []corev1.Secret) (*heldToken, error) {
	err := r.syncTargets(ctx, tok, issuedToken(*obtained), req, owned)
	if err != nil && (!errors.Is(err, errTargetConflict) || everyTargetTaken(tok, err)) {
		return held, err
	}
	return (*heldToken)(obtained), err
}

// tokenRequest assembles what is sent to Vipps from the spec and the credentials Secret.
func (r *VippsTokenReconciler) tokenRequest(ctx context.Context, tok *tokensv1alpha1.VippsToken) (vipps.Request, string, error) {
	baseURL, err := r.endpoints.baseURL(&tok.Spec)
	if err != nil {
		return vipps.Request{}, "", err
	}
	creds, err := r.credentials.credentials(ctx, tok)
	if err != nil {
		return vipps.Request{}, "", err
	}
	req := vipps.Request{
		Type:                 vipps.TokenType(tok.Spec.Type),
		BaseURL:              baseURL,
		ClientID:             creds.clientID,
		ClientSecret:         creds.clientSecret,
		SubscriptionKey:      creds.subscriptionKey,
		MerchantSerialNumber: creds.merchantSerialNumber,
		Resource:             tok.Spec.Resource,
	}
	if info := tok.Spec.SystemInfo; info != nil {
		req.System = vipps.SystemInfo{
			Name: info.Name, Version: info.Version, PluginName: info.PluginName, PluginVersion: info.PluginVersion,
		}
	}
	return req, creds.resourceVersion, nil
}

func (r *VippsTokenReconciler) fetch(ctx context.Context, tok *tokensv1alpha1.VippsToken, req vipps.Request) (vipps.Token, error) {
	start := time.Now()
	token, err := r.fetcher.FetchToken(ctx, req)
	r.metrics.observeTokenRequest(tok, time.Since(start), err)
	if err != nil {
		return vipps.Token{}, err
	}
	// Whole seconds, as the targets and status store them, so that the token read back
	// from a target later is the same token with the same renewal time.
	token.RequestedAt = token.RequestedAt.Truncate(time.Second)
	token.ExpiresAt = token.ExpiresAt.Truncate(time.Second)
	return token, nil
}

// finish describes the token the targets hold, records readiness and says when to come
// back. A target write refused by the API server is returned for controller-runtime's
// backoff; a target owned by somebody else is reported in status and waits for a change.
func (r *VippsTokenReconciler) finish(now time.Time, tok *tokensv1alpha1.VippsToken, held *heldToken,
	targetErr error) (ctrl.Result, error) {
	if apierrors.IsConflict(targetErr) {
		// Somebody wrote a target after the cache read it: an ordinary race, retried from the
		// newer version at once. Status keeps what it said rather than flap.
		return ctrl.Result{}, targetErr
	}
	describeHeldToken(now, tok, held)
	r.recordReadiness(now, tok, targetErr)
	if targetErr != nil && !errors.Is(targetErr, errTargetConflict) {
		return ctrl.Result{}, targetErr
	}
	waiting := r.hosts.waiting(client.ObjectKeyFromObject(tok))
	return ctrl.Result{RequeueAfter: requeueAfter(now, tok, waiting)}, nil
}

// describeHeldToken sets the token's times in status from held, what the targets hold, and
// from nothing else.
func describeHeldToken(now time.Time, tok *tokensv1alpha1.VippsToken, held *heldToken) {
	status := &tok.Status
	switch {
	case held != nil:
		status.ExpiresAt = metaTime(held.ExpiresAt)
		status.RenewalTime = metaTime(heldRenewalTime(tok, held))
		status.LastRefreshTime = metaTime(held.RequestedAt)
	case status.ExpiresAt != nil && now.Before(status.ExpiresAt.Time):
		// The token that status describes is no longer in the targets (they were deleted or
		// edited) and none replaced it: status must not claim a valid token.
		status.ExpiresAt, status.RenewalTime = nil, nil
	}
}

// recordReadiness sets Ready and the kstatus conditions that follow from it, and reports a
// target that somebody else owns when Ready first says so.
func (r *VippsTokenReconciler) recordReadiness(now time.Time, tok *tokensv1alpha1.VippsToken, targetErr error) {
	ready := readyCondition(now, &tok.Status, targetErr)
	if errors.Is(targetErr, errTargetConflict) && !hasReadyReason(tok, ready.Reason) {
		r.recorder.Eventf(eventSubject(tok), nil, corev1.EventTypeWarning, ready.Reason, "WriteTargets", "%s", ready.Message)
	}
	meta.SetStatusCondition(&tok.Status.Conditions, ready)
	refreshed := meta.FindStatusCondition(tok.Status.Conditions, tokensv1alpha1.ConditionRefreshed)
	setProgressCondition(&tok.Status.Conditions, progressCondition(ready, refreshed))
}

func hasReadyReason(tok *tokensv1alpha1.VippsToken, reason string) bool {
	ready := meta.FindStatusCondition(tok.Status.Conditions, tokensv1alpha1.ConditionReady)
	return ready != nil && ready.Reason == reason
}

// recordIssued notes a successful token request, and why it was sent.
func (r *VippsTokenReconciler) recordIssued(tok *tokensv1alpha1.VippsToken, token vipps.Token, trigger refreshTrigger) {
	recordIssuedStatus(&tok.Status, token.ExpiresAt)
	r.recorder.Eventf(eventSubject(tok), nil, corev1.EventTypeNormal, tokensv1alpha1.ReasonTokenIssued, "Refresh",
		"Vipps issued a %s token valid until %s, requested because %s (%s).",
		tok.Spec.Type, formatTime(token.ExpiresAt), trigger.because, trigger.reason)
}

// recordFailedRequest notes a token request that Vipps answered with an error or not at all,
// and when to retry it: when the failure took its host down (or found it down), at the
// host's next probe, else after the VippsToken's own backoff.
func (r *VippsTokenReconciler) recordFailedRequest(tok *tokensv1alpha1.VippsToken, failedAt time.Time, err error,
	host string, state hostState) {
	status := &tok.Status
	status.FailureCount++
	status.LastFailureTime = metaTime(failedAt)
	if outcomeOf(err) == outcomeHostFailure && !state.up() {
		status.NextRetryTime = metaTime(nextTryOfHost(state, failedAt))
		r.recordCondition(tok, hostDownCondition(host, state))
		return
	}
	status.NextRetryTime = metaTime(nextRetryTime(failedAt, err, status.FailureCount, string(tok.UID)))
	r.recordCondition(tok, refreshedCondition(err, time.Time{}))
}

// recordUnsentFailure notes a problem found before any request was sent (credentials,
// endpoint). It is counted once, not on every reconcile that finds it again.
func (r *VippsTokenReconciler) recordUnsentFailure(tok *tokensv1alpha1.VippsToken, now time.Time, err error) {
	current := meta.FindStatusCondition(tok.Status.Conditions, tokensv1alpha1.ConditionRefreshed)
	if wanted := refreshedCondition(err, time.Time{}); current != nil && current.Reason == wanted.Reason &&
		current.Message == wanted.Message {
		return
	}
	tok.Status.FailureCount++
	tok.Status.LastFailureTime = metaTime(now)
	tok.Status.NextRetryTime = nil // retried when the Secret or the spec changes
	r.recordCondition(tok, refreshedCondition(err, time.Time{}))
}

// recordCondition sets a failed Refreshed condition and emits it as a Warning event.
func (r *VippsTokenReconciler) recordCondition(tok *tokensv1alpha1.VippsToken, condition metav1.Condition) {
	meta.SetStatusCondition(&tok.Status.Conditions, condition)
	r.recorder.Eventf(eventSubject(tok), nil, corev1.EventTypeWarning, condition.Reason, "Refresh", "%s", condition.Message)
}

// eventSubject refers to tok without its resourceVersion, which every status patch changes:
// with it no two events would be alike, and the events API could not aggregate repeats. The
// VippsToken of a ClusterVippsToken reports on the ClusterVippsToken, where its users look.
func eventSubject(tok *tokensv1alpha1.VippsToken) *corev1.ObjectReference {
	if owner := clusterTokenOf(tok); owner != nil {
		return clusterEventSubject(owner.Name, owner.UID)
	}
	return &corev1.ObjectReference{
		APIVersion: tokensv1alpha1.GroupVersion.String(), Kind: "VippsToken",
		Namespace: tok.Namespace, Name: tok.Name, UID: tok.UID,
	}
}

// writeStatus writes the status when the reconcile changed it, and only then, unless it
// trails the targets (trailing_status.go); and exports what it says as metrics.
func (r *VippsTokenReconciler) writeStatus(ctx context.Context, before, tok *tokensv1alpha1.VippsToken, trails bool) error {
	tok.Status.ObservedGeneration = tok.Generation
	r.metrics.observeTokenStatus(tok)
	if trails || equality.Semantic.DeepEqual(before.Status, tok.Status) {
		return nil
	}
	return patchStatus(ctx, r.client, tok, before)
}
