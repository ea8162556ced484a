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
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error classes. Every error from FetchToken wraps exactly one of them, so that a
// caller can decide with errors.Is whether waiting and retrying can help.
var (
	// ErrInvalidRequest: the request is unusable as configured; nothing was sent.
	ErrInvalidRequest = errors.New("invalid token request")
	// ErrCredentialsRejected: the token endpoint answered 400, 401 or 403. Retrying
	// with the same credentials will not help.
	ErrCredentialsRejected = errors.New("credentials rejected")
	// ErrRateLimited: the token endpoint answered 429; see RetryAfter.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: 5xx, timeouts, connection failures, redirects and any other
	// status that does not say the credentials are wrong. Retrying later may help.
	ErrUnavailable = errors.New("token service unavailable")
	// ErrMalformedResponse: a success status with a body that is not a usable token.
	ErrMalformedResponse = errors.New("malformed token response")
)

// APIError is a non-success HTTP response from a token endpoint.
type APIError struct {
	StatusCode int
	// Summary is Vipps' explanation from the body, shortened and with every known
	// secret removed.
	Summary string
	// TraceID is the identity backend's trace_id, when the body has one.
	TraceID string
	// RetryAfter is the parsed Retry-After of a 429; zero when absent.
	RetryAfter time.Duration

	class error
}

// Error names the class, the status and Vipps' explanation.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: HTTP %d", e.class, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Summary != "" {
		b.WriteString(": " + e.Summary)
	}
	if e.TraceID != "" {
		b.WriteString(" (trace_id " + e.TraceID + ")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the error's class sentinel.
func (e *APIError) Unwrap() error { return e.class }

// RetryAfter returns how long a rate-limited caller was asked to wait, when the
// 429 response said so.
func RetryAfter(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && errors.Is(apiErr.class, ErrRateLimited) && apiErr.RetryAfter > 0 {
		return apiErr.RetryAfter, true
	}
	return 0, false
}

// classifyStatus maps a non-2xx status of a token endpoint to an error class.
//
// Only 400, 401 and 403 say the credentials are wrong (the sheet's error table).
// Everything else that is not a 429 is treated as a service problem worth retrying
// with backoff, including redirects (never followed: they would re-send the
// credentials elsewhere, and usually mean a proxy or a base URL pointing at the
// wrong place) and 404 (a wrong base URL prefix, which the status text makes plain).
func classifyStatus(code int) error {
	switch code {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return ErrCredentialsRejected
	case http.StatusTooManyRequests:
		return ErrRateLimited
	default:
		return ErrUnavailable
	}
}

// malformed returns an ErrMalformedResponse with a reason that must not quote the body.
func malformed(reason string) error {
	return fmt.Errorf("%w: %s", ErrMalformedResponse, reason)
}
