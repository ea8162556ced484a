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
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Token is an access token and its validity.
//
// It never prints its AccessToken: fmt, logr, slog and encoding/json all get a
// redacted form. Read the AccessToken field to use the token.
type Token struct {
	AccessToken string
	// TokenType is always "Bearer"; FetchToken rejects any other type.
	TokenType string
	// RequestedAt is when the request that obtained the token was sent. The token's lifetime
	// counts from here, as OAuth clients count expires_in: never from the JWT's iat or the
	// body's not_before, which Azure AD back-dates by about five minutes.
	RequestedAt time.Time
	// ExpiresAt is the earliest expiry the response offers.
	ExpiresAt time.Time
}

// tokenView is what a Token shows of itself: the Token's own fields, so that a field added
// to Token cannot be left out of it, with the access token redacted.
type tokenView struct {
	AccessToken string
	TokenType   string
	RequestedAt time.Time
	ExpiresAt   time.Time
}

func (t Token) view() tokenView {
	v := tokenView(t)
	v.AccessToken = redactedIfSet(t.AccessToken)
	return v
}

// String prints the token's type and validity, not the token.
func (t Token) String() string {
	v := t.view()
	return fmt.Sprintf("{TokenType:%s RequestedAt:%s ExpiresAt:%s AccessToken:%s}",
		v.TokenType, v.RequestedAt.Format(time.RFC3339), v.ExpiresAt.Format(time.RFC3339), v.AccessToken)
}

// GoString is String with the type name, for %#v.
func (t Token) GoString() string { return "vipps.Token" + t.String() }

// Format redacts for every verb, not only the ones that use String.
func (t Token) Format(f fmt.State, verb rune) { writeFormatted(f, verb, t.String(), t.GoString()) }

// MarshalLog is what logr sinks log instead of the token.
func (t Token) MarshalLog() any { return t.view() }

// LogValue is what slog handlers log instead of the token.
func (t Token) LogValue() slog.Value { return slog.AnyValue(t.view()) }

// MarshalJSON keeps the token out of JSON too, for loggers and dumps that encode
// values themselves.
func (t Token) MarshalJSON() ([]byte, error) { return json.Marshal(t.view()) }
