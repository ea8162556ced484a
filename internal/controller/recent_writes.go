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
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// recentWrites remembers, per VippsToken, the status the reconciler last wrote, the token it
// last wrote into the targets, and a token it obtained but could not write yet. The cache
// that feeds Reconcile lags behind the reconciler's own writes, and those writes bring the
// VippsToken straight back: without this memory, that next reconcile would see the old
// status and old targets and fetch the token again. The unwritten token spares Vipps a
// request for every retry of a target write that the API server refused.
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
	// written is the token last written into the targets; unwritten one obtained since.
	written, unwritten *heldToken
}

func newRecentWrites() *recentWrites {
	return &recentWrites{byName: map[types.NamespacedName]recentWrite{}}
}

// overlay replaces tok's cached status with the one last written, and returns the token
// last written into the targets if it is newer than held, what the cache shows them holding.
func (m *recentWrites) overlay(tok *tokensv1alpha1.VippsToken, held *heldToken) *heldToken {
	recent, ok := m.get(tok)
	if !ok {
		return held
	}
	if recent.status != nil {
		tok.Status = *recent.status.DeepCopy()
	}
	return newer(recent.written, held)
}

// unwrittenToken is the token obtained for inputsHash and not yet written into the targets,
// if it is still valid at now and replaces held: held is for other inputs, or older.
func (m *recentWrites) unwrittenToken(tok *tokensv1alpha1.VippsToken, held *heldToken, inputsHash string,
	now time.Time) *heldToken {
	recent, ok := m.get(tok)
	unwritten := recent.unwritten
	if !ok || unwritten == nil || unwritten.inputsHash != inputsHash || !now.Before(unwritten.ExpiresAt) {
		return nil
	}
	if held != nil && held.inputsHash == inputsHash && newer(unwritten, held) != unwritten {
		return nil
	}
	return unwritten
}

// newer is the one of a and b that was requested later (on a tie, that expires later); either
// may be nil. Not the later expiry alone: after a change to inputs that give shorter tokens
// (Production to Test, Standard to Partner), the new token expires before the old one.
func newer(a, b *heldToken) *heldToken {
	switch {
	case a == nil:
		return b
	case b == nil, a.RequestedAt.After(b.RequestedAt),
		a.RequestedAt.Equal(b.RequestedAt) && a.ExpiresAt.After(b.ExpiresAt):
		return a
	}
	return b
}

func (m *recentWrites) get(tok *tokensv1alpha1.VippsToken) (recentWrite, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	recent, ok := m.byName[client.ObjectKeyFromObject(tok)]
	return recent, ok && recent.uid == tok.UID
}

func (m *recentWrites) rememberStatus(tok *tokensv1alpha1.VippsToken) {
	m.update(tok, func(recent *recentWrite) { recent.status = tok.Status.DeepCopy() })
}

// rememberObtained notes a token that Vipps issued and that is not in the targets yet.
func (m *recentWrites) rememberObtained(tok *tokensv1alpha1.VippsToken, token *heldToken) {
	m.update(tok, func(recent *recentWrite) { recent.unwritten = token })
}

// rememberWritten notes the token that the targets now hold.
func (m *recentWrites) rememberWritten(tok *tokensv1alpha1.VippsToken, token *heldToken) {
	m.update(tok, func(recent *recentWrite) {
		recent.written = token
		if newer(recent.unwritten, token) == token {
			recent.unwritten = nil
		}
	})
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
