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
package fakevipps_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// claimsOf decodes a JWT's payload, failing unless it has three base64url parts.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	var header, claims map[string]any
	for i, into := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, into) != nil {
			t.Fatalf("JWT part %d is not base64url JSON: %v", i, err)
		}
	}
	if header["typ"] != "JWT" || header["alg"] == nil {
		t.Errorf("JWT header = %v, want typ JWT and an alg", header)
	}
	return claims
}

func TestTokenResponses(t *testing.T) {
	standardFields := []string{
		"token_type", "expires_in", "ext_expires_in", "expires_on", "not_before", "resource", "access_token",
	}
	tests := []struct {
		name        string
		call        call
		encoding    fakevipps.NumericEncoding
		wantStrings bool
		wantFields  []string
		wantType    string
	}{
		{name: "standard as documented", call: standardCall(testCreds), encoding: fakevipps.AsDocumented, wantStrings: true,
			wantFields: standardFields,
			wantType:   "application/json;charset=UTF-8"},
		{name: "standard as numbers", call: standardCall(testCreds), encoding: fakevipps.Numbers,
			wantFields: standardFields, wantType: "application/json;charset=UTF-8"},
		{name: "partner as documented", call: partnerCall(testCreds), encoding: fakevipps.AsDocumented,
			wantFields: []string{"access_token", "token_type", "expires_in"}, wantType: "application/json"},
		{name: "partner as strings", call: partnerCall(testCreds), encoding: fakevipps.Strings, wantStrings: true,
			wantFields: []string{"expires_in"}, wantType: "application/json"},
		{name: "legacy as documented", call: legacyCall(testCreds), encoding: fakevipps.AsDocumented, wantStrings: true,
			wantFields: standardFields,
			wantType:   "application/json;charset=UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock), fakevipps.WithNumericEncoding(tt.encoding))
			resp, decoded := do(t, fake, tt.call)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tt.wantType {
				t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, resp.Header.Get("Content-Type"), tt.wantType)
			}
			for _, field := range tt.wantFields {
				if _, ok := decoded[field]; !ok {
					t.Errorf("body lacks %s: %v", field, decoded)
				}
			}
			if _, isString := decoded["expires_in"].(string); isString != tt.wantStrings {
				t.Errorf("expires_in = %#v, want a string: %t", decoded["expires_in"], tt.wantStrings)
			}
			if decoded["token_type"] != "Bearer" {
				t.Errorf("token_type = %v, want Bearer", decoded["token_type"])
			}

			claims := claimsOf(t, decoded["access_token"].(string))
			lifetime := number(t, decoded["expires_in"])
			backdated := float64(now.Add(-5 * time.Minute).Unix())
			if claims["iat"] != backdated || claims["nbf"] != backdated || claims["exp"] != float64(now.Unix()+lifetime) {
				t.Errorf("claims = %v, want iat and nbf 5 minutes back as Azure AD sends them, exp after expires_in", claims)
			}
			if nb, ok := decoded["not_before"]; ok && number(t, nb) != int64(backdated) {
				t.Errorf("not_before = %v, want 5 minutes back", nb)
			}
			if on, ok := decoded["expires_on"]; ok && number(t, on) != int64(claims["exp"].(float64)) {
				t.Errorf("expires_on = %v, want the JWT exp %v", on, claims["exp"])
			}
		})
	}
}

func TestBackdatingCanBeTurnedOff(t *testing.T) {
	fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock), fakevipps.WithBackdating(0))
	_, decoded := do(t, fake, standardCall(testCreds))
	claims := claimsOf(t, decoded["access_token"].(string))
	if claims["iat"] != float64(now.Unix()) || claims["nbf"] != float64(now.Unix()) ||
		number(t, decoded["not_before"]) != now.Unix() {
		t.Errorf("claims = %v, not_before = %v: want the exact issue time", claims, decoded["not_before"])
	}
}

// number reads a field the fake encoded as a string or a number.
func number(t *testing.T, v any) int64 {
	t.Helper()
	var n json.Number
	raw, _ := json.Marshal(v)
	if err := json.Unmarshal([]byte(strings.Trim(string(raw), `"`)), &n); err != nil {
		t.Fatalf("%v is not a number", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v is not an integer", v)
	}
	return i
}

func TestTokensDiffer(t *testing.T) {
	fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock))
	_, first := do(t, fake, standardCall(testCreds))
	_, second := do(t, fake, standardCall(testCreds))
	if first["access_token"] == second["access_token"] {
		t.Error("two requests in the same second got the same token")
	}
}

func TestLifetimes(t *testing.T) {
	tests := []struct {
		name string
		opts []fakevipps.Option
		call call
		want time.Duration
	}{
		{name: "standard in Test", call: standardCall(testCreds), want: time.Hour},
		{name: "legacy in Test", call: legacyCall(testCreds), want: time.Hour},
		{name: "partner in Test", call: partnerCall(testCreds), want: 15 * time.Minute},
		{name: "standard in Production", opts: []fakevipps.Option{fakevipps.WithEnvironment(fakevipps.EnvironmentProduction)},
			call: standardCall(productionCreds), want: 24 * time.Hour},
		{name: "partner in Production", opts: []fakevipps.Option{fakevipps.WithEnvironment(fakevipps.EnvironmentProduction)},
			call: partnerCall(productionCreds), want: 15 * time.Minute},
		{name: "overridden for standard", opts: []fakevipps.Option{fakevipps.WithLifetime(2 * time.Minute)},
			call: standardCall(testCreds), want: 2 * time.Minute},
		{name: "overridden for partner", opts: []fakevipps.Option{fakevipps.WithLifetime(2 * time.Minute)},
			call: partnerCall(testCreds), want: 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakevipps.NewServer(append(tt.opts, fakevipps.WithClock(fixedClock))...)
			_, decoded := do(t, fake, tt.call)
			if got := number(t, decoded["expires_in"]); got != int64(tt.want/time.Second) {
				t.Errorf("expires_in = %d, want %d", got, int64(tt.want/time.Second))
			}
		})
	}
}

func TestSetLifetime(t *testing.T) {
	fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock))
	fake.SetLifetime(3 * time.Second)
	for _, c := range []call{standardCall(testCreds), partnerCall(testCreds), legacyCall(testCreds)} {
		if _, decoded := do(t, fake, c); number(t, decoded["expires_in"]) != 3 {
			t.Errorf("%s: expires_in = %v, want 3", c.path, decoded["expires_in"])
		}
	}
	fake.SetLifetime(0)
	if _, decoded := do(t, fake, standardCall(testCreds)); number(t, decoded["expires_in"]) != 3600 {
		t.Errorf("after SetLifetime(0): expires_in = %v, want the default 3600", decoded["expires_in"])
	}
}
