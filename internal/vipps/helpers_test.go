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
	"strconv"
	"time"
)

// requestTime is the fixed "now" of the tests.
var requestTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return requestTime }

// unix is requestTime shifted by d, in Unix seconds.
func unix(d time.Duration) int64 { return requestTime.Add(d).Unix() }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// jwtWith builds an unsigned-looking JWT with the given claims.
func jwtWith(claims map[string]any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + ".c2lnbmF0dXJl"
}

// hourJWT is a JWT that expires an hour after requestTime, back-dated as Azure AD does: iat
// and nbf five minutes before the request.
var hourJWT = jwtWith(map[string]any{"iat": unix(-5 * time.Minute), "nbf": unix(-5 * time.Minute), "exp": unix(time.Hour)})

// body marshals a response body; fields keep whatever JSON type the test gives them.
func body(fields map[string]any) []byte {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return b
}

// validRequest is a Standard request that passes Validate.
func validRequest() Request {
	return Request{
		Type:            TokenTypeStandard,
		BaseURL:         TestBaseURL,
		ClientID:        "fb492b5e-7907-4d83-ba20-c7fb60ca35de",
		ClientSecret:    "c2VjcmV0+/=",
		SubscriptionKey: "0123456789abcdef0123456789abcdef",
	}
}
