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
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serve runs handler on a test server and returns its URL.
func serve(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

// okBody is a standard success body valid for an hour after requestTime.
func okBody() []byte {
	return body(map[string]any{
		"token_type": "Bearer", "expires_in": "3600", "expires_on": itoa(unix(time.Hour)),
		"access_token": jwtWith(map[string]any{"iat": unix(0), "exp": unix(time.Hour)}),
	})
}

// capturedRequest is what a raw handler saw.
type capturedRequest struct {
	method, path string
	header       http.Header
	body         string
}

func TestFetchTokenSendsWhatEachEndpointExpects(t *testing.T) {
	system := SystemInfo{Name: "acme-shop", Version: "2.1", PluginName: "vipps-token-operator", PluginVersion: "0.1.0"}
	tests := []struct {
		name            string
		req             Request
		wantPath        string
		wantHeader      map[string]string
		wantAbsent      []string
		wantBody        string
		wantContentType string
	}{
		{
			name: "standard",
			req: Request{Type: TokenTypeStandard, ClientID: "id-1", ClientSecret: "secret+/=", SubscriptionKey: "key-1",
				MerchantSerialNumber: "123456", System: system},
			wantPath: "/accesstoken/get",
			wantHeader: map[string]string{
				"client_id": "id-1", "client_secret": "secret+/=", "Ocp-Apim-Subscription-Key": "key-1",
				"Merchant-Serial-Number": "123456", "Vipps-System-Name": "acme-shop", "Vipps-System-Version": "2.1",
				"Vipps-System-Plugin-Name": "vipps-token-operator", "Vipps-System-Plugin-Version": "0.1.0",
			},
			wantAbsent: []string{"Authorization", "Origin", "Content-Type"},
		},
		{
			name:     "standard without optional headers",
			req:      Request{Type: TokenTypeStandard, ClientID: "id-1", ClientSecret: "s", SubscriptionKey: "k"},
			wantPath: "/accesstoken/get",
			wantAbsent: []string{"Merchant-Serial-Number", "Vipps-System-Name", "Vipps-System-Version",
				"Vipps-System-Plugin-Name", "Vipps-System-Plugin-Version"},
		},
		{
			name: "partner never sends the subscription key",
			req: Request{Type: TokenTypePartner, ClientID: "id-2", ClientSecret: "secret+/=", SubscriptionKey: "key-2",
				MerchantSerialNumber: "654321", System: SystemInfo{Name: "acme-shop"}},
			wantPath: "/miami/v1/token",
			wantHeader: map[string]string{
				"Authorization":          "Basic aWQtMjpzZWNyZXQrLz0=", // base64("id-2:secret+/=")
				"Merchant-Serial-Number": "654321", "Vipps-System-Name": "acme-shop",
			},
			wantAbsent:      []string{"Ocp-Apim-Subscription-Key", "client_id", "client_secret", "Origin"},
			wantBody:        "grant_type=client_credentials",
			wantContentType: "application/x-www-form-urlencoded; charset=utf-8",
		},
		{
			name: "legacy sends the credentials as JSON",
			req: Request{Type: TokenTypeLegacy, ClientID: "id-3", ClientSecret: "secret+/=", SubscriptionKey: "key-3",
				Resource: "https://testapivipps.no/vippsas/invoice-isp-service"},
			wantPath:        "/api/access-token/jwt-token",
			wantHeader:      map[string]string{"Ocp-Apim-Subscription-Key": "key-3"},
			wantAbsent:      []string{"Authorization", "client_id", "client_secret", "Origin"},
			wantBody:        `{"client_id":"id-3","client_secret":"secret+/=","resource":"https://testapivipps.no/vippsas/invoice-isp-service"}`,
			wantContentType: "application/json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			captured := make(chan capturedRequest, 1)
			tt.req.BaseURL = serve(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				captured <- capturedRequest{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: string(b)}
				_, _ = w.Write(okBody())
			})

			if _, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), tt.req); err != nil {
				t.Fatalf("FetchToken() error = %v", err)
			}
			got := <-captured
			if got.method != http.MethodPost || got.path != tt.wantPath {
				t.Errorf("request = %s %s, want POST %s", got.method, got.path, tt.wantPath)
			}
			for name, want := range tt.wantHeader {
				if v := got.header.Values(name); len(v) != 1 || v[0] != want {
					t.Errorf("header %s = %q, want exactly %q", name, v, want)
				}
			}
			for _, name := range tt.wantAbsent {
				if v, ok := got.header[http.CanonicalHeaderKey(name)]; ok {
					t.Errorf("header %s = %q, want it absent", name, v)
				}
			}
			if got.body != tt.wantBody {
				t.Errorf("body = %q, want %q", got.body, tt.wantBody)
			}
			if ct := got.header.Get("Content-Type"); ct != tt.wantContentType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantContentType)
			}
		})
	}
}

func TestFetchTokenKeepsBaseURLPrefix(t *testing.T) {
	var path atomic.Value
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		_, _ = w.Write(okBody())
	})
	req := validRequest()
	req.BaseURL = base + "/fake/vipps/"
	if _, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req); err != nil {
		t.Fatalf("FetchToken() error = %v", err)
	}
	if got := path.Load(); got != "/fake/vipps/accesstoken/get" {
		t.Errorf("path = %v, want /fake/vipps/accesstoken/get", got)
	}
}

func TestFetchTokenReturnsTheParsedToken(t *testing.T) {
	want := jwtWith(map[string]any{"iat": unix(-5 * time.Minute), "exp": unix(2 * time.Hour)})
	req := validRequest()
	req.BaseURL = serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write(body(map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": want}))
	})
	tok, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req)
	if err != nil {
		t.Fatalf("FetchToken() error = %v", err)
	}
	wantToken := Token{AccessToken: want, TokenType: "Bearer", RequestedAt: requestTime, ExpiresAt: requestTime.Add(time.Hour)}
	if tok.AccessToken != wantToken.AccessToken || tok.TokenType != wantToken.TokenType ||
		!tok.RequestedAt.Equal(wantToken.RequestedAt) || !tok.ExpiresAt.Equal(wantToken.ExpiresAt) {
		t.Errorf("FetchToken() = %#v, want %#v", tok, wantToken)
	}
}

func TestFetchTokenErrorResponses(t *testing.T) {
	gateway := func(status int, message string) string {
		return string(body(map[string]any{"statusCode": status, "message": message}))
	}
	identity := func(code, description string) string {
		return string(body(map[string]any{"error": code, "error_description": description, "error_codes": []int{1},
			"timestamp": "2021-03-23 06:46:31Z", "trace_id": "5f1c-trace", "correlation_id": "c0rr"}))
	}
	tests := []struct {
		name           string
		status         int
		header         map[string]string
		body           string
		wantClass      error
		wantText       []string
		wantRetryAfter time.Duration
	}{
		{
			name: "missing subscription key", status: 401,
			body:      gateway(401, "Access denied due to missing subscription key. Make sure to include subscription key."),
			wantClass: ErrCredentialsRejected, wantText: []string{"HTTP 401 Unauthorized", "missing subscription key"},
		},
		{
			name: "wrong subscription key or production key on the test host", status: 401,
			body:      gateway(401, "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."),
			wantClass: ErrCredentialsRejected, wantText: []string{"HTTP 401", "invalid subscription key"},
		},
		{
			name: "unknown client_id", status: 400,
			body:      identity("unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'."),
			wantClass: ErrCredentialsRejected, wantText: []string{"HTTP 400 Bad Request", "unauthorized_client", "AADSTS700016", "trace_id 5f1c-trace"},
		},
		{
			name: "wrong client_secret", status: 401,
			body:      identity("invalid_client", "AADSTS7000215: Invalid client secret provided."),
			wantClass: ErrCredentialsRejected, wantText: []string{"HTTP 401", "invalid_client", "AADSTS7000215"},
		},
		{
			name: "malformed client_id", status: 400,
			body:      identity("invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid."),
			wantClass: ErrCredentialsRejected, wantText: []string{"invalid_scope", "AADSTS70011"},
		},
		{
			name: "forbidden", status: 403, body: gateway(403, "Forbidden"),
			wantClass: ErrCredentialsRejected, wantText: []string{"HTTP 403 Forbidden"},
		},
		{
			name: "rate limited with Retry-After seconds", status: 429, header: map[string]string{"Retry-After": "60"},
			body:      gateway(429, "Rate limit is exceeded. Try again in 60 seconds."),
			wantClass: ErrRateLimited, wantText: []string{"HTTP 429 Too Many Requests", "Rate limit is exceeded"}, wantRetryAfter: time.Minute,
		},
		{
			name: "rate limited with Retry-After date", status: 429,
			header:    map[string]string{"Retry-After": requestTime.Add(2 * time.Minute).Format(http.TimeFormat)},
			body:      gateway(429, "Rate limit is exceeded."),
			wantClass: ErrRateLimited, wantRetryAfter: 2 * time.Minute,
		},
		{
			name: "rate limited without Retry-After", status: 429, body: gateway(429, "Rate limit is exceeded."),
			wantClass: ErrRateLimited,
		},
		{
			name: "500 with gateway body", status: 500, body: gateway(500, "Internal server error"),
			wantClass: ErrUnavailable, wantText: []string{"HTTP 500 Internal Server Error", "Internal server error"},
		},
		{
			name: "502 with HTML page", status: 502, header: map[string]string{"Content-Type": "text/html"},
			body:      "<html><head><title>502 Bad Gateway</title></head></html>",
			wantClass: ErrUnavailable, wantText: []string{"HTTP 502 Bad Gateway: HTML body"},
		},
		{
			name: "503 with empty body", status: 503,
			wantClass: ErrUnavailable, wantText: []string{"HTTP 503 Service Unavailable: empty body"},
		},
		{
			name: "504 with plain text", status: 504, body: "upstream request timeout",
			wantClass: ErrUnavailable, wantText: []string{"HTTP 504", "upstream request timeout"},
		},
		{
			name: "404 from a wrong base URL", status: 404, body: gateway(404, "Resource not found"),
			wantClass: ErrUnavailable, wantText: []string{"HTTP 404 Not Found", "Resource not found"},
		},
		{
			name: "success status with a malformed body", status: 200, body: `{"token_type":"Bearer"}`,
			wantClass: ErrMalformedResponse, wantText: []string{"HTTP 200", "access_token is missing"},
		},
		{
			name: "success status with a body over the limit", status: 200, body: strings.Repeat(" ", maxBodyBytes+1),
			wantClass: ErrMalformedResponse, wantText: []string{"larger than"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest()
			req.BaseURL = serve(t, func(w http.ResponseWriter, _ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})

			_, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req)
			if !errors.Is(err, tt.wantClass) {
				t.Fatalf("FetchToken() error = %v, want %v", err, tt.wantClass)
			}
			for _, classErr := range []error{ErrInvalidRequest, ErrCredentialsRejected, ErrRateLimited, ErrUnavailable, ErrMalformedResponse} {
				if classErr != tt.wantClass && errors.Is(err, classErr) {
					t.Errorf("FetchToken() error = %v is also %v", err, classErr)
				}
			}
			for _, text := range tt.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("FetchToken() error = %q, want it to contain %q", err, text)
				}
			}
			var apiErr *APIError
			if tt.status >= 300 && (!errors.As(err, &apiErr) || apiErr.StatusCode != tt.status) {
				t.Errorf("FetchToken() error = %v, want an *APIError with status %d", err, tt.status)
			}
			if got, ok := RetryAfter(err); got != tt.wantRetryAfter || ok != (tt.wantRetryAfter > 0) {
				t.Errorf("RetryAfter() = %s, %t; want %s", got, ok, tt.wantRetryAfter)
			}
		})
	}
}

func TestFetchTokenDoesNotFollowRedirects(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var targetCalls atomic.Int32
			target := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				targetCalls.Add(1)
				_, _ = w.Write(okBody())
			})
			req := validRequest()
			req.BaseURL = serve(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target+r.URL.Path+"?stolen=1", status)
			})

			_, err := NewClient(WithClock(fixedClock)).FetchToken(context.Background(), req)
			var apiErr *APIError
			if !errors.Is(err, ErrUnavailable) || !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("FetchToken() error = %v, want ErrUnavailable with status %d", err, status)
			}
			if !strings.Contains(err.Error(), "redirect not followed") || !strings.Contains(err.Error(), strings.TrimPrefix(target, "http://")) {
				t.Errorf("FetchToken() error = %q, want it to say the redirect to the target was not followed", err)
			}
			if strings.Contains(err.Error(), "stolen") {
				t.Errorf("FetchToken() error = %q quotes more of the Location than scheme and host", err)
			}
			if n := targetCalls.Load(); n != 0 {
				t.Errorf("redirect target received %d requests, want 0", n)
			}
		})
	}
}

func TestFetchTokenTransportFailures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hanging := serve(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	brokenBody := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(`{"access_token":`))
	})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name     string
		baseURL  string
		ctx      context.Context
		wantAlso error // a cause that must stay visible to errors.Is; nil to skip
	}{
		{name: "connection refused", baseURL: closed.URL, ctx: context.Background()},
		{name: "server hangs past the client timeout", baseURL: hanging, ctx: context.Background()},
		{name: "caller's context cancelled", baseURL: hanging, ctx: cancelled, wantAlso: context.Canceled},
		{name: "body cut off", baseURL: brokenBody, ctx: context.Background(), wantAlso: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest()
			req.BaseURL = tt.baseURL
			_, err := NewClient(WithTimeout(200*time.Millisecond)).FetchToken(tt.ctx, req)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("FetchToken() error = %v, want ErrUnavailable", err)
			}
			if tt.wantAlso != nil && !errors.Is(err, tt.wantAlso) {
				t.Errorf("FetchToken() error = %v, want it to wrap %v", err, tt.wantAlso)
			}
		})
	}
}

func TestFetchTokenTimeoutIsATimeout(t *testing.T) {
	req := validRequest()
	req.BaseURL = serve(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	_, err := NewClient(WithTimeout(100*time.Millisecond)).FetchToken(context.Background(), req)
	var timeout interface{ Timeout() bool }
	if !errors.Is(err, ErrUnavailable) || !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Fatalf("FetchToken() error = %v, want ErrUnavailable wrapping a timeout", err)
	}
}

func TestFetchTokenInvalidRequestSendsNothing(t *testing.T) {
	var calls atomic.Int32
	req := validRequest()
	req.BaseURL = serve(t, func(http.ResponseWriter, *http.Request) { calls.Add(1) })
	req.SubscriptionKey = ""

	_, err := NewClient().FetchToken(context.Background(), req)
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("FetchToken() error = %v, want ErrInvalidRequest", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("server received %d requests, want 0", n)
	}
}

func TestFetchTokenRequiresTLS12(t *testing.T) {
	tests := []struct {
		name       string
		maxVersion uint16
		wantErr    bool
	}{
		{name: "TLS 1.2 server", maxVersion: tls.VersionTLS12},
		{name: "TLS 1.1 server", maxVersion: tls.VersionTLS11, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(okBody()) }))
			srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tt.maxVersion}
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
			srv.StartTLS()
			defer srv.Close()
			// The client's own transport, trusting the test server's certificate.
			transport := defaultTransport()
			transport.TLSClientConfig.RootCAs = x509.NewCertPool()
			transport.TLSClientConfig.RootCAs.AddCert(srv.Certificate())

			req := validRequest()
			req.BaseURL = srv.URL
			_, err := NewClient(WithTransport(transport), WithClock(fixedClock)).FetchToken(context.Background(), req)
			if tt.wantErr != errors.Is(err, ErrUnavailable) || (!tt.wantErr && err != nil) {
				t.Errorf("FetchToken() error = %v, want error %t", err, tt.wantErr)
			}
		})
	}
}
