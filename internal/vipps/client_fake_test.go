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
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// startFake runs a fake Vipps sharing the tests' fixed clock.
func startFake(t *testing.T, opts ...fakevipps.Option) (*fakevipps.Server, string) {
	t.Helper()
	fake := fakevipps.NewServer(append([]fakevipps.Option{fakevipps.WithClock(fixedClock)}, opts...)...)
	srv, err := fakevipps.Serve("127.0.0.1:0", fake)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

// requestFor builds a request of the given type with the fake's default credentials.
func requestFor(tokenType TokenType, env fakevipps.Environment, baseURL string) Request {
	creds := fakevipps.DefaultCredentials(env)
	return Request{
		Type: tokenType, BaseURL: baseURL,
		ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, SubscriptionKey: creds.SubscriptionKeys[0],
		Resource: "https://testapivipps.no/vippsas/invoice-isp-service",
	}
}

func TestFetchTokenFromFake(t *testing.T) {
	tests := []struct {
		name         string
		env          fakevipps.Environment
		tokenType    TokenType
		encoding     fakevipps.NumericEncoding
		wantLifetime time.Duration
	}{
		{"standard in Test", fakevipps.EnvironmentTest, TokenTypeStandard, fakevipps.AsDocumented, time.Hour},
		{
			"standard in Production", fakevipps.EnvironmentProduction, TokenTypeStandard, fakevipps.AsDocumented,
			24 * time.Hour,
		},
		{"standard with numbers", fakevipps.EnvironmentTest, TokenTypeStandard, fakevipps.Numbers, time.Hour},
		{"partner in Test", fakevipps.EnvironmentTest, TokenTypePartner, fakevipps.AsDocumented, 15 * time.Minute},
		{
			"partner in Production with strings", fakevipps.EnvironmentProduction, TokenTypePartner, fakevipps.Strings,
			15 * time.Minute,
		},
		{"legacy in Test", fakevipps.EnvironmentTest, TokenTypeLegacy, fakevipps.AsDocumented, time.Hour},
		{"legacy with numbers", fakevipps.EnvironmentTest, TokenTypeLegacy, fakevipps.Numbers, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := startFake(t, fakevipps.WithEnvironment(tt.env), fakevipps.WithNumericEncoding(tt.encoding))
			req := requestFor(tt.tokenType, tt.env, url)

			tok, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req)
			if err != nil {
				t.Fatalf("FetchToken() error = %v", err)
			}
			if tok.AccessToken == "" || !tok.RequestedAt.Equal(requestTime) || !tok.ExpiresAt.Equal(requestTime.Add(tt.wantLifetime)) {
				t.Errorf("FetchToken() = %v, want a token issued at %s expiring after %s", tok, requestTime, tt.wantLifetime)
			}
			if n := fake.CallsBy(req.ClientID); n != 1 {
				t.Errorf("fake counted %d calls by the client, want 1", n)
			}
		})
	}
}

func TestFetchTokenNeverSendsPartnerASubscriptionKey(t *testing.T) {
	fake, url := startFake(t)
	req := requestFor(TokenTypePartner, fakevipps.EnvironmentTest, url)
	if _, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req); err != nil {
		t.Fatalf("FetchToken() error = %v", err)
	}
	recorded := fake.Requests()
	if len(recorded) != 1 || recorded[0].Endpoint != fakevipps.EndpointPartner {
		t.Fatalf("fake recorded %+v, want one partner request", recorded)
	}
	if _, sent := recorded[0].Header["Ocp-Apim-Subscription-Key"]; sent {
		t.Error("partner request carried Ocp-Apim-Subscription-Key")
	}
}

func TestFetchTokenFromFakeWithLifetime(t *testing.T) {
	fake, url := startFake(t)
	fake.SetLifetime(3 * time.Second)
	for _, tokenType := range []TokenType{TokenTypeStandard, TokenTypePartner, TokenTypeLegacy} {
		t.Run(string(tokenType), func(t *testing.T) {
			req := requestFor(tokenType, fakevipps.EnvironmentTest, url)
			tok, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req)
			if err != nil || !tok.ExpiresAt.Equal(requestTime.Add(3*time.Second)) {
				t.Errorf("FetchToken() = %v, %v; want a token expiring 3s after the request", tok, err)
			}
		})
	}
}

// TestFetchTokenFromFakeErrorTable walks the sheet's error table against the fake.
func TestFetchTokenFromFakeErrorTable(t *testing.T) {
	production := fakevipps.DefaultCredentials(fakevipps.EnvironmentProduction)
	// Every row is a refusal of the credentials, which trying again will not change.
	tests := []struct {
		name       string
		tokenType  TokenType
		modify     func(*Request)
		wantStatus int
		wantText   string
	}{
		{"production key on the test host", TokenTypeStandard, func(r *Request) { r.SubscriptionKey = production.SubscriptionKeys[0] }, 401, "invalid subscription key"},
		{"wrong subscription key", TokenTypeStandard, func(r *Request) { r.SubscriptionKey = "0000" }, 401, "invalid subscription key"},
		{"production client_id on the test host", TokenTypeStandard, func(r *Request) { r.ClientID = production.ClientID }, 400, "AADSTS700016"},
		{"malformed client_id", TokenTypeStandard, func(r *Request) { r.ClientID = "not-a-guid" }, 400, "invalid_scope"},
		{"wrong client_secret", TokenTypeStandard, func(r *Request) { r.ClientSecret = "wrong" }, 401, "invalid_client"},
		{"legacy wrong client_secret", TokenTypeLegacy, func(r *Request) { r.ClientSecret = "wrong" }, 401, "invalid_client"},
		{"legacy wrong resource", TokenTypeLegacy, func(r *Request) { r.Resource = "invoice" }, 400, "invalid_resource"},
		{"partner wrong client_secret", TokenTypePartner, func(r *Request) { r.ClientSecret = "wrong" }, 401, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := startFake(t)
			req := requestFor(tt.tokenType, fakevipps.EnvironmentTest, url)
			tt.modify(&req)

			_, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req)
			var apiErr *APIError
			if !errors.Is(err, ErrCredentialsRejected) || !errors.As(err, &apiErr) || apiErr.StatusCode != tt.wantStatus {
				t.Fatalf("FetchToken() error = %v, want %v with status %d", err, ErrCredentialsRejected, tt.wantStatus)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("FetchToken() error = %q, want it to contain %q", err, tt.wantText)
			}
		})
	}
}

func TestFetchTokenFromFakeFaults(t *testing.T) {
	tests := []struct {
		name           string
		fault          fakevipps.Fault
		wantClass      error // nil: the token is still usable
		wantRetryAfter time.Duration
	}{
		{name: "500", fault: fakevipps.Status500, wantClass: ErrUnavailable},
		{name: "502 HTML", fault: fakevipps.Status502, wantClass: ErrUnavailable},
		{name: "503", fault: fakevipps.Status503, wantClass: ErrUnavailable},
		{
			name: "429 with Retry-After", fault: fakevipps.RateLimited(30 * time.Second), wantClass: ErrRateLimited,
			wantRetryAfter: 30 * time.Second,
		},
		{name: "429 without Retry-After", fault: fakevipps.RateLimited(0), wantClass: ErrRateLimited},
		{name: "hang past the client timeout", fault: fakevipps.Hang(time.Hour), wantClass: ErrUnavailable},
		{name: "malformed JSON", fault: fakevipps.MalformedJSON, wantClass: ErrMalformedResponse},
		{name: "HTML body", fault: fakevipps.HTMLBody, wantClass: ErrMalformedResponse},
		{name: "missing access_token", fault: fakevipps.MissingAccessToken, wantClass: ErrMalformedResponse},
		{name: "no expiry anywhere", fault: fakevipps.MissingExpiry, wantClass: ErrMalformedResponse},
		{name: "wrong token_type", fault: fakevipps.WrongTokenType, wantClass: ErrMalformedResponse},
		{name: "expiry only in the JWT", fault: fakevipps.JWTExpiryOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := startFake(t)
			fake.InjectFaults(tt.fault, 1)
			client := NewClient(WithClock(fixedClock), WithTimeout(200*time.Millisecond))
			req := requestFor(TokenTypeStandard, fakevipps.EnvironmentTest, url)

			tok, err := client.FetchToken(context.Background(), req)
			if tt.wantClass == nil {
				if err != nil || !tok.ExpiresAt.Equal(requestTime.Add(time.Hour)) {
					t.Fatalf("FetchToken() = %v, %v; want a token expiring in an hour", tok, err)
				}
			} else if !errors.Is(err, tt.wantClass) {
				t.Fatalf("FetchToken() error = %v, want %v", err, tt.wantClass)
			}
			if got, _ := RetryAfter(err); got != tt.wantRetryAfter {
				t.Errorf("RetryAfter() = %s, want %s", got, tt.wantRetryAfter)
			}
			// One fault only: the next request succeeds.
			if _, err := client.FetchToken(context.Background(), req); err != nil {
				t.Errorf("FetchToken() after the fault error = %v", err)
			}
		})
	}
}

func TestFetchTokenFromFakeOutageUntilCleared(t *testing.T) {
	fake, url := startFake(t)
	fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
	client := NewClient(WithClock(fixedClock))
	req := requestFor(TokenTypeStandard, fakevipps.EnvironmentTest, url)

	for i := range 3 {
		if _, err := client.FetchToken(context.Background(), req); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("attempt %d: FetchToken() error = %v, want ErrUnavailable", i, err)
		}
	}
	fake.ClearFaults()
	if _, err := client.FetchToken(context.Background(), req); err != nil {
		t.Fatalf("FetchToken() after ClearFaults error = %v", err)
	}
	if n := fake.CallsTo(fakevipps.EndpointStandard); n != 4 {
		t.Errorf("fake counted %d standard calls, want 4", n)
	}
}
