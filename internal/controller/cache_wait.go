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
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The cache that feeds Reconcile lags behind the reconciler's own writes, and those writes
// bring the VippsToken straight back: a reconcile that read the old targets and status would
// request the token again. So after each write the reconciler waits until the cache shows it
// (Cluster API's WaitForCacheToBeUpToDate). The work queue hands a key to one worker at a
// time, and not again before the reconcile returns, so the next reconcile of the VippsToken
// reads what this one wrote.
const (
	// cacheWaitTimeout bounds the wait; past it the reconcile fails and is retried with
	// backoff, by when a watch that stalled has usually caught up.
	cacheWaitTimeout = 10 * time.Second
	// cacheWaitInterval is how often the cache is looked at: a watch event usually arrives
	// within milliseconds.
	cacheWaitInterval = 5 * time.Millisecond
)

// patchStatus writes obj's status as a merge patch from before, and waits until the cache
// shows it.
func patchStatus(ctx context.Context, c client.Client, obj, before client.Object) error {
	if err := c.Status().Patch(ctx, obj, client.MergeFrom(before)); err != nil {
		return fmt.Errorf("patching the status of %s: %w", klog.KObj(obj), err)
	}
	return waitForCacheToShow(ctx, c, obj)
}

// waitForCacheToShow waits until the cache behind reader holds written at least at the
// resourceVersion the write returned, or no longer holds it (it was deleted meanwhile).
func waitForCacheToShow(ctx context.Context, reader client.Reader, written client.Object) error {
	minimum := written.GetResourceVersion()
	return waitForCache(ctx, reader, written, "a write", func(cached client.Object, err error) (bool, error) {
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		cmp, err := resourceversion.CompareResourceVersion(cached.GetResourceVersion(), minimum)
		return cmp >= 0, err
	})
}

// waitForCacheToDrop waits until the cache behind reader no longer holds deleted, or holds
// it marked for deletion (a finalizer of somebody else's may keep it a while).
func waitForCacheToDrop(ctx context.Context, reader client.Reader, deleted client.Object) error {
	return waitForCache(ctx, reader, deleted, "a deletion", func(cached client.Object, err error) (bool, error) {
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && !cached.GetDeletionTimestamp().IsZero(), err
	})
}

func waitForCache(ctx context.Context, reader client.Reader, obj client.Object, what string,
	seen func(cached client.Object, err error) (bool, error)) error {
	key := client.ObjectKeyFromObject(obj)
	cached, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return fmt.Errorf("waiting for the cache to show %s of %s: not a client.Object", what, klog.KObj(obj))
	}
	err := wait.PollUntilContextTimeout(ctx, cacheWaitInterval, cacheWaitTimeout, true,
		func(ctx context.Context) (bool, error) { return seen(cached, reader.Get(ctx, key, cached)) })
	if err != nil {
		return fmt.Errorf("waiting for the cache to show %s of %s: %w", what, klog.KObj(obj), err)
	}
	return nil
}
