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
	"encoding/base64"
	"reflect"
	"testing"
	"time"
)

// testHeader is the JOSE header of the tokens that jwt builds.
const testHeader = `{"alg":"RS256","typ":"JWT","kid":"k1"}`

// jwt joins header and payload, base64url-encoded, with a signature that is never read.
func jwt(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(testHeader)) + "." + enc.EncodeToString([]byte(payload)) + ".c2lnbmF0dXJl"
}

func unix(seconds, nanoseconds int64) *time.Time {
	t := time.Unix(seconds, nanoseconds).UTC()
	return &t
}

func TestDecodeClaims(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		want   tokenClaims
		wantOK bool
	}{
		{
			name: "Azure AD access token, as Vipps issues",
			token: jwt(`{"aud":"00000002-0000-0000-c000-000000000000","iss":"https://sts.windows.net/t/",` +
				`"iat":1764430556,"nbf":1764430556,"exp":1764434456,"appid":"c","sub":"s"}`),
			want: tokenClaims{algorithm: "RS256", issuer: "https://sts.windows.net/t/", subject: "s",
				audience: []string{"00000002-0000-0000-c000-000000000000"},
				issuedAt: unix(1764430556, 0), notBefore: unix(1764430556, 0), expiry: unix(1764434456, 0)},
			wantOK: true,
		},
		{
			name:   "audience list, fractional and string dates, no iat or nbf",
			token:  jwt(`{"aud":["a","b"],"exp":"1764434456","nbf":1764430556.5}`),
			want:   tokenClaims{algorithm: "RS256", audience: []string{"a", "b"}, expiry: unix(1764434456, 0), notBefore: unix(1764430556, 5e8)},
			wantOK: true,
		},
		{
			name:   "padded segments",
			token:  base64.URLEncoding.EncodeToString([]byte(testHeader)) + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1}`)) + ".x",
			want:   tokenClaims{algorithm: "RS256", expiry: unix(1, 0)},
			wantOK: true,
		},
		{name: "opaque token", token: "0123456789abcdef0123456789abcdef"},
		{name: "two segments", token: "eyJhbGciOiJub25lIn0.eyJleHAiOjF9"},
		{name: "payload not base64", token: base64.RawURLEncoding.EncodeToString([]byte(testHeader)) + ".e30*.x"},
		{name: "payload not JSON", token: jwt("not json")},
		{name: "payload a JSON array", token: jwt(`[1,2]`)},
		{name: "exp not a date", token: jwt(`{"exp":"soon"}`)},
		{name: "exp out of range", token: jwt(`{"exp":1e300}`)},
		{name: "aud a number", token: jwt(`{"aud":7}`)},
		{name: "header not JSON", token: base64.RawURLEncoding.EncodeToString([]byte("x")) + ".e30.x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeClaims(tt.token)
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decodeClaims() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
