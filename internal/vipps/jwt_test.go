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
	"testing"
)

func TestDecodeJWTTimes(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name   string
		token  string
		want   jwtTimes
		wantOK bool
	}{
		{name: "numeric claims", token: jwtWith(map[string]any{"iat": 100, "nbf": 50, "exp": 200}),
			want: jwtTimes{Expiry: 200, HasExpiry: true}, wantOK: true},
		{name: "string claims", token: jwtWith(map[string]any{"iat": "100", "exp": "200"}),
			want: jwtTimes{Expiry: 200, HasExpiry: true}, wantOK: true},
		{name: "fractional NumericDate", token: jwtWith(map[string]any{"exp": 200.75}),
			want: jwtTimes{Expiry: 200, HasExpiry: true}, wantOK: true},
		{name: "zero exp is present", token: jwtWith(map[string]any{"exp": 0}),
			want: jwtTimes{HasExpiry: true}, wantOK: true},
		{name: "no time claims", token: jwtWith(map[string]any{"aud": "x"}), wantOK: true},
		{name: "claim that is not a number counts as absent", token: jwtWith(map[string]any{"exp": "soon", "iat": 5}),
			wantOK: true},
		{name: "padded payload", token: "h." + enc([]byte(`{"exp":7}`)) + "==.s",
			want: jwtTimes{Expiry: 7, HasExpiry: true}, wantOK: true},
		{name: "opaque token", token: "0123456789abcdef", wantOK: false},
		{name: "two parts", token: "a.b", wantOK: false},
		{name: "four parts", token: "a.b.c.d", wantOK: false},
		{name: "payload not base64url", token: "a.!!!.c", wantOK: false},
		{name: "payload not JSON", token: "a." + enc([]byte("not json")) + ".c", wantOK: false},
		{name: "payload a JSON array", token: "a." + enc([]byte("[1]")) + ".c", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeJWTTimes(tt.token)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("decodeJWTTimes() = %+v, %t; want %+v, %t", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
