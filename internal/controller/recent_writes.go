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
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// recentWrites remembers, per VippsToken, the status the reconciler last wrote and the
// token it last obtained. The cache that feeds Reconcile lags behind the reconciler's own
// writes, and those writes bring the VippsToken straight back: without this memory, that
// next reconcile would see the old status and old targets and fetch the token again.
//
// Only the reconciler writes the status, so its own last write is never older than the
// cache's copy. The memory is empty after a restart, when the caches are freshly listed.
type recentWrites struct {
	mu     sync.Mutex
	byName map[types.NamespacedName]recentWrite
}

type recentWrite struct {
	// uid tells a VippsToken from an earlier one of the same name.
	uid    types.UID
	status *tokensv1alpha1.VippsTokenStatus
	token  *heldToken
}

func newRecentWrites() *recentWrites {
	return &recentWrites{byName: map[types.NamespacedName]recentWrite{}}
}

// overlay replaces tok's cached status with the one last written, and returns the token
// last obtained if it is newer than held.
func (m *recentWrites) overlay(tok *tokensv1alpha1.VippsToken, held *heldToken) *heldToken {
	m.mu.Lock()
	recent, ok := m.byName[client.ObjectKeyFromObject(tok)]
	m.mu.Unlock()
	if !ok || recent.uid != tok.UID {
		return held
	}
	if recent.status != nil {
		tok.Status = *recent.status.DeepCopy()
	}
	if recent.token != nil && (held == nil || recent.token.ExpiresAt.After(held.ExpiresAt)) {
		return recent.token
	}
	return held
}

func (m *recentWrites) rememberStatus(tok *tokensv1alpha1.VippsToken) {
	m.update(tok, func(recent *recentWrite) { recent.status = tok.Status.DeepCopy() })
}

func (m *recentWrites) rememberToken(tok *tokensv1alpha1.VippsToken, token *heldToken) {
	m.update(tok, func(recent *recentWrite) { recent.token = token })
}

func (m *recentWrites) update(tok *tokensv1alpha1.VippsToken, change func(*recentWrite)) {
	key := client.ObjectKeyFromObject(tok)
	m.mu.Lock()
	defer m.mu.Unlock()
	recent := m.byName[key]
	if recent.uid != tok.UID {
		recent = recentWrite{uid: tok.UID}
	}
	change(&recent)
	m.byName[key] = recent
}

// forget drops what is known of a VippsToken that no longer exists.
func (m *recentWrites) forget(key types.NamespacedName) {
	m.mu.Lock()
	delete(m.byName, key)
	m.mu.Unlock()
}
