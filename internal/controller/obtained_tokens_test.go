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
	"k8s.io/apimachinery/pkg/types"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestIssuedLater(t *testing.T) {
	old := heldTokenFor("old, 24 hours", 24*time.Hour)
	// Requested later, for inputs that give shorter tokens: it expires first.
	shorter := requestedAt(heldTokenFor("new, 1 hour", time.Hour), heldIssuedAt.Add(time.Minute))
	sameRequestLonger := heldTokenFor("same request, 25 hours", 25*time.Hour)
	tests := []struct {
		name string
		a, b *heldToken
		want bool
	}{
		{"the later request wins over the later expiry", shorter, old, true},
		{"in the other order", old, shorter, false},
		{"requested together: the later expiry", sameRequestLonger, old, true},
		{"requested together, in the other order", old, sameRequestLonger, false},
		{"the same token is not later than itself", old, old, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := issuedLater(issuedToken(*tt.a), issuedToken(*tt.b)); got != tt.want {
				t.Errorf("issuedLater() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestObtainedTokensUnheld(t *testing.T) {
	const inputs = "inputs-now"
	tok := &tokensv1alpha1.VippsToken{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "payments", UID: "uid-1"}}
	now := heldIssuedAt.Add(10 * time.Minute)
	withInputs := func(held *heldToken, hash string) *heldToken { held.inputsHash = hash; return held }
	last := (*obtainedToken)(withInputs(requestedAt(heldTokenFor("obtained", time.Hour), heldIssuedAt.Add(time.Minute)), inputs))

	tests := []struct {
		name       string
		remembered *obtainedToken
		held       *heldToken
		inputsHash string
		now        time.Time
		want       *obtainedToken
	}{
		{"nothing remembered", nil, nil, inputs, now, nil},
		{"no held token", last, nil, inputs, now, last},
		{"older held token", last, withInputs(heldTokenFor("held", 2*time.Hour), inputs), inputs, now, last},
		{"held token for other inputs, expiring later", last,
			withInputs(heldTokenFor("held", 24*time.Hour), "inputs-before"), inputs, now, last},
		{"held token requested later", last,
			withInputs(requestedAt(heldTokenFor("held", time.Hour), heldIssuedAt.Add(2*time.Minute)), inputs), inputs, now, nil},
		{"obtained for other inputs", last, nil, "inputs-changed-since", now, nil},
		{"expired", last, nil, inputs, last.ExpiresAt, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := newObtainedTokens()
			if tt.remembered != nil {
				tokens.remember(tok, tt.remembered)
			}
			if got := tokens.unheld(tok, tt.held, tt.inputsHash, tt.now); got != tt.want {
				t.Errorf("unheld() = %+v, want %+v", got, tt.want)
			}
		})
	}

	t.Run("forgotten with its VippsToken", func(t *testing.T) {
		tokens := newObtainedTokens()
		tokens.remember(tok, last)
		tokens.forget(types.NamespacedName{Namespace: tok.Namespace, Name: tok.Name})
		if got := tokens.unheld(tok, nil, inputs, now); got != nil {
			t.Errorf("unheld() = %+v after forget, want nil", got)
		}
	})
	t.Run("a VippsToken of the same name but another UID has none", func(t *testing.T) {
		tokens := newObtainedTokens()
		tokens.remember(tok, last)
		other := tok.DeepCopy()
		other.UID = "uid-2"
		if got := tokens.unheld(other, nil, inputs, now); got != nil {
			t.Errorf("unheld() = %+v for another UID, want nil", got)
		}
	})
}
