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

package fakevipps

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
)

// jwtHeader is fixed: the fake signs with HMAC-SHA256 (Vipps uses RS256, but no
// client verifies the signature, and claiming RS256 with an HMAC would be a lie).
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

// mintJWT returns header.payload.signature, each part base64url without padding.
func mintJWT(key []byte, claims any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("fakevipps: JWT claims do not marshal: " + err.Error()) // claims are the fake's own structs
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString([]byte(jwtHeader)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}

// jwtClaims are the claims of a Vipps access token that matter to clients, plus
// a unique ID so that every token differs.
type jwtClaims struct {
	Audience  string `json:"aud"`
	Issuer    string `json:"iss"`
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf"`
	Expiry    int64  `json:"exp"`
	AppID     string `json:"appid"`
	ID        string `json:"jti"`
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return hex.EncodeToString(b)
}
