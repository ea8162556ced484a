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

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// ownedSecrets writes the Secrets that a VippsToken or a ClusterVippsToken controls, and
// only those: a Secret of somebody else's is reported as errTargetConflict, never changed.
// After each write it waits until the cache shows it (cache_wait.go).
type ownedSecrets struct {
	client    client.Client
	apiReader client.Reader
	scheme    *runtime.Scheme
}

// write creates desired, controlled by owner, or brings existing (which owner controls) up
// to date.
func (w ownedSecrets) write(ctx context.Context, owner client.Object, existing, desired *corev1.Secret) error {
	if existing == nil {
		return w.create(ctx, owner, desired)
	}
	if upToDate(existing, desired) {
		return nil
	}
	updated := existing.DeepCopy()
	updated.Type = desired.Type
	updated.Data = desired.Data
	updated.Labels = mergedInto(updated.Labels, desired.Labels)
	updated.Annotations = mergedInto(updated.Annotations, desired.Annotations)
	// The update carries the resourceVersion read, so a concurrent edit makes it fail with a
	// conflict and the next reconcile starts again from the edited Secret.
	if err := w.client.Update(ctx, updated, fieldOwner); err != nil {
		return fmt.Errorf("%w %s: %w", errTargetWrite, desired.Name, err)
	}
	return waitForCacheToShow(ctx, w.client, updated)
}

// create creates a Secret that the cache does not know. Create, unlike an update or
// an apply, fails when the Secret exists, so a Secret of somebody else's is never taken over.
func (w ownedSecrets) create(ctx context.Context, owner client.Object, desired *corev1.Secret) error {
	if err := controllerutil.SetControllerReference(owner, desired, w.scheme); err != nil {
		return err
	}
	err := w.client.Create(ctx, desired, fieldOwner)
	if !apierrors.IsAlreadyExists(err) {
		if err != nil {
			return fmt.Errorf("%w %s: %w", errTargetWrite, desired.Name, err)
		}
		return waitForCacheToShow(ctx, w.client, desired)
	}
	// It exists: ours, created a moment ago and not yet in the cache, or somebody else's.
	existing := &corev1.Secret{}
	if err := w.apiReader.Get(ctx, client.ObjectKeyFromObject(desired), existing); err != nil {
		return fmt.Errorf("%w %s: %w", errTargetWrite, desired.Name, err)
	}
	if !metav1.IsControlledBy(existing, owner) {
		return errTargetConflict
	}
	return w.write(ctx, owner, existing, desired)
}

// delete deletes secret as it was read, and nothing newer or of another owner: the
// preconditions make a Secret recreated or edited meanwhile fail the deletion.
func (w ownedSecrets) delete(ctx context.Context, secret *corev1.Secret) error {
	err := w.client.Delete(ctx, secret, client.Preconditions{UID: &secret.UID, ResourceVersion: &secret.ResourceVersion})
	if client.IgnoreNotFound(err) != nil {
		return err
	}
	return waitForCacheToDrop(ctx, w.client, secret)
}
