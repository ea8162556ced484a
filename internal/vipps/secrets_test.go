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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// Planted secrets. No error, log line or formatted value may contain them.
const (
	plantedSecret = "PLANTED-client-secret+/=="
	plantedKey    = "PLANTEDsubscriptionkey0123456789"
)

var plantedToken = jwtWith(map[string]any{"exp": unix(time.Hour), "marker": "PLANTED-access-token"})

// secretFragments are the planted values and the parts of the token that are not
// common to every JWT.
func secretFragments() []string {
	parts := strings.Split(plantedToken, ".")
	return []string{plantedSecret, plantedKey, plantedToken, parts[1], parts[1][:20], parts[2]}
}

func assertNoSecrets(t *testing.T, what, output string) {
	t.Helper()
	for _, s := range secretFragments() {
		if strings.Contains(output, s) {
			t.Errorf("%s contains the planted secret %q:\n%s", what, s, output)
		}
	}
}

// echo is everything a request carried, the way a careless server would quote it.
func echo(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	all := make([]string, 0, len(r.Header)+2)
	for name, values := range r.Header {
		all = append(all, name+": "+strings.Join(values, ","))
	}
	if id, secret, ok := r.BasicAuth(); ok {
		all = append(all, id+":"+secret)
	}
	return strings.Join(append(all, string(b)), " ")
}

// hostileHandlers quote the request back in every place a response can carry text.
var hostileHandlers = map[string]http.HandlerFunc{
	"gateway message": func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(body(map[string]any{"statusCode": 401, "message": "Access denied for " + echo(r)}))
	},
	"identity backend description and trace ID": func(w http.ResponseWriter, r *http.Request) {
		e := echo(r)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(body(map[string]any{"error": "invalid_client " + e, "error_description": "AADSTS7000215: " + e, "trace_id": e}))
	},
	"rate limit": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write(body(map[string]any{"statusCode": 429, "message": echo(r)}))
	},
	"plain text 500": func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, echo(r))
	},
	"HTML 502": func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>"+echo(r)+"</html>")
	},
	"redirect": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://"+plantedKey+".example/?s="+plantedSecret)
		w.WriteHeader(http.StatusFound)
	},
	"success with the wrong token type": func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body(map[string]any{"access_token": plantedToken, "token_type": plantedToken, "expires_in": 60, "echo": echo(r)}))
	},
	"success with an expired token": func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body(map[string]any{"access_token": plantedToken, "token_type": "Bearer", "expires_in": -1}))
	},
	"success": func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body(map[string]any{"access_token": plantedToken, "token_type": "Bearer", "expires_in": 3600}))
	},
}

func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	for name, handler := range hostileHandlers {
		for _, tokenType := range []TokenType{TokenTypeStandard, TokenTypePartner, TokenTypeLegacy} {
			t.Run(name+"/"+string(tokenType), func(t *testing.T) {
				srv := httptest.NewServer(handler)
				defer srv.Close()
				var logs bytes.Buffer
				log := funcr.New(func(prefix, args string) { fmt.Fprintln(&logs, prefix, args) }, funcr.Options{Verbosity: 10})
				req := Request{Type: tokenType, BaseURL: srv.URL, ClientID: "client-1", ClientSecret: plantedSecret,
					SubscriptionKey: plantedKey, Resource: "https://testapivipps.no/vippsas/invoice-isp-service"}

				tok, err := NewClient(WithClock(fixedClock), WithLogger(log)).FetchToken(context.Background(), req)
				if (err == nil) != (name == "success") {
					t.Fatalf("FetchToken() error = %v", err)
				}
				if logs.Len() == 0 {
					t.Fatal("nothing was logged; the test would prove nothing about log lines")
				}
				assertNoSecrets(t, "log output", logs.String())
				if err != nil {
					assertNoSecrets(t, "error", fmt.Sprintf("%v\n%+v\n%#v\n%s\n%q", err, err, err, err, err))
				} else {
					log.Info("Fetched", "token", tok, "request", req)
					assertNoSecrets(t, "log output", logs.String())
				}
			})
		}
	}
}

func TestInvalidRequestErrorsNameFieldsNotSecrets(t *testing.T) {
	req := Request{Type: TokenTypeStandard, BaseURL: "https://user:" + plantedSecret + "@[::1",
		ClientID: "client-1", ClientSecret: plantedSecret + "\n", SubscriptionKey: plantedKey + "\x00"}
	_, err := NewClient().FetchToken(context.Background(), req)
	for _, field := range []string{"baseURL", "clientSecret", "subscriptionKey"} {
		if !strings.Contains(fmt.Sprint(err), field) {
			t.Errorf("error = %v, want it to name %s", err, field)
		}
	}
	assertNoSecrets(t, "error", fmt.Sprintf("%v %+v %#v", err, err, err))
}

// TestTokenAndRequestNeverPrintSecrets covers every way a value reaches text.
func TestTokenAndRequestNeverPrintSecrets(t *testing.T) {
	tok := Token{AccessToken: plantedToken, TokenType: "Bearer", RequestedAt: requestTime, ExpiresAt: requestTime.Add(time.Hour)}
	req := Request{Type: TokenTypeStandard, BaseURL: TestBaseURL,
		ClientID: "client-1", ClientSecret: plantedSecret, SubscriptionKey: plantedKey}

	for name, value := range map[string]any{"Token": tok, "*Token": &tok, "Request": req, "*Request": &req} {
		t.Run(name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %[1]v"} {
				assertNoSecrets(t, verb, fmt.Sprintf(verb, value))
			}
			var out bytes.Buffer
			slog.New(slog.NewJSONHandler(&out, nil)).Info("Logged", "value", value)
			slog.New(slog.NewTextHandler(&out, nil)).Info("Logged", "value", value)
			funcr.New(func(prefix, args string) { out.WriteString(prefix + args) }, funcr.Options{}).Info("Logged", "value", value)
			assertNoSecrets(t, "log output", out.String())
			if !strings.Contains(out.String(), redacted) {
				t.Errorf("log output does not show the redaction marker: %s", out.String())
			}
		})
	}

	encoded, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, "JSON", string(encoded))
}

func TestFetchTokenLogsToTheContextLogger(t *testing.T) {
	var fromContext, fromOption bytes.Buffer
	ctxLog := funcr.New(func(prefix, args string) { fromContext.WriteString(args) }, funcr.Options{Verbosity: 1})
	optLog := funcr.New(func(prefix, args string) { fromOption.WriteString(args) }, funcr.Options{Verbosity: 1})
	req := validRequest()
	req.BaseURL = serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(okBody()) })

	ctx := logr.NewContext(context.Background(), ctxLog)
	if _, err := NewClient(WithClock(fixedClock), WithLogger(optLog)).FetchToken(ctx, req); err != nil {
		t.Fatalf("FetchToken() error = %v", err)
	}
	if !strings.Contains(fromContext.String(), "Fetched token") || fromOption.Len() != 0 {
		t.Errorf("context logger got %q and option logger %q; want only the context logger to log",
			fromContext.String(), fromOption.String())
	}
}
