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
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
)

// Client fetches tokens. It is safe for concurrent use.
type Client struct {
	http    *http.Client
	now     func() time.Time
	log     logr.Logger
	limiter *rate.Limiter // nil: no limit
}

// NewClient returns a client with a 10s timeout, TLS 1.2 or newer, and no
// redirects followed.
func NewClient(opts ...Option) *Client {
	o := options{timeout: defaultTimeout, now: time.Now, log: logr.Discard()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.transport == nil {
		o.transport = defaultTransport()
	}
	return &Client{http: newHTTPClient(o.transport, o.timeout), now: o.now, log: o.log, limiter: o.limiter}
}

// FetchToken fetches one token. Every error wraps one of the Err* classes; those
// from a non-success response are also an *APIError.
func (c *Client) FetchToken(ctx context.Context, req Request) (Token, error) {
	if err := req.Validate(); err != nil {
		return Token{}, err
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return Token{}, fmt.Errorf("%w: waiting for the rate limit: %w", ErrUnavailable, err)
		}
	}
	base, _ := parseBaseURL(req.BaseURL) // Validate has checked it.
	log := c.logger(ctx).WithValues("tokenType", req.Type, "host", base.Host)

	tok, err := c.fetch(ctx, req, endpointURL(base, req.Type))
	if err != nil {
		log.V(1).Info("Token request failed", "status", statusOf(err))
		return Token{}, fmt.Errorf("fetching %s token from %s: %w", req.Type, base, err)
	}
	log.V(1).Info("Fetched token", "requestedAt", tok.RequestedAt, "expiresAt", tok.ExpiresAt)
	return tok, nil
}

func (c *Client) fetch(ctx context.Context, req Request, endpoint string) (Token, error) {
	httpReq, err := newHTTPRequest(ctx, req, endpoint)
	if err != nil {
		return Token{}, fmt.Errorf("%w: building the HTTP request: %w", ErrInvalidRequest, err)
	}
	requestTime := c.now()
	resp, err := c.http.Do(httpReq)
	if err != nil {
		return Token{}, transportError(err)
	}
	defer func() { _ = resp.Body.Close() }()

	// One byte past the limit tells a body at the limit from a larger one.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return Token{}, transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Token{}, newAPIError(resp, body, c.now(), secretsOf(req))
	}
	tok, err := parseTokenResponse(body, requestTime)
	if err != nil {
		return Token{}, fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	return tok, nil
}

// logger prefers the caller's logger (controller-runtime puts one in the context).
func (c *Client) logger(ctx context.Context) logr.Logger {
	if log, err := logr.FromContext(ctx); err == nil {
		return log
	}
	return c.log
}

// transportError classes a failure to get a response as ErrUnavailable, keeping
// the cause (a timeout, a refused connection, the caller's cancellation) for
// errors.Is. The url.Error around it only repeats the URL.
func transportError(err error) error {
	if urlErr, ok := errors.AsType[*url.Error](err); ok {
		err = urlErr.Err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// newAPIError describes a non-success response without any of the request's secrets.
func newAPIError(resp *http.Response, body []byte, now time.Time, secrets []string) *APIError {
	summary, traceID := summarizeErrorBody(body)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		summary = redirectSummary(resp.Header.Get("Location"))
	}
	apiErr := &APIError{
		StatusCode: resp.StatusCode,
		Summary:    oneLine(redactSecrets(summary, secrets), maxSummaryLength),
		TraceID:    oneLine(redactSecrets(traceID, secrets), maxTraceIDLength),
		class:      classifyStatus(resp.StatusCode),
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		apiErr.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	}
	return apiErr
}

// maxTraceIDLength bounds a trace ID; Azure's are GUIDs.
const maxTraceIDLength = 64

// redirectSummary names where a redirect pointed, by scheme and host only: the
// rest of a Location can carry anything.
func redirectSummary(location string) string {
	const advice = "redirect not followed; check the base URL"
	u, err := url.Parse(location)
	if err != nil || u.Host == "" {
		return advice
	}
	return fmt.Sprintf("%s (it pointed to %s://%s)", advice, u.Scheme, u.Host)
}

// statusOf is the HTTP status behind an error, or 0 when there was no response.
func statusOf(err error) int {
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		return apiErr.StatusCode
	}
	return 0
}
