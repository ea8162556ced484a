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
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

const (
	// maxBodyBytes bounds what is read from a token endpoint. Real responses are
	// a few kilobytes.
	maxBodyBytes = 64 << 10
	// maxAccessTokenBytes bounds the token, which is copied into Secrets and
	// request headers. Real JWTs are 1 to 2 KiB.
	maxAccessTokenBytes = 16 << 10
	// maxLifetime is the longest validity accepted. Vipps issues tokens for 15
	// minutes to 24 hours; a response promising more is broken, and trusting it
	// would keep a dead token in use.
	maxLifetime = 7 * 24 * time.Hour
)

// tokenResponse is the success body of all three endpoints. The numeric fields
// stay raw because they arrive as strings or numbers; fields this package does
// not use (ext_expires_in, not_before, resource, scope) are ignored.
type tokenResponse struct {
	TokenType   string          `json:"token_type"`
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	ExpiresOn   json.RawMessage `json:"expires_on"`
}

// parseTokenResponse turns a success body into a Token, judged against the time
// the request was sent. Anything that cannot be trusted to say when the token
// expires is an ErrMalformedResponse: a token that seems to live forever would
// never be renewed. Errors never quote the body.
func parseTokenResponse(body []byte, requestTime time.Time) (Token, error) {
	if len(body) > maxBodyBytes {
		return Token{}, malformed(fmt.Sprintf("body is larger than %d bytes", maxBodyBytes))
	}
	body = bytes.TrimSpace(body)
	var resp tokenResponse
	switch {
	case len(body) == 0:
		return Token{}, malformed("body is empty")
	case looksLikeHTML(body):
		return Token{}, malformed("body is HTML, not JSON")
	case json.Unmarshal(body, &resp) != nil:
		return Token{}, malformed("body is not a JSON token response")
	}

	if err := checkAccessToken(resp.AccessToken); err != nil {
		return Token{}, err
	}
	if !strings.EqualFold(resp.TokenType, "Bearer") {
		return Token{}, malformed("token_type is not Bearer")
	}

	jwt, _ := decodeJWTTimes(resp.AccessToken)
	expiresAt, err := earliestExpiry(resp, jwt, requestTime)
	if err != nil {
		return Token{}, err
	}
	return Token{
		AccessToken: resp.AccessToken,
		TokenType:   "Bearer",
		RequestedAt: requestTime.UTC(),
		ExpiresAt:   expiresAt,
	}, nil
}

// checkAccessToken rejects tokens that are empty, huge, or unusable in an HTTP
// header (anything but visible ASCII could split or forge headers downstream).
func checkAccessToken(token string) error {
	switch {
	case token == "":
		return malformed("access_token is missing or empty")
	case len(token) > maxAccessTokenBytes:
		return malformed(fmt.Sprintf("access_token is longer than %d bytes", maxAccessTokenBytes))
	case strings.IndexFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return malformed("access_token contains characters not allowed in an HTTP header")
	}
	return nil
}

// earliestExpiry picks the earliest of request time + expires_in, expires_on and
// the JWT's exp, and rejects an expiry that is already past or absurdly far ahead.
func earliestExpiry(resp tokenResponse, jwt jwtTimes, requestTime time.Time) (time.Time, error) {
	// Clamping to just past the limit keeps huge values from overflowing while
	// still failing the absurdity check below.
	limitSeconds := int64(maxLifetime/time.Second) + 1
	latestUnix := requestTime.Unix() + limitSeconds

	var candidates []time.Time
	if seconds, ok, err := parseNumber(resp.ExpiresIn); err != nil {
		return time.Time{}, malformed("expires_in " + err.Error())
	} else if ok {
		seconds = min(max(seconds, -limitSeconds), limitSeconds)
		candidates = append(candidates, requestTime.Add(time.Duration(seconds)*time.Second))
	}
	if unix, ok, err := parseNumber(resp.ExpiresOn); err != nil {
		return time.Time{}, malformed("expires_on " + err.Error())
	} else if ok {
		candidates = append(candidates, time.Unix(min(unix, latestUnix), 0))
	}
	if jwt.HasExpiry {
		candidates = append(candidates, time.Unix(min(jwt.Expiry, latestUnix), 0))
	}
	if len(candidates) == 0 {
		return time.Time{}, malformed("no expiry: no expires_in, no expires_on and no JWT exp")
	}

	expiresAt := candidates[0]
	for _, c := range candidates[1:] {
		if c.Before(expiresAt) {
			expiresAt = c
		}
	}
	switch {
	case !expiresAt.After(requestTime):
		return time.Time{}, malformed("token expires at or before the time it was requested")
	case expiresAt.Sub(requestTime) > maxLifetime:
		return time.Time{}, malformed(fmt.Sprintf("token expires more than %s after it was requested", maxLifetime))
	}
	return expiresAt.UTC(), nil
}
