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

package vipps

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// jwtTimes is the claim of an access token that bounds its validity, exp in Unix
// seconds, with whether the token carries it. iat and nbf are not read: Azure AD
// back-dates them, so they say nothing about when the token was obtained.
type jwtTimes struct {
	Expiry    int64
	HasExpiry bool
}

// decodeJWTTimes reads exp from a JWT's payload without verifying the
// signature: the token is only ever handed on to Vipps, which verifies it; we
// only want to know when to fetch the next one. It reports false for anything
// that is not a JWT with a JSON payload, so that an opaque token is still usable
// when the response body says when it expires.
func decodeJWTTimes(token string) (jwtTimes, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return jwtTimes{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return jwtTimes{}, false
	}
	var claims struct {
		Expiry json.RawMessage `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return jwtTimes{}, false
	}
	// A claim that is not a number counts as absent: the body's own fields still
	// decide, and FetchToken fails when nothing says when the token expires.
	var times jwtTimes
	times.Expiry, times.HasExpiry, _ = parseNumber(claims.Expiry)
	return times, true
}
