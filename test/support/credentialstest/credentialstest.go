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

// Package credentialstest makes, for the operator's specs, Vipps credentials of a spec's own,
// shaped like the real ones, and the Secret a VippsToken reads them from. It needs no API
// server and no operator, so that every suite can use it.
package credentialstest

import (
	"crypto/rand"
	"encoding/hex"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// New returns credentials that no other spec has: a client ID shaped like a GUID, a client
// secret as ClientSecret makes one, and one subscription key of 32 hex digits. Register them
// with the fake (AddCredentials), so that its per-client counters count one spec's calls.
func New() fakevipps.Credentials {
	id := randomHex(16)
	return fakevipps.Credentials{
		// A version 4 GUID, as the fake checks a client ID's shape as Vipps does.
		ClientID:         id[:8] + "-" + id[8:12] + "-4" + id[13:16] + "-8" + id[17:20] + "-" + id[20:],
		ClientSecret:     ClientSecret(),
		SubscriptionKeys: []string{randomHex(16)},
	}
}

// ClientSecret is a random client secret shaped like Vipps's: base64, with its punctuation
// (+, / and =), which a spec needs to see URL-encoded and redacted.
func ClientSecret() string {
	return rand.Text() + "+/" + rand.Text()[:8] + "=="
}

// Secret is a Secret that holds creds under the keys a VippsToken's credentialsSecretRef
// reads by default.
func Secret(namespace, name string, creds fakevipps.Credentials) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		StringData: map[string]string{
			"client-id":        creds.ClientID,
			"client-secret":    creds.ClientSecret,
			"subscription-key": creds.SubscriptionKeys[0],
		},
	}
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return hex.EncodeToString(b)
}
