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
	"strconv"
	"time"
)

// standardResource is the resource Vipps' standard token response names.
const standardResource = "00000002-0000-0000-c000-000000000000"

// Documented token lifetimes.
const (
	testLifetime       = time.Hour
	productionLifetime = 24 * time.Hour
	partnerLifetime    = 15 * time.Minute
)

// lifetimeFor is the lifetime of a new token: the override when set, else what
// Vipps documents for the endpoint and environment.
func lifetimeFor(env Environment, endpoint Endpoint, override time.Duration) time.Duration {
	switch {
	case override > 0:
		return override
	case endpoint == EndpointPartner:
		return partnerLifetime
	case env == EnvironmentProduction:
		return productionLifetime
	default:
		return testLifetime
	}
}

// tokenFields mints a token and returns the success body of the endpoint. It is
// a map so that faults can take fields away. A fault may also set the lifetime.
func tokenFields(snap snapshot, endpoint Endpoint, clientID, resource string, fault Fault) map[string]any {
	issuedAt := snap.now.Unix()
	backdated := issuedAt - int64(snap.backdating/time.Second)
	lifetime := fault.lifetime(int64(lifetimeFor(snap.env, endpoint, snap.lifetime) / time.Second))
	claims := jwtClaims{
		Audience:  standardResource,
		Issuer:    "https://fake-vipps.invalid/" + string(snap.env) + "/",
		IssuedAt:  backdated,
		NotBefore: backdated,
		Expiry:    issuedAt + lifetime,
		AppID:     clientID,
		ID:        randomHex(8),
	}
	if resource != "" {
		claims.Audience = resource
	}
	accessToken := mintJWT(snap.signingKey, claims)

	asString := snap.encoding == Strings || (snap.encoding == AsDocumented && endpoint != EndpointPartner)
	number := func(n int64) any {
		if asString {
			return strconv.FormatInt(n, 10)
		}
		return n
	}
	if endpoint == EndpointPartner {
		return map[string]any{
			"access_token": accessToken,
			"token_type":   "Bearer",
			fieldExpiresIn: number(lifetime),
		}
	}
	return map[string]any{
		"token_type":     "Bearer",
		fieldExpiresIn:   number(lifetime),
		"ext_expires_in": number(0),
		"expires_on":     number(claims.Expiry),
		"not_before":     number(claims.NotBefore),
		"resource":       claims.Audience,
		"access_token":   accessToken,
	}
}

// fieldExpiresIn is the response field every token response carries, and faults remove.
const fieldExpiresIn = "expires_in"
