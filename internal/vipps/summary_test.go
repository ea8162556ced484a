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

import "testing"

func TestSummarizeErrorBody(t *testing.T) {
	// Each body, by what it is, and the summary and trace ID that Vipps's explanation gets.
	bodies := map[string]struct{ body, wantSummary, wantTraceID string }{
		"gateway shape": {
			body:        `{"statusCode":401,"message":"Access denied due to missing subscription key."}`,
			wantSummary: "Access denied due to missing subscription key.",
		},
		"identity backend shape": {
			body: `{"error":"unauthorized_client","error_description":"AADSTS700016: Application not found.",` +
				`"error_codes":[700016],"trace_id":"0a1b","correlation_id":"2c3d"}`,
			wantSummary: "unauthorized_client: AADSTS700016: Application not found.",
			wantTraceID: "0a1b",
		},
		"error without description": {body: `{"error":"invalid_client"}`, wantSummary: "invalid_client"},
		"JSON without either shape": {body: `{"status":"bad"}`, wantSummary: "JSON body without message or error"},
		"HTML page":                 {body: "  <html><title>502 Bad Gateway</title></html>", wantSummary: "HTML body"},
		"plain text":                {body: "upstream connect error", wantSummary: "non-JSON body: upstream connect error"},
		"empty":                     {body: " \n", wantSummary: "empty body"},
	}
	for name, tt := range bodies {
		t.Run(name, func(t *testing.T) {
			summary, traceID := summarizeErrorBody([]byte(tt.body))
			if summary != tt.wantSummary || traceID != tt.wantTraceID {
				t.Errorf("summarizeErrorBody() = %q, %q; want %q, %q", summary, traceID, tt.wantSummary, tt.wantTraceID)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	// Each text, by what oneLine does to it, shortened to limit runes.
	texts := map[string]struct {
		text  string
		limit int
		want  string
	}{
		"collapses Azure's CRLF trace lines": {text: "AADSTS1: x.\r\nTrace ID: y\r\n", limit: 100, want: "AADSTS1: x. Trace ID: y"},
		"drops control characters":           {text: "a\x1b[31mb\x00c", limit: 100, want: "a [31mb c"},
		"shortens by runes":                  {text: "ærøå", limit: 2, want: "ær…"},
		"short text unchanged":               {text: "fine", limit: 4, want: "fine"},
	}
	for name, tt := range texts {
		t.Run(name, func(t *testing.T) {
			if got := oneLine(tt.text, tt.limit); got != tt.want {
				t.Errorf("oneLine(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
			}
		})
	}
}

func TestRedactSecrets(t *testing.T) {
	req := Request{ClientID: "id", ClientSecret: "s+/=cret", SubscriptionKey: "key123"}
	tests := []struct {
		name string
		text string
		want string
	}{
		{name: "raw secret", text: "bad secret s+/=cret!", want: "bad secret [redacted]!"},
		{name: "URL-encoded secret", text: "secret=s%2B%2F%3Dcret", want: "secret=[redacted]"},
		{name: "subscription key twice", text: "key123 and key123", want: "[redacted] and [redacted]"},
		{name: "Basic credentials", text: "Basic aWQ6cysvPWNyZXQ=", want: "Basic [redacted]"},
		{name: "nothing secret", text: "all fine", want: "all fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactSecrets(tt.text, secretsOf(req)); got != tt.want {
				t.Errorf("redactSecrets(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	if got := secretsOf(Request{ClientID: "id"}); len(got) != 0 {
		t.Errorf("secretsOf() of a request without secrets = %q, want none", got)
	}
}
