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
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// laggingCache answers Get with the versions of an object in turn, the last one from then on:
// a cache that sees the writes one watch event at a time. An empty version is "not found".
type laggingCache struct {
	versions []string
	gets     int
}

func (c *laggingCache) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	version := c.versions[min(c.gets, len(c.versions)-1)]
	c.gets++
	if version == "" {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
	}
	obj.SetResourceVersion(version)
	obj.SetDeletionTimestamp(nil)
	if version == "deleting" {
		obj.SetResourceVersion("9")
		obj.SetDeletionTimestamp(&metav1.Time{Time: heldIssuedAt})
	}
	return nil
}

func (c *laggingCache) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return nil
}

func TestWaitForCacheToShow(t *testing.T) {
	tests := []struct {
		name     string
		written  string // the resourceVersion the write returned
		versions []string
		wantGets int
	}{
		{"already there", "12", []string{"12"}, 1},
		{"one event behind, then caught up", "12", []string{"11", "11", "12"}, 3},
		{"past it: a later write of somebody else's", "12", []string{"13"}, 1},
		{"deleted meanwhile", "12", []string{"11", ""}, 2},
		{"numbers compare as numbers, not text", "100", []string{"99", "100"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := &laggingCache{versions: tt.versions}
			written := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-token", Namespace: "payments",
				ResourceVersion: tt.written}}
			if err := waitForCacheToShow(t.Context(), cache, written); err != nil {
				t.Fatalf("waitForCacheToShow() = %v", err)
			}
			if cache.gets != tt.wantGets {
				t.Errorf("the cache was read %d times, want %d", cache.gets, tt.wantGets)
			}
		})
	}
}

func TestWaitForCacheToDrop(t *testing.T) {
	for _, tt := range []struct {
		name     string
		versions []string
		wantGets int
	}{
		{"gone", []string{""}, 1},
		{"one event behind", []string{"12", ""}, 2},
		{"held by a finalizer: marked for deletion is enough", []string{"12", "deleting"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cache := &laggingCache{versions: tt.versions}
			deleted := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "former", Namespace: "payments", ResourceVersion: "12"}}
			if err := waitForCacheToDrop(t.Context(), cache, deleted); err != nil {
				t.Fatalf("waitForCacheToDrop() = %v", err)
			}
			if cache.gets != tt.wantGets {
				t.Errorf("the cache was read %d times, want %d", cache.gets, tt.wantGets)
			}
		})
	}
}

func TestWaitForCacheGivesUpWithAnError(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // as a shutdown would: the wait must not outlive it
	written := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-token", Namespace: "payments", ResourceVersion: "12"}}
	if err := waitForCacheToShow(ctx, &laggingCache{versions: []string{"11"}}, written); err == nil {
		t.Fatal("waitForCacheToShow() = nil for a cache that never caught up")
	}
}
