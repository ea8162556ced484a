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
)

// FuzzParseTokenResponse checks that no body, however broken, yields a token
// that cannot be used or renewed, or an error that quotes the body. The seed
// corpus in testdata/fuzz/FuzzParseTokenResponse holds every response variant
// Vipps sends; plain "go test" runs it.
func FuzzParseTokenResponse(f *testing.F) {
	f.Add(okBody())
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := parseTokenResponse(data, requestTime)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("error %v is not ErrMalformedResponse", err)
			}
			if len(data) >= 8 && strings.Contains(err.Error(), string(data)) {
				t.Fatalf("error %q quotes the body", err)
			}
			if tok != (Token{}) {
				t.Fatalf("error %v came with a token %v", err, tok)
			}
			return
		}
		switch {
		case tok.AccessToken == "" || len(tok.AccessToken) > maxAccessTokenBytes:
			t.Fatalf("accepted an access token of %d bytes", len(tok.AccessToken))
		case strings.ContainsAny(tok.AccessToken, " \t\r\n"):
			t.Fatal("accepted an access token with whitespace")
		case tok.TokenType != "Bearer":
			t.Fatalf("token type %q, want Bearer", tok.TokenType)
		case !tok.ExpiresAt.After(requestTime):
			t.Fatalf("accepted a token expiring at %s, not after the request at %s", tok.ExpiresAt, requestTime)
		case tok.ExpiresAt.Sub(requestTime) > maxLifetime:
			t.Fatalf("accepted a token expiring at %s, more than %s after the request", tok.ExpiresAt, maxLifetime)
		case !tok.RequestedAt.Before(tok.ExpiresAt):
			t.Fatalf("RequestedAt %s is not before ExpiresAt %s", tok.RequestedAt, tok.ExpiresAt)
		}
	})
}
