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

// obtainedTokens keeps, per VippsToken, the token Vipps issued last, until a newer one
// replaces it. The targets are the operator's memory, and this is what it writes back into
// targets that lost the token — a write the API server refused, a target deleted or edited
// by somebody else — so that none of that costs Vipps a request. It holds nothing read from
// the cluster, so it cannot lag behind it; after a restart it is empty, and a token lost
// then is requested again.
type obtainedTokens struct {
	mu     sync.Mutex
	byName map[types.NamespacedName]lastObtained
}

type lastObtained struct {
	// uid tells a VippsToken from an earlier one of the same name.
	uid   types.UID
	token *obtainedToken
}

func newObtainedTokens() *obtainedTokens {
	return &obtainedTokens{byName: map[types.NamespacedName]lastObtained{}}
}

// remember keeps obtained as the token Vipps issued last for tok.
func (o *obtainedTokens) remember(tok *tokensv1alpha1.VippsToken, obtained *obtainedToken) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.byName[client.ObjectKeyFromObject(tok)] = lastObtained{uid: tok.UID, token: obtained}
}

// unheld is the token Vipps issued last for tok if the targets do not hold it: it was issued
// for inputsHash, is still valid at now and is newer than held, what the targets hold. Else nil.
func (o *obtainedTokens) unheld(tok *tokensv1alpha1.VippsToken, held *heldToken, inputsHash string,
	now time.Time) *obtainedToken {
	o.mu.Lock()
	last, ok := o.byName[client.ObjectKeyFromObject(tok)]
	o.mu.Unlock()
	obtained := last.token
	switch {
	case !ok || last.uid != tok.UID || obtained.inputsHash != inputsHash || !now.Before(obtained.ExpiresAt):
		return nil
	case held != nil && held.inputsHash == inputsHash && !issuedLater(issuedToken(*obtained), issuedToken(*held)):
		return nil
	}
	return obtained
}

// forget drops what is kept of the VippsToken key, which no longer exists.
func (o *obtainedTokens) forget(key types.NamespacedName) {
	o.mu.Lock()
	delete(o.byName, key)
	o.mu.Unlock()
}
