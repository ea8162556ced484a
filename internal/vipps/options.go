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
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
)

// defaultTimeout bounds one token request, connection to last body byte.
const defaultTimeout = 10 * time.Second

// Option configures a Client.
type Option func(*options)

type options struct {
	timeout   time.Duration
	transport http.RoundTripper
	now       func() time.Time
	log       logr.Logger
	limiter   *rate.Limiter
}

// WithTimeout bounds each token request (default 10s). Values of zero or less
// keep the default: a token request must never wait forever.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithTransport replaces the transport, e.g. with an httptest TLS server's. The
// client still owns the timeout and the redirect policy; a replacement transport
// owns its TLS settings.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) { o.transport = rt }
}

// WithClock replaces time.Now, which decides expiries from expires_in and
// Retry-After dates.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithRateLimit makes all requests of the client share one limit: perSecond on average and
// burst at once, so that a cold start with thousands of tokens does not hammer Vipps. A
// request waits for its turn (or for its context to end). Without it there is no limit.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(o *options) { o.limiter = rate.NewLimiter(rate.Limit(perSecond), burst) }
}

// WithLogger sets the logger used when the request's context carries none.
func WithLogger(log logr.Logger) Option {
	return func(o *options) { o.log = log }
}
