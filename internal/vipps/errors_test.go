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
	"testing"
	"time"
)

func TestClassifyStatus(t *testing.T) {
	classes := map[error][]int{
		ErrCredentialsRejected: {http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden},
		ErrRateLimited:         {http.StatusTooManyRequests},
		ErrUnavailable: {
			http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
			http.StatusGatewayTimeout, http.StatusNotFound, http.StatusRequestTimeout,
			http.StatusFound, http.StatusPermanentRedirect,
		},
	}
	for want, statuses := range classes {
		for _, status := range statuses {
			t.Run(fmt.Sprint(status), func(t *testing.T) {
				if got := classifyStatus(status); got != want {
					t.Errorf("classifyStatus(%d) = %v, want %v", status, got, want)
				}
			})
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{name: "absent", value: ""},
		{name: "seconds", value: "60", want: time.Minute, wantOK: true},
		{name: "seconds with spaces", value: " 5 ", want: 5 * time.Second, wantOK: true},
		{name: "zero asks for no wait", value: "0"},
		{name: "negative", value: "-3"},
		{name: "capped at an hour", value: "86400", want: time.Hour, wantOK: true},
		{name: "huge number", value: "99999999999999999", want: time.Hour, wantOK: true},
		{
			name: "HTTP-date ahead", value: requestTime.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second,
			wantOK: true,
		},
		{
			name: "HTTP-date far ahead is capped", value: requestTime.Add(48 * time.Hour).Format(http.TimeFormat),
			want: time.Hour, wantOK: true,
		},
		{name: "HTTP-date in the past", value: requestTime.Add(-time.Minute).Format(http.TimeFormat)},
		{name: "garbage", value: "soon"},
		{name: "fraction", value: "1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.value, requestTime)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %s, %t; want %s, %t", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	rateLimited := &APIError{StatusCode: http.StatusTooManyRequests, RetryAfter: time.Minute, class: ErrRateLimited}
	tests := []struct {
		name   string
		err    error
		want   time.Duration
		wantOK bool
	}{
		{name: "429 with Retry-After", err: rateLimited, want: time.Minute, wantOK: true},
		{name: "wrapped 429", err: fmt.Errorf("fetching: %w", rateLimited), want: time.Minute, wantOK: true},
		{name: "429 without Retry-After", err: &APIError{StatusCode: http.StatusTooManyRequests, class: ErrRateLimited}},
		{
			name: "other API error",
			err:  &APIError{StatusCode: http.StatusServiceUnavailable, RetryAfter: time.Minute, class: ErrUnavailable},
		},
		{name: "plain error", err: errors.New("boom")},
		{name: "nil", err: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RetryAfter(tt.err)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RetryAfter() = %s, %t; want %s, %t", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *APIError
		want string
	}{
		{
			name: "gateway message",
			err:  &APIError{StatusCode: 401, Summary: "Access denied due to invalid subscription key.", class: ErrCredentialsRejected},
			want: "credentials rejected: HTTP 401 Unauthorized: Access denied due to invalid subscription key.",
		},
		{
			name: "identity backend with trace ID",
			err:  &APIError{StatusCode: 400, Summary: "unauthorized_client: AADSTS700016", TraceID: "abc", class: ErrCredentialsRejected},
			want: "credentials rejected: HTTP 400 Bad Request: unauthorized_client: AADSTS700016 (trace_id abc)",
		},
		{
			name: "rate limited with Retry-After",
			err:  &APIError{StatusCode: 429, Summary: "Rate limit is exceeded.", RetryAfter: time.Minute, class: ErrRateLimited},
			want: "rate limited: HTTP 429 Too Many Requests: Rate limit is exceeded. (retry after 1m0s)",
		},
		{
			name: "unknown status without summary",
			err:  &APIError{StatusCode: 599, class: ErrUnavailable},
			want: "token service unavailable: HTTP 599",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(tt.err, tt.err.class) {
				t.Errorf("errors.Is(err, %v) = false", tt.err.class)
			}
		})
	}
}
