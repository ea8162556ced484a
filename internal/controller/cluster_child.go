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
	"fmt"
	"maps"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// A ClusterVippsToken obtains its token through a VippsToken of the same name in the cluster
// resource namespace, next to the credentials: that VippsToken requests and renews the token
// under every rule a VippsToken follows (backoff, outages, refresh triggers, metrics), and
// writes it into one Secret there, the source, which the ClusterVippsToken copies into the
// selected namespaces. One token request serves every namespace, and the credentials never
// leave the cluster resource namespace.

// sourceSecretName is the name of the source Secret of a ClusterVippsToken.
func sourceSecretName(cvt *tokensv1alpha1.ClusterVippsToken) string { return cvt.Name + "-token" }

// desiredChild is the VippsToken that obtains cvt's token, as cvt's spec says it should be.
func desiredChild(cvt *tokensv1alpha1.ClusterVippsToken, resourceNamespace string) *tokensv1alpha1.VippsToken {
	labels := map[string]string{tokensv1alpha1.LabelClusterVippsToken: cvt.Name}
	child := &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: cvt.Name, Namespace: resourceNamespace, Labels: labels},
		Spec: tokensv1alpha1.VippsTokenSpec{
			TokenSettings:        cvt.Spec.TokenSettings,
			CredentialsSecretRef: cvt.Spec.CredentialsSecretRef,
			Targets: []tokensv1alpha1.TargetSecret{{
				Name: sourceSecretName(cvt), Labels: maps.Clone(labels),
				// The request headers reach the source only when the namespaces' target asks
				// for them; the client secret never does.
				IncludeRequestHeaders: cvt.Spec.Target.IncludeRequestHeaders,
			}},
		},
	}
	if refresh, ok := cvt.Annotations[tokensv1alpha1.AnnotationRefresh]; ok {
		child.Annotations = map[string]string{tokensv1alpha1.AnnotationRefresh: refresh}
	}
	return child
}

// clusterTokenOf is the ClusterVippsToken that controls tok, if one does.
func clusterTokenOf(tok *tokensv1alpha1.VippsToken) *metav1.OwnerReference {
	return controllerOfKind(tok, "ClusterVippsToken")
}

// childConflictError reports a VippsToken in the child's place that cvt does not control.
type childConflictError struct{ child *tokensv1alpha1.VippsToken }

func (e *childConflictError) Error() string {
	return fmt.Sprintf("%s: VippsToken %s exists and is not owned by this ClusterVippsToken, so it was left alone",
		errTargetConflict, klog.KObj(e.child))
}

func (e *childConflictError) Unwrap() error { return errTargetConflict }

func (e *childConflictError) advice() string {
	return "Rename the ClusterVippsToken, or delete that VippsToken so that the operator can create it."
}

// ensureChild creates cvt's VippsToken or brings it in line with cvt, and returns it as the
// API server holds it.
func (r *ClusterVippsTokenReconciler) ensureChild(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken) (
	*tokensv1alpha1.VippsToken, error) {
	desired := desiredChild(cvt, r.resourceNamespace)
	existing := &tokensv1alpha1.VippsToken{}
	key := client.ObjectKeyFromObject(desired)
	err := r.client.Get(ctx, key, existing)
	if apierrors.IsNotFound(err) {
		created, createErr := r.createChild(ctx, cvt, desired)
		if !apierrors.IsAlreadyExists(createErr) {
			return created, createErr
		}
		// Ours, created a moment ago and not yet in the cache, or somebody else's.
		err = r.apiReader.Get(ctx, key, existing)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the VippsToken of %s: %w", cvt.Name, err)
	}
	if !metav1.IsControlledBy(existing, cvt) {
		return nil, &childConflictError{child: desired}
	}
	if childUpToDate(existing, desired) {
		return existing, nil
	}
	updated := existing.DeepCopy()
	updated.Spec = desired.Spec
	updated.Labels = mergedInto(updated.Labels, desired.Labels)
	updated.Annotations = mergedInto(updated.Annotations, desired.Annotations)
	if err := r.client.Update(ctx, updated, fieldOwner); err != nil {
		return nil, fmt.Errorf("updating the VippsToken of %s: %w", cvt.Name, err)
	}
	return updated, waitForCacheToShow(ctx, r.client, updated)
}

func (r *ClusterVippsTokenReconciler) createChild(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken,
	desired *tokensv1alpha1.VippsToken) (*tokensv1alpha1.VippsToken, error) {
	if err := controllerutil.SetControllerReference(cvt, desired, r.scheme); err != nil {
		return nil, err
	}
	if err := r.client.Create(ctx, desired, fieldOwner); err != nil {
		return nil, fmt.Errorf("creating the VippsToken of %s: %w", cvt.Name, err)
	}
	return desired, waitForCacheToShow(ctx, r.client, desired)
}

// childUpToDate is true when existing has desired's spec, labels and refresh annotation.
func childUpToDate(existing, desired *tokensv1alpha1.VippsToken) bool {
	return equality.Semantic.DeepEqual(existing.Spec, desired.Spec) &&
		containsAll(existing.Labels, desired.Labels) &&
		containsAll(existing.Annotations, desired.Annotations)
}
