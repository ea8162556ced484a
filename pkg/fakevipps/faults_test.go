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
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

func TestFaultsReplaceTheResponse(t *testing.T) {
	tests := []struct {
		name           string
		fault          fakevipps.Fault
		wantStatus     int
		wantType       string
		wantBody       string
		wantRetryAfter string
	}{
		{
			name: "500", fault: fakevipps.Status500, wantStatus: 500, wantType: "application/json",
			wantBody: `"statusCode":500`,
		},
		{name: "502", fault: fakevipps.Status502, wantStatus: 502, wantType: "text/html", wantBody: "<html>"},
		{
			name: "503", fault: fakevipps.Status503, wantStatus: 503, wantType: "application/json",
			wantBody: `"statusCode":503`,
		},
		{name: "429 with Retry-After rounded up", fault: fakevipps.RateLimited(1500 * time.Millisecond), wantStatus: 429,
			wantType: "application/json", wantBody: "Try again in 2 seconds", wantRetryAfter: "2"},
		{
			name: "429 without Retry-After", fault: fakevipps.RateLimited(0), wantStatus: 429, wantType: "application/json",
			wantBody: "Rate limit is exceeded.",
		},
		{
			name: "malformed JSON", fault: fakevipps.MalformedJSON, wantStatus: 200, wantType: "application/json",
			wantBody: `"access_token":"eyJ`,
		},
		{
			name: "HTML body", fault: fakevipps.HTMLBody, wantStatus: 200, wantType: "text/html; charset=utf-8",
			wantBody: "<!DOCTYPE html>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakevipps.NewServer()
			fake.InjectFaults(tt.fault, 1)
			// Wrong credentials: a replacing fault answers before they are checked.
			req := httptestRequest(standardCall(testCreds).with(map[string]string{"client_secret": "wrong"}))
			rec := serveRecorded(fake, req)
			contentType := rec.Header().Get("Content-Type")
			if rec.Code != tt.wantStatus || contentType != tt.wantType || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("got %d %q %q, want %d %q containing %q", rec.Code, contentType, rec.Body.String(),
					tt.wantStatus, tt.wantType, tt.wantBody)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.wantRetryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantRetryAfter)
			}
		})
	}
}

func TestFaultsAlterASuccessfulResponse(t *testing.T) {
	tests := []struct {
		name       string
		fault      fakevipps.Fault
		wantAbsent []string
		check      func(t *testing.T, decoded map[string]any)
	}{
		{name: "missing access token", fault: fakevipps.MissingAccessToken, wantAbsent: []string{"access_token"}},
		{
			name: "missing expiry", fault: fakevipps.MissingExpiry,
			wantAbsent: []string{"expires_in", "expires_on", "ext_expires_in", "not_before"},
			check: func(t *testing.T, decoded map[string]any) {
				if strings.Count(decoded["access_token"].(string), ".") != 0 {
					t.Errorf("access_token %v is a JWT, whose exp would still say when it expires", decoded["access_token"])
				}
			}},
		{
			name: "JWT expiry only", fault: fakevipps.JWTExpiryOnly,
			wantAbsent: []string{"expires_in", "expires_on", "ext_expires_in", "not_before"},
			check: func(t *testing.T, decoded map[string]any) {
				if claimsOf(t, decoded["access_token"].(string))["exp"] == nil {
					t.Error("JWT has no exp")
				}
			}},
		{name: "wrong token type", fault: fakevipps.WrongTokenType,
			check: func(t *testing.T, decoded map[string]any) {
				if decoded["token_type"] != "PoP" {
					t.Errorf("token_type = %v, want PoP", decoded["token_type"])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakevipps.NewServer()
			fake.InjectFaults(tt.fault, 1)
			resp, decoded := do(t, fake, standardCall(testCreds))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			for _, field := range tt.wantAbsent {
				if _, ok := decoded[field]; ok {
					t.Errorf("body has %s, want it left out: %v", field, decoded)
				}
			}
			if tt.check != nil {
				tt.check(t, decoded)
			}
		})
	}

	t.Run("wrong credentials still get their error", func(t *testing.T) {
		fake := fakevipps.NewServer()
		fake.InjectFaults(fakevipps.MissingAccessToken, 1)
		wrongSecret := standardCall(testCreds).with(map[string]string{"client_secret": "wrong"})
		if resp, decoded := do(t, fake, wrongSecret); resp.StatusCode != 401 {
			t.Errorf("got %d %v, want 401", resp.StatusCode, decoded)
		}
	})
}

func TestFaultQueue(t *testing.T) {
	fake := fakevipps.NewServer()
	fake.InjectFaults(fakevipps.Status500, 2)
	fake.InjectFaults(fakevipps.Status503, 1)
	// An unknown path neither uses up a fault nor gets one.
	if resp, _ := do(t, fake, call{path: "/nowhere"}); resp.StatusCode != 404 {
		t.Fatalf("unknown path: status %d, want 404", resp.StatusCode)
	}
	got := make([]int, 0, 4)
	for range 4 {
		resp, _ := do(t, fake, standardCall(testCreds))
		got = append(got, resp.StatusCode)
	}
	if want := []int{500, 500, 503, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}

func TestFaultUntilCleared(t *testing.T) {
	fake := fakevipps.NewServer()
	fake.InjectFaults(fakevipps.Status502, 1)
	fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
	got := make([]int, 0, 6)
	for range 5 {
		resp, _ := do(t, fake, partnerCall(testCreds))
		got = append(got, resp.StatusCode)
	}
	fake.ClearFaults()
	resp, _ := do(t, fake, partnerCall(testCreds))
	got = append(got, resp.StatusCode)
	if want := []int{502, 503, 503, 503, 503, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}

func TestHangReturnsWhenTheClientGivesUp(t *testing.T) {
	fake := fakevipps.NewServer()
	fake.InjectFaults(fakevipps.Hang(time.Hour), 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Were the hang deaf to the context, this would block for an hour and the
	// test binary would time out.
	rec := serveRecorded(fake, httptestRequest(standardCall(testCreds)).WithContext(ctx))
	if rec.Body.Len() != 0 {
		t.Errorf("a client that gave up got a body: %q", rec.Body.String())
	}
}

func TestHangThenAnswers(t *testing.T) {
	fake := fakevipps.NewServer()
	fake.InjectFaults(fakevipps.Hang(time.Millisecond), 1)
	if resp, decoded := do(t, fake, standardCall(testCreds)); resp.StatusCode != 200 || decoded["access_token"] == nil {
		t.Errorf("got %d %v, want a token after the hang", resp.StatusCode, decoded)
	}
}
