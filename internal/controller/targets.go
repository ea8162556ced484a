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
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// fieldOwner names the operator in the managedFields of what it writes.
const fieldOwner = client.FieldOwner("vipps-token-operator")

// ownedTargets lists the Secrets that tok controls, from the cache of labelled Secrets.
func (r *VippsTokenReconciler) ownedTargets(ctx context.Context, tok *tokensv1alpha1.VippsToken) ([]corev1.Secret, error) {
	return controlledSecrets(ctx, r.client, tok, ownerIndex, client.InNamespace(tok.Namespace))
}

// controlledSecrets lists the Secrets that owner controls through index, the index of Secrets
// by the name of their controller of owner's kind; not those of a former owner of that name.
func controlledSecrets(ctx context.Context, reader client.Reader, owner client.Object, index string,
	opts ...client.ListOption) ([]corev1.Secret, error) {
	list := &corev1.SecretList{}
	opts = append(opts, client.MatchingFields{index: owner.GetName()})
	if err := reader.List(ctx, list, opts...); err != nil {
		return nil, fmt.Errorf("listing the Secrets of %s: %w", owner.GetName(), err)
	}
	owned := list.Items[:0]
	for _, secret := range list.Items {
		if metav1.IsControlledBy(&secret, owner) {
			owned = append(owned, secret)
		}
	}
	return owned, nil
}

// syncTargets writes token into every target and deletes the owned Secrets that are no
// longer targets, each time waiting until the cache shows the write. It touches no Secret
// that tok does not control, and writes nothing when a target already holds what it should.
// Targets that exist but belong to somebody else are reported together as one
// errTargetConflict.
func (r *VippsTokenReconciler) syncTargets(ctx context.Context, tok *tokensv1alpha1.VippsToken, token issuedToken,
	req vipps.Request, owned []corev1.Secret) error {
	ownedByName := make(map[string]*corev1.Secret, len(owned))
	for i := range owned {
		ownedByName[owned[i].Name] = &owned[i]
	}

	var conflicts []string
	for _, target := range tok.Spec.Targets {
		desired := desiredTarget(tok, target, token, req)
		err := r.secrets.write(ctx, tok, ownedByName[target.Name], desired)
		if errors.Is(err, errTargetConflict) {
			conflicts = append(conflicts, target.Name)
			continue
		}
		if err != nil {
			return err
		}
	}
	if err := r.deleteFormerTargets(ctx, tok, owned); err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return targetConflict(tok, conflicts)
	}
	return nil
}

// targetConflict reports the targets that exist and belong to somebody else.
func targetConflict(tok *tokensv1alpha1.VippsToken, names []string) error {
	return &targetConflictError{names: names, namespace: tok.Namespace, owner: "VippsToken"}
}

// targetConflictError names the targets left alone because somebody else owns them.
type targetConflictError struct {
	names     []string
	namespace string
	// owner is the kind of the resource whose target it is.
	owner string
}

func (e *targetConflictError) Error() string {
	return fmt.Sprintf("%s: Secret %s in namespace %s exists and is not owned by this %s, so it was left alone",
		errTargetConflict, strings.Join(e.names, ", "), e.namespace, e.owner)
}

func (e *targetConflictError) Unwrap() error { return errTargetConflict }

// everyTargetTaken is true when err reports every target of tok as somebody else's: then
// no target holds what the reconcile tried to write.
func everyTargetTaken(tok *tokensv1alpha1.VippsToken, err error) bool {
	var conflict *targetConflictError
	return errors.As(err, &conflict) && len(conflict.names) == len(tok.Spec.Targets)
}

// targetsTakenByOthers names the targets that exist, as the metadata cache of Secrets sees
// them, and that tok does not control. A Secret that tok created a moment ago is either not
// in that cache yet or in it with tok as its controller, so it never counts as taken.
func (r *VippsTokenReconciler) targetsTakenByOthers(ctx context.Context, tok *tokensv1alpha1.VippsToken,
	owned []corev1.Secret) ([]string, error) {
	var taken []string
	for _, target := range tok.Spec.Targets {
		if slices.ContainsFunc(owned, func(s corev1.Secret) bool { return s.Name == target.Name }) {
			continue
		}
		existing := secretMetadataObject()
		err := r.secretMetadata.Get(ctx, client.ObjectKey{Namespace: tok.Namespace, Name: target.Name}, existing)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("looking up target Secret %s: %w", target.Name, err)
		case !metav1.IsControlledBy(existing, tok):
			taken = append(taken, target.Name)
		}
	}
	return taken, nil
}

// deleteFormerTargets deletes the Secrets that tok owns but no longer names.
func (r *VippsTokenReconciler) deleteFormerTargets(ctx context.Context, tok *tokensv1alpha1.VippsToken, owned []corev1.Secret) error {
	wanted := make(map[string]bool, len(tok.Spec.Targets))
	for _, target := range tok.Spec.Targets {
		wanted[target.Name] = true
	}
	for i := range owned {
		secret := &owned[i]
		if wanted[secret.Name] {
			continue
		}
		if err := r.secrets.delete(ctx, secret); err != nil {
			return fmt.Errorf("%w %s: deleting a former target: %w", errTargetWrite, secret.Name, err)
		}
	}
	return nil
}

// upToDate is true when existing holds desired's data and carries desired's labels and
// annotations. Labels and annotations that others added are not the operator's concern.
func upToDate(existing, desired *corev1.Secret) bool {
	return existing.Type == desired.Type &&
		maps.EqualFunc(existing.Data, desired.Data, bytes.Equal) &&
		containsAll(existing.Labels, desired.Labels) &&
		containsAll(existing.Annotations, desired.Annotations)
}

func containsAll(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func mergedInto(base, overlay map[string]string) map[string]string {
	if base == nil {
		base = make(map[string]string, len(overlay))
	}
	maps.Copy(base, overlay)
	return base
}
