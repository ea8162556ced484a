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
	"maps"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// fanOut is what copying the source into the selected namespaces achieved.
type fanOut struct {
	selected int
	failures []tokensv1alpha1.NamespaceFailure
	// wrote is true when a target received data it did not hold before.
	wrote bool
	// holds tells the namespaces whose target holds the source's token.
	holds map[string]bool
	// requestedAt identifies the token: when the request that obtained it was sent; zero
	// when there is no source.
	requestedAt time.Time
}

// holding counts the namespaces whose target holds the source's token.
func (f fanOut) holding() int { return len(f.holds) }

// notHolding says why namespace does not hold the token; empty when it does.
func (f fanOut) notHolding(namespace string) string {
	if f.holds[namespace] {
		return ""
	}
	for _, failure := range f.failures {
		if failure.Namespace == namespace {
			return fmt.Sprintf("is in namespace %s, which does not hold the token (%s)", namespace, failure.Reason)
		}
	}
	return fmt.Sprintf("is in namespace %s, which the namespaceSelector does not select", namespace)
}

// selectedNamespaces names, in order, the namespaces that cvt's selector selects, of those
// that may receive a target (namespaceReceives).
func (r *ClusterVippsTokenReconciler) selectedNamespaces(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken) (
	[]string, error) {
	selector, err := metav1.LabelSelectorAsSelector(&cvt.Spec.NamespaceSelector)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNamespaceSelectorInvalid, err)
	}
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NamespaceList"))
	if err := r.client.List(ctx, list, client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	var names []string
	for i := range list.Items {
		if namespaceReceives(&list.Items[i], r.resourceNamespace, r.namespaces) {
			names = append(names, list.Items[i].Name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// namespaceReceives is true for a namespace that may receive a ClusterVippsToken's target:
// not the cluster resource namespace, which holds the credentials and the source; not one
// being deleted, which refuses new Secrets; and one the operator watches (all when watched
// is empty).
func namespaceReceives(ns *metav1.PartialObjectMetadata, resourceNamespace string, watched []string) bool {
	return ns.Name != resourceNamespace && ns.DeletionTimestamp.IsZero() &&
		(len(watched) == 0 || slices.Contains(watched, ns.Name))
}

// ownedFanOutTargets lists the Secrets that cvt controls, in every namespace.
func (r *ClusterVippsTokenReconciler) ownedFanOutTargets(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken) (
	[]corev1.Secret, error) {
	return controlledSecrets(ctx, r.client, cvt, clusterOwnerIndex)
}

// syncFanOut writes the source's data into cvt's target in every selected namespace, and
// deletes the targets cvt owns elsewhere or under a former name. A namespace whose write fails
// is reported and does not hold up the others. Nothing is written before the source holds a
// token (held: the source read as a target, nil until then).
func (r *ClusterVippsTokenReconciler) syncFanOut(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken,
	source *corev1.Secret, held *heldToken, namespaces []string, owned []corev1.Secret) (fanOut, error) {
	result := fanOut{selected: len(namespaces), holds: map[string]bool{}}
	selected := make(map[string]bool, len(namespaces))
	for _, ns := range namespaces {
		selected[ns] = true
	}
	current := map[string]*corev1.Secret{}
	var former []*corev1.Secret
	for i := range owned {
		secret := &owned[i]
		if secret.Name == cvt.Spec.Target.Name && selected[secret.Namespace] {
			current[secret.Namespace] = secret
		} else {
			former = append(former, secret)
		}
	}
	for _, secret := range former {
		if err := r.secrets.delete(ctx, secret); err != nil {
			return result, fmt.Errorf("deleting former target %s/%s: %w", secret.Namespace, secret.Name, err)
		}
	}
	if held == nil {
		return result, nil
	}
	result.requestedAt = held.RequestedAt
	var writeErrs []error
	for _, ns := range namespaces {
		desired := desiredFanOutTarget(cvt, ns, source)
		err := r.writeFanOutTarget(ctx, cvt, current[ns], desired)
		switch {
		case err == nil:
			result.holds[ns] = true
			result.wrote = result.wrote || current[ns] == nil || !upToDate(current[ns], desired)
		case apierrors.IsConflict(err):
			// Somebody wrote the target after the cache read it: retried from the newer version.
			return result, err
		case apierrors.IsNotFound(err):
			// The namespace went away after it was listed; its deletion brings cvt back.
		default:
			result.failures = append(result.failures, tokensv1alpha1.NamespaceFailure{
				Namespace: ns, Reason: failureReason(err), Message: failureMessage(err),
			})
			if !errors.Is(err, errTargetConflict) {
				writeErrs = append(writeErrs, err)
			}
		}
	}
	// A refused write is retried with the controller's backoff; a conflict waits for the
	// Secret in the way to change, which the metadata watch of Secrets reports.
	return result, errors.Join(writeErrs...)
}

// writeFanOutTarget writes desired unless a Secret of somebody else's stands in its place,
// which the metadata cache of Secrets shows without a request to the API server.
func (r *ClusterVippsTokenReconciler) writeFanOutTarget(ctx context.Context, cvt *tokensv1alpha1.ClusterVippsToken,
	existing, desired *corev1.Secret) error {
	taken := &targetConflictError{names: []string{desired.Name}, namespace: desired.Namespace, owner: "ClusterVippsToken"}
	if existing == nil {
		other := secretMetadataObject()
		err := r.secretMetadata.Get(ctx, client.ObjectKeyFromObject(desired), other)
		if err == nil && !metav1.IsControlledBy(other, cvt) {
			return taken
		}
	}
	err := r.secrets.write(ctx, cvt, existing, desired)
	if errors.Is(err, errTargetConflict) {
		return taken
	}
	return err
}

// copiedAnnotations are the source's annotations that a namespace's target carries too:
// when its token expires and was issued, and the hash of its data. The hash of the token's
// inputs stays in the cluster resource namespace: it is derived from the credentials.
var copiedAnnotations = []string{
	tokensv1alpha1.AnnotationExpiresAt, tokensv1alpha1.AnnotationIssuedAt, tokensv1alpha1.AnnotationDataHash,
}

// desiredFanOutTarget is cvt's target in namespace, holding what the source holds.
func desiredFanOutTarget(cvt *tokensv1alpha1.ClusterVippsToken, namespace string, source *corev1.Secret) *corev1.Secret {
	target := cvt.Spec.Target
	labels := maps.Clone(target.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[tokensv1alpha1.LabelManagedBy] = tokensv1alpha1.ManagedByValue
	labels[tokensv1alpha1.LabelClusterVippsToken] = cvt.Name

	annotations := maps.Clone(target.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	for _, key := range copiedAnnotations {
		if value, ok := source.Annotations[key]; ok {
			annotations[key] = value
		}
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: target.Name, Namespace: namespace, Labels: labels, Annotations: annotations},
		Type:       source.Type,
		Data:       maps.Clone(source.Data),
	}
}
