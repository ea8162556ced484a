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
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// maxRequestBodyBytes bounds what the fake reads and records of a request body.
const maxRequestBodyBytes = 64 << 10

// Server is a fake Vipps token API for one environment. It is safe for
// concurrent use.
type Server struct {
	mu         sync.Mutex
	env        Environment
	creds      credentialStore
	lifetime   time.Duration // 0: the documented default per endpoint
	backdating time.Duration
	encoding   NumericEncoding
	now        func() time.Time
	signingKey []byte
	faults     faultQueue
	rec        recorder
}

// NewServer returns a fake for the Test environment with DefaultCredentials,
// unless options say otherwise.
func NewServer(opts ...Option) *Server {
	set := settings{env: EnvironmentTest, now: time.Now, backdating: DefaultBackdating}
	for _, opt := range opts {
		opt(&set)
	}
	if !set.credsGiven {
		set.creds = []Credentials{DefaultCredentials(set.env)}
	}
	s := &Server{
		env: set.env, lifetime: set.lifetime, backdating: set.backdating, encoding: set.encoding,
		now: set.now, signingKey: make([]byte, 32),
	}
	_, _ = rand.Read(s.signingKey) // crypto/rand.Read never fails (Go 1.24+).
	for _, c := range set.creds {
		s.creds.put(c)
	}
	return s
}

// snapshot is what one request needs of the Server's state, taken under the lock
// so that the request is then answered without it.
type snapshot struct {
	env        Environment
	creds      credentialStore
	lifetime   time.Duration
	backdating time.Duration
	encoding   NumericEncoding
	now        time.Time
	signingKey []byte
}

// ServeHTTP answers a token request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBodyBytes))
	endpoint, known := matchEndpoint(r.URL.Path)
	if r.Method != http.MethodPost {
		// The gateway has no operation for any other method.
		known, endpoint = false, ""
	}
	snap, fault, faulted := s.begin(r, body, endpoint)
	if !known {
		gatewayError(http.StatusNotFound, messageNotFound).write(w)
		return
	}
	if faulted {
		if !fault.hold(r.Context()) {
			return
		}
		if rep, ok := fault.replacement(); ok {
			rep.write(w)
			return
		}
	}
	answer(snap, endpoint, r, body, fault).write(w)
}

// begin records the request, takes its fault (token endpoints only) and
// snapshots the state to answer it with.
func (s *Server) begin(r *http.Request, body []byte, endpoint Endpoint) (snapshot, Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.rec.add(RecordedRequest{
		Time:     now,
		Method:   r.Method,
		Path:     r.URL.Path,
		Endpoint: endpoint,
		ClientID: requestClientID(endpoint, r, body),
		Header:   r.Header.Clone(),
		Body:     slices.Clone(body),
	})
	var fault Fault
	var faulted bool
	if endpoint != "" {
		fault, faulted = s.faults.next()
	}
	return snapshot{
		env:        s.env,
		creds:      slices.Clone(s.creds),
		lifetime:   s.lifetime,
		backdating: s.backdating,
		encoding:   s.encoding,
		now:        now,
		signingKey: s.signingKey,
	}, fault, faulted
}

// answer authenticates the request and issues a token, altered by a fault if
// one applies.
func answer(snap snapshot, endpoint Endpoint, r *http.Request, body []byte, fault Fault) reply {
	var (
		c        Credentials
		resource string
		failure  *reply
	)
	switch endpoint {
	case EndpointStandard:
		c, failure = authenticateStandard(snap, r)
	case EndpointPartner:
		c, failure = authenticatePartner(snap, r, body)
	case EndpointLegacy:
		var req legacyRequest
		c, req, failure = authenticateLegacy(snap, r, body)
		resource = req.Resource
	}
	if failure != nil {
		return *failure
	}
	fields := tokenFields(snap, endpoint, c.ClientID, resource, fault)
	fault.alter(fields)
	contentType := "application/json;charset=UTF-8"
	if endpoint == EndpointPartner {
		contentType = contentTypeJSON
	}
	return jsonReply(http.StatusOK, contentType, fields)
}

// requestClientID is the client a request names, however it names it.
func requestClientID(endpoint Endpoint, r *http.Request, body []byte) string {
	switch endpoint {
	case EndpointStandard:
		return r.Header.Get("client_id")
	case EndpointPartner:
		id, _, _ := r.BasicAuth()
		return id
	case EndpointLegacy:
		var req legacyRequest
		_ = json.Unmarshal(body, &req) // best effort: a broken body names no client
		return req.ClientID
	}
	return ""
}

// AddCredentials accepts more credentials, replacing any with the same client
// ID (to rotate a secret).
func (s *Server) AddCredentials(c Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds.put(c)
}

// SetLifetime sets the lifetime of tokens issued from now on, on every endpoint.
// Zero restores the documented defaults.
func (s *Server) SetLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// SetNumericEncoding chooses strings or numbers for the numeric fields of tokens
// issued from now on, as WithNumericEncoding does at construction.
func (s *Server) SetNumericEncoding(e NumericEncoding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.encoding = e
}

// InjectFaults makes the next n token requests fail with f; n = UntilCleared (or
// any negative n) keeps failing them until ClearFaults. Counted faults come
// first, in the order injected.
func (s *Server) InjectFaults(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.add(f, n)
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultQueue{}
}

// Calls counts every request received, on any path.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec.calls
}

// CallsTo counts the POST requests to one token endpoint.
func (s *Server) CallsTo(endpoint Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec.byEndpoint[endpoint]
}

// CallsBy counts the token requests that named a client, whatever their outcome.
func (s *Server) CallsBy(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec.byClient[clientID]
}

// Requests returns copies of the recorded requests, oldest first (at most the
// last 1000).
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedRequest, len(s.rec.requests))
	for i, req := range s.rec.requests {
		out[i] = copyOf(req)
	}
	return out
}

// Reset forgets the counters and recorded requests; credentials, lifetime and
// faults stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rec = recorder{}
}
