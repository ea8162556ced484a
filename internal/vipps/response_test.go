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
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseTokenResponse(t *testing.T) {
	tests := []struct {
		name          string
		body          []byte
		wantExpiresAt time.Time
	}{
		// Success variants the sheet lists.
		{
			name: "standard, numeric fields as strings",
			body: body(map[string]any{
				"token_type": "Bearer", "expires_in": "3599", "ext_expires_in": "0",
				"expires_on": itoa(unix(time.Hour)), "not_before": itoa(unix(-5 * time.Minute)),
				"resource": "00000002-0000-0000-c000-000000000000", "access_token": hourJWT,
			}),
			wantExpiresAt: requestTime.Add(3599 * time.Second),
		},
		{
			name: "standard, numeric fields as numbers",
			body: body(map[string]any{
				"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 0,
				"expires_on": unix(time.Hour), "not_before": unix(-5 * time.Minute), "access_token": hourJWT,
			}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
		{
			name:          "partner, expires_in as a number, with scope",
			body:          body(map[string]any{"access_token": hourJWT, "token_type": "Bearer", "expires_in": 900, "scope": "donations:read"}),
			wantExpiresAt: requestTime.Add(15 * time.Minute),
		},
		{
			name:          "partner, expires_in as a string",
			body:          body(map[string]any{"access_token": hourJWT, "token_type": "Bearer", "expires_in": "900"}),
			wantExpiresAt: requestTime.Add(15 * time.Minute),
		},
		{
			name:          "only the JWT says when it expires",
			body:          body(map[string]any{"access_token": hourJWT, "token_type": "Bearer"}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
		{
			name:          "opaque token with expires_in, issued at the request time",
			body:          body(map[string]any{"access_token": "opaque-token", "token_type": "Bearer", "expires_in": "600"}),
			wantExpiresAt: requestTime.Add(10 * time.Minute),
		},
		{
			name:          "opaque token with only expires_on",
			body:          body(map[string]any{"access_token": "opaque-token", "token_type": "Bearer", "expires_on": itoa(unix(time.Hour))}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
		{
			name:          "token_type is case-insensitive",
			body:          body(map[string]any{"access_token": hourJWT, "token_type": "bearer", "expires_in": 60}),
			wantExpiresAt: requestTime.Add(time.Minute),
		},
		{
			name:          "empty and null numeric fields count as absent",
			body:          body(map[string]any{"access_token": hourJWT, "token_type": "Bearer", "expires_in": "", "expires_on": nil}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
		{
			name:          "surrounding whitespace is ignored",
			body:          []byte("\n  " + string(body(map[string]any{"access_token": hourJWT, "token_type": "Bearer"})) + "\r\n"),
			wantExpiresAt: requestTime.Add(time.Hour),
		},

		// The earliest expiry wins, whichever field offers it.
		{
			name: "expires_on is earliest",
			body: body(map[string]any{"access_token": hourJWT, "token_type": "Bearer",
				"expires_in": "3600", "expires_on": itoa(unix(30 * time.Minute))}),
			wantExpiresAt: requestTime.Add(30 * time.Minute),
		},
		{
			name: "JWT exp is earliest",
			body: body(map[string]any{"access_token": hourJWT, "token_type": "Bearer",
				"expires_in": "7200", "expires_on": itoa(unix(2 * time.Hour))}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
		{
			name: "an absurd expires_in loses to a sane expires_on",
			body: body(map[string]any{"access_token": "opaque", "token_type": "Bearer",
				"expires_in": "99999999999999999999", "expires_on": itoa(unix(time.Hour))}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},

		// iat is never read: whatever it says, the token was obtained at the request time.
		{
			name: "iat after the expiry is ignored",
			body: body(map[string]any{"token_type": "Bearer",
				"access_token": jwtWith(map[string]any{"iat": unix(2 * time.Hour), "exp": unix(time.Hour)})}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
		{
			name: "negative iat is ignored",
			body: body(map[string]any{"token_type": "Bearer",
				"access_token": jwtWith(map[string]any{"iat": -1, "exp": unix(time.Hour)})}),
			wantExpiresAt: requestTime.Add(time.Hour),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := parseTokenResponse(tt.body, requestTime)
			if err != nil {
				t.Fatalf("parseTokenResponse() error = %v", err)
			}
			if tok.AccessToken == "" || tok.TokenType != "Bearer" {
				t.Errorf("token = %q of type %q, want the access_token of type Bearer", tok.AccessToken, tok.TokenType)
			}
			if !tok.ExpiresAt.Equal(tt.wantExpiresAt) {
				t.Errorf("ExpiresAt = %s, want %s", tok.ExpiresAt, tt.wantExpiresAt)
			}
			if !tok.RequestedAt.Equal(requestTime) {
				t.Errorf("RequestedAt = %s, want the request time %s", tok.RequestedAt, requestTime)
			}
		})
	}
}

// TestParseTokenResponseRejects lists, by what the error says, the bodies that are not a
// token response the operator can use.
func TestParseTokenResponseRejects(t *testing.T) {
	// rejected maps a substring of the malformed-response error to the bodies that earn it.
	rejected := map[string][]struct {
		name string
		body []byte
	}{
		"body is empty": {
			{"empty body", nil},
		},
		"body is HTML": {
			{"HTML body", []byte("<html><body>Sign in</body></html>")},
		},
		"not a JSON token response": {
			{"truncated JSON", []byte(`{"token_type":"Bearer","access_token":"eyJ`)},
			{"JSON array", []byte(`[{"access_token":"x"}]`)},
			{"access_token of the wrong JSON type", []byte(`{"access_token":42,"token_type":"Bearer"}`)},
		},
		"larger than": {
			{"body over the limit", []byte(`{"access_token":"` + strings.Repeat("a", maxBodyBytes) + `"}`)},
		},
		"access_token is missing": {
			{"missing access_token", body(map[string]any{"token_type": "Bearer", "expires_in": "3600"})},
			{"empty access_token", body(map[string]any{"access_token": "", "token_type": "Bearer", "expires_in": "3600"})},
		},
		"access_token is longer than": {
			{"access_token over the limit", body(map[string]any{"access_token": strings.Repeat("a", maxAccessTokenBytes+1), "token_type": "Bearer", "expires_in": "3600"})},
		},
		"not allowed in an HTTP header": {
			{"access_token with a line break", body(map[string]any{"access_token": "abc\r\nX-Injected: 1", "token_type": "Bearer", "expires_in": "3600"})},
			{"access_token with a space", body(map[string]any{"access_token": "abc def", "token_type": "Bearer", "expires_in": "3600"})},
		},
		"token_type is not Bearer": {
			{"missing token_type", body(map[string]any{"access_token": hourJWT})},
			{"token_type other than Bearer", body(map[string]any{"access_token": hourJWT, "token_type": "PoP"})},
		},
		"no expiry": {
			{"no expiry anywhere", body(map[string]any{"access_token": "opaque", "token_type": "Bearer"})},
			{"JWT without exp and no fields", body(map[string]any{"access_token": jwtWith(map[string]any{"iat": unix(0)}), "token_type": "Bearer"})},
		},
		"at or before": {
			{"expires_in zero", body(map[string]any{"access_token": "opaque", "token_type": "Bearer", "expires_in": "0"})},
			{"expires_in negative", body(map[string]any{"access_token": "opaque", "token_type": "Bearer", "expires_in": -60})},
			{"expires_on in the past", body(map[string]any{"access_token": hourJWT, "token_type": "Bearer", "expires_on": itoa(unix(-time.Second))})},
			{"JWT already expired", body(map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": jwtWith(map[string]any{"exp": unix(-time.Hour)})})},
		},
		"more than": {
			{"expires_in more than 7 days", body(map[string]any{"access_token": "opaque", "token_type": "Bearer", "expires_in": 8 * 24 * 3600})},
			{"expires_in beyond int64", body(map[string]any{"access_token": "opaque", "token_type": "Bearer", "expires_in": "1e400"})},
			{"expires_on far in the future", body(map[string]any{"access_token": "opaque", "token_type": "Bearer", "expires_on": "9223372036854775807"})},
			{"JWT exp far in the future", body(map[string]any{"access_token": jwtWith(map[string]any{"exp": 1e18}), "token_type": "Bearer"})},
		},
		"expires_in is not a number": {
			{"expires_in not a number", body(map[string]any{"access_token": hourJWT, "token_type": "Bearer", "expires_in": "soon"})},
		},
		"expires_on is not a number": {
			{"expires_on not a number", body(map[string]any{"access_token": hourJWT, "token_type": "Bearer", "expires_on": true})},
		},
	}
	for wantErr, bodies := range rejected {
		for _, tt := range bodies {
			t.Run(tt.name, func(t *testing.T) {
				_, err := parseTokenResponse(tt.body, requestTime)
				if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), wantErr) {
					t.Fatalf("parseTokenResponse() error = %v, want ErrMalformedResponse mentioning %q", err, wantErr)
				}
			})
		}
	}
}
