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
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// UntilCleared as InjectFaults' n keeps the fault for every token request until
// ClearFaults, for outages of unknown length.
const UntilCleared = -1

// Fault is something that goes wrong with a token request, chosen by a test.
type Fault struct {
	kind     faultKind
	wait     time.Duration // RateLimited's Retry-After, Hang's delay
	seconds  int64         // ExpiresIn's lifetime
	location string        // Redirect's Location
}

type faultKind int

const (
	faultStatus500 faultKind = iota + 1
	faultStatus502
	faultStatus503
	faultRateLimited
	faultHang
	faultMalformedJSON
	faultHTMLBody
	faultMissingAccessToken
	faultMissingExpiry
	faultJWTExpiryOnly
	faultWrongTokenType
	faultExpiresIn
	faultOversizedBody
	faultRedirect
)

// oversizedBodyBytes is the padding OversizedBody adds: 1 MiB, far over what a
// client should read of a response that is a few hundred bytes long.
const oversizedBodyBytes = 1 << 20

// Faults that replace the response, whatever the credentials.
var (
	// Status500 answers 500 with the gateway's JSON error.
	Status500 = Fault{kind: faultStatus500}
	// Status502 answers 502 with an HTML page, as a failing gateway does.
	Status502 = Fault{kind: faultStatus502}
	// Status503 answers 503 with the gateway's JSON error.
	Status503 = Fault{kind: faultStatus503}
	// MalformedJSON answers 200 with a JSON body cut off in the middle.
	MalformedJSON = Fault{kind: faultMalformedJSON}
	// HTMLBody answers 200 with an HTML page, as a captive proxy does.
	HTMLBody = Fault{kind: faultHTMLBody}
)

// Faults that alter a successful response; a request with wrong credentials
// still gets its error.
var (
	// MissingAccessToken leaves out access_token.
	MissingAccessToken = Fault{kind: faultMissingAccessToken}
	// MissingExpiry leaves out expires_in, expires_on, ext_expires_in and
	// not_before, and sends an opaque token instead of a JWT: nothing says when
	// the token expires.
	MissingExpiry = Fault{kind: faultMissingExpiry}
	// JWTExpiryOnly leaves out the same fields but keeps the JWT, whose exp is
	// then the only expiry (Vipps once announced removing the fields).
	JWTExpiryOnly = Fault{kind: faultJWTExpiryOnly}
	// WrongTokenType sends token_type "PoP" instead of "Bearer".
	WrongTokenType = Fault{kind: faultWrongTokenType}
	// OversizedBody pads the response with a "padding" field of 1 MiB, so that the
	// body is a valid token response, only far too large.
	OversizedBody = Fault{kind: faultOversizedBody}
)

// ExpiresIn issues a token that says it lives the given number of seconds: 0,
// negative or absurdly long. expires_in, expires_on and the JWT's exp all agree,
// so a client that takes the earliest of them still sees the lie.
func ExpiresIn(seconds int64) Fault {
	return Fault{kind: faultExpiresIn, seconds: seconds}
}

// Redirect answers 302 Found with the given Location, as a misconfigured proxy
// or a captive portal does, whatever the credentials. A client must not follow
// it: the credentials would go to another host.
func Redirect(location string) Fault {
	return Fault{kind: faultRedirect, location: location}
}

// RateLimited answers 429 with the gateway's message and, when retryAfter is
// positive, a Retry-After header in whole seconds (rounded up).
func RateLimited(retryAfter time.Duration) Fault {
	return Fault{kind: faultRateLimited, wait: retryAfter}
}

// Hang holds the request for d, or until the client gives up, before answering
// normally. Returning when the client gives up keeps tests free of leaked
// goroutines.
func Hang(d time.Duration) Fault {
	return Fault{kind: faultHang, wait: d}
}

// hold waits out a Hang. It reports false when the client went away first.
func (f Fault) hold(ctx context.Context) bool {
	if f.kind != faultHang {
		return true
	}
	timer := time.NewTimer(f.wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// replacement is the response that stands in for the real one, if the fault has one.
func (f Fault) replacement() (reply, bool) {
	switch f.kind {
	case faultStatus500:
		return gatewayError(http.StatusInternalServerError, "Internal server error"), true
	case faultStatus502:
		return reply{status: http.StatusBadGateway, contentType: "text/html", body: []byte(
			"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>")}, true
	case faultStatus503:
		return gatewayError(http.StatusServiceUnavailable, "The service is temporarily unavailable."), true
	case faultRateLimited:
		message := "Rate limit is exceeded."
		if f.wait > 0 {
			message = fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", seconds(f.wait))
		}
		rep := gatewayError(http.StatusTooManyRequests, message)
		rep.retryAfter = f.wait
		return rep, true
	case faultMalformedJSON:
		return reply{status: http.StatusOK, contentType: contentTypeJSON,
			body: []byte(`{"token_type":"Bearer","expires_in":"3599","access_token":"eyJ0eXAiOiJKV1Qi`)}, true
	case faultHTMLBody:
		return reply{status: http.StatusOK, contentType: "text/html; charset=utf-8", body: []byte(
			"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form></form></body></html>")}, true
	case faultRedirect:
		return reply{status: http.StatusFound, contentType: "text/html; charset=utf-8", location: f.location,
			body: []byte(`<html><body><a href="` + f.location + `">Found</a></body></html>`)}, true
	}
	return reply{}, false
}

// alter changes the fields of a successful token response.
func (f Fault) alter(fields map[string]any) {
	switch f.kind {
	case faultMissingAccessToken:
		delete(fields, "access_token")
	case faultMissingExpiry:
		deleteExpiryFields(fields)
		fields["access_token"] = randomHex(32)
	case faultJWTExpiryOnly:
		deleteExpiryFields(fields)
	case faultWrongTokenType:
		fields["token_type"] = "PoP"
	case faultOversizedBody:
		fields["padding"] = strings.Repeat("A", oversizedBodyBytes)
	}
}

// lifetime is the lifetime in seconds a token is issued with: the fault's, if it
// sets one, else normal.
func (f Fault) lifetime(normal int64) int64 {
	if f.kind == faultExpiresIn {
		return f.seconds
	}
	return normal
}

func deleteExpiryFields(fields map[string]any) {
	for _, name := range []string{fieldExpiresIn, "expires_on", "ext_expires_in", "not_before"} {
		delete(fields, name)
	}
}

// faultQueue holds the faults still to come: counted ones first, in the order
// they were injected, then the one that lasts until cleared.
type faultQueue struct {
	counted []Fault
	sticky  *Fault
}

func (q *faultQueue) add(f Fault, n int) {
	if n < 0 {
		q.sticky = &f
		return
	}
	for range n {
		q.counted = append(q.counted, f)
	}
}

// next takes the fault for one request, if any.
func (q *faultQueue) next() (Fault, bool) {
	if len(q.counted) > 0 {
		f := q.counted[0]
		q.counted = q.counted[1:]
		return f, true
	}
	if q.sticky != nil {
		return *q.sticky, true
	}
	return Fault{}, false
}
