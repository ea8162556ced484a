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
	"encoding/json"
	"strings"
	"unicode"
)

// maxSummaryLength bounds the explanation kept from an error body, in runes.
const maxSummaryLength = 300

// errorBody holds both error shapes Vipps sends: the API gateway's
// {"statusCode":401,"message":"..."} and the identity backend's
// {"error":"...","error_description":"...","trace_id":"..."}.
type errorBody struct {
	Message          string `json:"message"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	TraceID          string `json:"trace_id"`
}

// summarizeErrorBody extracts a one-line explanation and a trace ID from an error
// response body. Bodies that are neither JSON shape are described, and quoted only
// when they are short plain text: gateway HTML pages say nothing useful.
func summarizeErrorBody(body []byte) (summary, traceID string) {
	trimmed := bytes.TrimSpace(body)
	var parsed errorBody
	switch {
	case len(trimmed) == 0:
		return "empty body", ""
	case looksLikeHTML(trimmed):
		return "HTML body", ""
	case json.Unmarshal(trimmed, &parsed) != nil:
		return "non-JSON body: " + string(trimmed), ""
	}
	parts := make([]string, 0, 2)
	for _, part := range []string{parsed.Message, parsed.Error, parsed.ErrorDescription} {
		if part != "" {
			parts = append(parts, part)
		}
	}
	if len(parts) == 0 {
		return "JSON body without message or error", parsed.TraceID
	}
	return strings.Join(parts, ": "), parsed.TraceID
}

// looksLikeHTML recognises the pages proxies and gateways send instead of JSON.
func looksLikeHTML(body []byte) bool {
	return len(body) > 0 && body[0] == '<'
}

// oneLine turns text from a server into a single printable line of at most limit
// runes, so that it cannot forge log lines or flood a status field.
func oneLine(text string, limit int) string {
	fields := strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) })
	line := strings.Join(fields, " ")
	if runes := []rune(line); len(runes) > limit {
		return string(runes[:limit]) + "…"
	}
	return line
}
