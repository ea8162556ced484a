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
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// issuedToken is a token Vipps issued, with what identifies the inputs it was issued for.
// The reconciler meets it under two names, which it never mixes:
//
//   - heldToken: what the targets hold, read back from a target Secret that the operator
//     wrote. The targets are the operator's memory, so a restart needs no Vipps call; status,
//     conditions and metrics describe this token and no other.
//   - obtainedToken: what Vipps just issued and the targets do not hold yet.
type issuedToken struct {
	vipps.Token
	// inputsHash identifies what the token was issued for (spec and credentials).
	inputsHash string
}

// heldToken is the token the targets hold.
type heldToken issuedToken

// obtainedToken is a token Vipps issued that is not in the targets yet.
type obtainedToken issuedToken

// issuedLater is true when a was requested after b (on a tie, when it expires later). Not the
// later expiry alone: after a change to inputs that give shorter tokens (Production to Test,
// Standard to Partner), the new token expires before the old one.
func issuedLater(a, b issuedToken) bool {
	return a.RequestedAt.After(b.RequestedAt) ||
		a.RequestedAt.Equal(b.RequestedAt) && a.ExpiresAt.After(b.ExpiresAt)
}

// heldTokenOf finds the best token among the VippsToken's own target Secrets: one whose
// data still matches the hash the operator wrote and which has not expired. When targets
// disagree (a write was interrupted), the one requested last wins.
func heldTokenOf(owned []corev1.Secret, now time.Time) *heldToken {
	var best *heldToken
	for i := range owned {
		held, ok := readHeldToken(&owned[i])
		if !ok || !now.Before(held.ExpiresAt) {
			continue
		}
		// The request time is an annotation, outside the data hash: one in the future (an
		// edit, or the clock of another replica) would push the minimum interval out.
		if held.RequestedAt.After(now) {
			held.RequestedAt = now.Truncate(time.Second)
		}
		if best == nil || issuedLater(issuedToken(*held), issuedToken(*best)) {
			best = held
		}
	}
	return best
}

func readHeldToken(secret *corev1.Secret) (*heldToken, bool) {
	annotations := secret.Annotations
	if annotations[tokensv1alpha1.AnnotationDataHash] != dataHash(secret.Data) {
		return nil, false // edited by someone else: not to be trusted
	}
	expiresUnix, err := strconv.ParseInt(string(secret.Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
	if err != nil {
		return nil, false
	}
	requestedAt, err := time.Parse(time.RFC3339, annotations[tokensv1alpha1.AnnotationIssuedAt])
	if err != nil {
		return nil, false
	}
	token := string(secret.Data[tokensv1alpha1.KeyAccessToken])
	if token == "" {
		return nil, false
	}
	return &heldToken{
		Token: vipps.Token{
			AccessToken: token,
			TokenType:   string(secret.Data[tokensv1alpha1.KeyTokenType]),
			RequestedAt: requestedAt,
			ExpiresAt:   time.Unix(expiresUnix, 0).UTC(),
		},
		inputsHash: annotations[tokensv1alpha1.AnnotationTokenInputsHash],
	}, true
}

// tokenInputsHash identifies everything that decides which token Vipps issues: a change to
// any of it (type, host, credentials, merchant serial number, resource) needs a new token,
// while a change to the targets or the system headers does not. The hash is stored only on
// target Secrets, which hold the token itself, and never in status.
func tokenInputsHash(req vipps.Request) string {
	return hashOf(string(req.Type), req.BaseURL, req.ClientID, req.ClientSecret, req.SubscriptionKey,
		req.MerchantSerialNumber, req.Resource)
}

// dataHash identifies the data the operator wrote into a target Secret.
func dataHash(data map[string][]byte) string {
	keys := slices.Sorted(maps.Keys(data))
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k, string(data[k]))
	}
	return hashOf(parts...)
}

// hashOf hashes its parts with their lengths, so that no two lists of parts collide by
// concatenation.
func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		_, _ = h.Write([]byte(strconv.Itoa(len(p)) + ":" + p))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
