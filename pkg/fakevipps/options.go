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

import "time"

// NumericEncoding chooses how expires_in, expires_on and friends are encoded.
// Vipps documents them as strings but shows plain numbers on other pages, and
// clients must accept both.
type NumericEncoding int

const (
	// AsDocumented sends strings from the standard and legacy endpoints and a
	// number from the partner endpoint, as the documentation shows them.
	AsDocumented NumericEncoding = iota
	// Strings sends every numeric field as a JSON string: "expires_in":"3600".
	Strings
	// Numbers sends every numeric field as a JSON number: "expires_in":3600.
	Numbers
)

// Option configures a Server.
type Option func(*settings)

type settings struct {
	env        Environment
	creds      []Credentials
	credsGiven bool
	lifetime   time.Duration
	backdating time.Duration
	encoding   NumericEncoding
	now        func() time.Time
}

// WithEnvironment sets the environment (default Test), which decides the default
// credentials and token lifetime.
func WithEnvironment(env Environment) Option {
	return func(s *settings) { s.env = env }
}

// WithCredentials sets the accepted credentials instead of DefaultCredentials.
func WithCredentials(creds ...Credentials) Option {
	return func(s *settings) {
		s.creds = append(s.creds, creds...)
		s.credsGiven = true
	}
}

// WithLifetime sets the lifetime of every token, on every endpoint, instead of
// the documented defaults (1 hour standard in Test, 24 hours in Production, 15
// minutes partner). The JWT counts whole seconds.
func WithLifetime(d time.Duration) Option {
	return func(s *settings) { s.lifetime = d }
}

// DefaultBackdating is how far Azure AD, which issues Vipps tokens, back-dates iat, nbf and
// not_before to allow for clock skew: exp − iat is the lifetime plus five minutes.
const DefaultBackdating = 5 * time.Minute

// WithBackdating sets how far iat, nbf and not_before lie before the time a token is
// issued (default DefaultBackdating, as Vipps does). 0 makes them the exact issue time,
// which no real Vipps token has.
func WithBackdating(d time.Duration) Option {
	return func(s *settings) { s.backdating = d }
}

// WithNumericEncoding chooses strings or numbers for the numeric fields.
func WithNumericEncoding(e NumericEncoding) Option {
	return func(s *settings) { s.encoding = e }
}

// WithClock replaces time.Now for issuing tokens and recording requests.
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.now = now }
}
