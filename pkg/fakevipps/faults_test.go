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
	"fmt"
	"net/http"
	"net/http/httptest"
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

func TestExpiresInSetsEveryExpiry(t *testing.T) {
	const tenYears = 10 * 365 * 24 * 60 * 60
	for _, seconds := range []int64{0, -60, tenYears} {
		for _, c := range []call{standardCall(testCreds), partnerCall(testCreds), legacyCall(testCreds)} {
			t.Run(fmt.Sprintf("%d s on %s", seconds, c.path), func(t *testing.T) {
				fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock))
				fake.InjectFaults(fakevipps.ExpiresIn(seconds), 1)
				resp, decoded := do(t, fake, c)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status = %d, want 200", resp.StatusCode)
				}
				if got := number(t, decoded["expires_in"]); got != seconds {
					t.Errorf("expires_in = %d, want %d", got, seconds)
				}
				if on, ok := decoded["expires_on"]; ok && number(t, on) != now.Unix()+seconds {
					t.Errorf("expires_on = %v, want %d", on, now.Unix()+seconds)
				}
				if exp := claimsOf(t, decoded["access_token"].(string))["exp"]; exp != float64(now.Unix()+seconds) {
					t.Errorf("JWT exp = %v, want %d: a client taking the earliest expiry would not see the fault", exp,
						now.Unix()+seconds)
				}
			})
		}
	}

	t.Run("only for the next request", func(t *testing.T) {
		fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock))
		fake.InjectFaults(fakevipps.ExpiresIn(0), 1)
		do(t, fake, standardCall(testCreds))
		if _, decoded := do(t, fake, standardCall(testCreds)); number(t, decoded["expires_in"]) != 3600 {
			t.Errorf("expires_in = %v, want the default 3600", decoded["expires_in"])
		}
	})
}

func TestOversizedBody(t *testing.T) {
	fake := fakevipps.NewServer()
	fake.InjectFaults(fakevipps.OversizedBody, 2)
	resp, decoded := do(t, fake, standardCall(testCreds))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	// The operator's client reads at most 64 KiB; the fake sends 16 times that.
	if padding, _ := decoded["padding"].(string); len(padding) < 1<<20 {
		t.Errorf("padding is %d bytes, want at least 1 MiB", len(padding))
	}
	if decoded["access_token"] == nil || decoded["token_type"] != "Bearer" {
		t.Errorf("body is not a token response besides its size: token_type %v", decoded["token_type"])
	}
	wrongSecret := standardCall(testCreds).with(map[string]string{"client_secret": "wrong"})
	if resp, _ := do(t, fake, wrongSecret); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong credentials: status %d, want 401", resp.StatusCode)
	}
}

func TestRedirect(t *testing.T) {
	var elsewhere []*http.Request
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere = append(elsewhere, r)
	}))
	defer other.Close()
	fake := fakevipps.NewServer()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.InjectFaults(fakevipps.Redirect(other.URL+"/accesstoken/get"), fakevipps.UntilCleared)

	notFollowing := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	wrongSecret := standardCall(testCreds).with(map[string]string{"client_secret": "wrong"})
	for _, c := range []call{standardCall(testCreds), wrongSecret} {
		req := httptestRequest(c)
		req.RequestURI, req.URL.Scheme, req.URL.Host = "", "http", strings.TrimPrefix(srv.URL, "http://")
		resp, err := notFollowing.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != other.URL+"/accesstoken/get" {
			t.Errorf("got %d Location %q, want 302 to the other server", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if len(elsewhere) != 0 {
		t.Errorf("the other server got %d requests from a client that follows no redirect", len(elsewhere))
	}
	if got := fake.CallsTo(fakevipps.EndpointStandard); got != 2 {
		t.Errorf("fake recorded %d requests, want 2", got)
	}
}

func TestSetNumericEncoding(t *testing.T) {
	fake := fakevipps.NewServer()
	for _, tt := range []struct {
		encoding    fakevipps.NumericEncoding
		wantStrings bool
	}{{fakevipps.Numbers, false}, {fakevipps.Strings, true}, {fakevipps.Numbers, false}} {
		fake.SetNumericEncoding(tt.encoding)
		for _, c := range []call{standardCall(testCreds), partnerCall(testCreds), legacyCall(testCreds)} {
			_, decoded := do(t, fake, c)
			for _, field := range []string{"expires_in", "expires_on", "not_before", "ext_expires_in"} {
				v, ok := decoded[field]
				if !ok {
					continue // the partner endpoint sends expires_in only
				}
				if _, isString := v.(string); isString != tt.wantStrings {
					t.Errorf("encoding %d, %s: %s = %#v, want a string: %t", tt.encoding, c.path, field, v, tt.wantStrings)
				}
			}
		}
	}
}
