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

package kubectlvipps

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// tokenClaims are the claims of a JWT that inspect shows: who issued it, for whom, and when
// it holds. None of them is secret; the signature, which is, is never decoded.
type tokenClaims struct {
	// algorithm is the header's alg, the signing algorithm.
	algorithm string
	issuer    string
	subject   string
	audience  []string
	// issuedAt, notBefore and expiry are nil when the token does not carry them.
	issuedAt, notBefore, expiry *time.Time
}

// decodeClaims reads the header and payload of token as a JWT without verifying its
// signature: the plugin only shows what the token says, and trusts it for nothing. It
// reports false for anything that is not a JWT with JSON claims of the registered types, an
// opaque token for example. It returns no error, whose text could quote the token.
func decodeClaims(token string) (tokenClaims, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return tokenClaims{}, false
	}
	var header struct {
		Algorithm string `json:"alg"`
	}
	var payload struct {
		Issuer    string       `json:"iss"`
		Subject   string       `json:"sub"`
		Audience  audience     `json:"aud"`
		IssuedAt  *numericDate `json:"iat"`
		NotBefore *numericDate `json:"nbf"`
		Expiry    *numericDate `json:"exp"`
	}
	if !decodeSegment(parts[0], &header) || !decodeSegment(parts[1], &payload) {
		return tokenClaims{}, false
	}
	return tokenClaims{
		algorithm: header.Algorithm,
		issuer:    payload.Issuer,
		subject:   payload.Subject,
		audience:  payload.Audience,
		issuedAt:  payload.IssuedAt.time(),
		notBefore: payload.NotBefore.time(),
		expiry:    payload.Expiry.time(),
	}, true
}

// decodeSegment decodes a base64url segment of a JWT (padding tolerated) as a JSON object into v.
func decodeSegment(segment string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segment, "="))
	if err != nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// audience is the aud claim, which RFC 7519 allows as one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// numericDate is a NumericDate claim: seconds since the Unix epoch, a JSON number that may
// have a fraction. A string holding one is read too, as Vipps sends numbers as strings elsewhere.
type numericDate struct{ seconds float64 }

func (d *numericDate) UnmarshalJSON(data []byte) error {
	data = bytes.Trim(data, `"`)
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return errors.New("not a NumericDate")
	}
	seconds, err := n.Float64()
	if err != nil || math.IsInf(seconds, 0) || math.Abs(seconds) > 1e11 {
		return errors.New("not a NumericDate")
	}
	d.seconds = seconds
	return nil
}

// time is the date as a time.Time in UTC, or nil when the claim is absent.
func (d *numericDate) time() *time.Time {
	if d == nil {
		return nil
	}
	whole, frac := math.Modf(d.seconds)
	t := time.Unix(int64(whole), int64(frac*1e9)).UTC()
	return &t
}
