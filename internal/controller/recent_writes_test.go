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
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestNewer(t *testing.T) {
	old := issuedToken("old, 24 hours", 24*time.Hour)
	// Requested later, for inputs that give shorter tokens: it expires first.
	shorter := requestedAt(issuedToken("new, 1 hour", time.Hour), heldIssuedAt.Add(time.Minute))
	sameRequestLonger := issuedToken("same request, 25 hours", 25*time.Hour)
	tests := []struct {
		name       string
		a, b, want *heldToken
	}{
		{"both nil", nil, nil, nil},
		{"only a", old, nil, old},
		{"only b", nil, old, old},
		{"the later request wins over the later expiry", old, shorter, shorter},
		{"in either order", shorter, old, shorter},
		{"requested together: the later expiry", old, sameRequestLonger, sameRequestLonger},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameHeldToken(t, newer(tt.a, tt.b), tt.want)
		})
	}
}

func TestUnwrittenToken(t *testing.T) {
	const inputs = "inputs-now"
	tok := &tokensv1alpha1.VippsToken{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "payments", UID: "uid-1"}}
	now := heldIssuedAt.Add(10 * time.Minute)
	withInputs := func(held *heldToken, hash string) *heldToken { held.inputsHash = hash; return held }
	unwritten := withInputs(requestedAt(issuedToken("unwritten", time.Hour), heldIssuedAt.Add(time.Minute)), inputs)

	tests := []struct {
		name       string
		remembered *heldToken
		held       *heldToken
		inputsHash string
		now        time.Time
		want       *heldToken
	}{
		{"nothing remembered", nil, nil, inputs, now, nil},
		{"no held token", unwritten, nil, inputs, now, unwritten},
		{"older held token", unwritten, withInputs(issuedToken("held", 2*time.Hour), inputs), inputs, now, unwritten},
		{"held token for other inputs, expiring later", unwritten,
			withInputs(issuedToken("held", 24*time.Hour), "inputs-before"), inputs, now, unwritten},
		{"held token requested later", unwritten,
			withInputs(requestedAt(issuedToken("held", time.Hour), heldIssuedAt.Add(2*time.Minute)), inputs), inputs, now, nil},
		{"obtained for other inputs", unwritten, nil, "inputs-changed-since", now, nil},
		{"expired", unwritten, nil, inputs, unwritten.ExpiresAt, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recent := newRecentWrites()
			if tt.remembered != nil {
				recent.rememberObtained(tok, tt.remembered)
			}
			sameHeldToken(t, recent.unwrittenToken(tok, tt.held, tt.inputsHash, tt.now), tt.want)
		})
	}

	t.Run("written, it is no longer unwritten", func(t *testing.T) {
		recent := newRecentWrites()
		recent.rememberObtained(tok, unwritten)
		recent.rememberWritten(tok, unwritten)
		sameHeldToken(t, recent.unwrittenToken(tok, nil, inputs, now), nil)
		sameHeldToken(t, recent.overlay(tok, nil), unwritten)
	})
	t.Run("a VippsToken of the same name but another UID remembers nothing", func(t *testing.T) {
		recent := newRecentWrites()
		recent.rememberObtained(tok, unwritten)
		other := tok.DeepCopy()
		other.UID = "uid-2"
		sameHeldToken(t, recent.unwrittenToken(other, nil, inputs, now), nil)
	})
}
