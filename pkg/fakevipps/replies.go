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

package fakevipps

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

const (
	contentTypeJSON = "application/json"
	// oauthInvalidClient is OAuth2's error code for failed client authentication.
	oauthInvalidClient = "invalid_client"
)

// reply is a complete response, decided before anything is written.
type reply struct {
	status      int
	contentType string
	retryAfter  time.Duration // sent as Retry-After seconds when positive
	location    string        // sent as Location when set
	body        []byte
}

func (rep reply) write(w http.ResponseWriter) {
	if rep.contentType != "" {
		w.Header().Set("Content-Type", rep.contentType)
	}
	if rep.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(seconds(rep.retryAfter)))
	}
	if rep.location != "" {
		w.Header().Set("Location", rep.location)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// seconds rounds up, so that a client never retries before it was asked to.
func seconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

func jsonReply(status int, contentType string, v any) reply {
	body, err := json.Marshal(v)
	if err != nil {
		panic("fakevipps: reply does not marshal: " + err.Error()) // replies are the fake's own values
	}
	return reply{status: status, contentType: contentType, body: body}
}

// Messages of the API gateway (Azure API Management), which checks the
// subscription key before the request reaches the token service.
const (
	messageMissingKey = "Access denied due to missing subscription key. " +
		"Make sure to include subscription key when making requests to an API."
	messageInvalidKey = "Access denied due to invalid subscription key. " +
		"Make sure to provide a valid key for an active subscription."
	messageNotFound = "Resource not found"
)

// gatewayError is the API gateway's error shape.
func gatewayError(status int, message string) reply {
	return jsonReply(status, contentTypeJSON, struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
	}{status, message})
}

// identityError is the identity backend's (Azure AD) error shape, including the
// trace lines Azure appends to error_description.
func identityError(status int, code string, aadsts int, description string, now time.Time) reply {
	traceID, correlationID := newGUID(), newGUID()
	timestamp := now.UTC().Format("2006-01-02 15:04:05Z")
	return jsonReply(status, "application/json; charset=utf-8", struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorCodes       []int  `json:"error_codes"`
		Timestamp        string `json:"timestamp"`
		TraceID          string `json:"trace_id"`
		CorrelationID    string `json:"correlation_id"`
		ErrorURI         string `json:"error_uri"`
	}{
		Error: code,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			aadsts, description, traceID, correlationID, timestamp),
		ErrorCodes:    []int{aadsts},
		Timestamp:     timestamp,
		TraceID:       traceID,
		CorrelationID: correlationID,
		ErrorURI:      fmt.Sprintf("https://login.windows.net/error?code=%d", aadsts),
	})
}

// oauthError is the plain OAuth2 error shape of the partner endpoint.
func oauthError(status int, code, description string) reply {
	return jsonReply(status, contentTypeJSON, struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}{code, description})
}

func newGUID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
