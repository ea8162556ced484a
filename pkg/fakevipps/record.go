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
	"net/http"
	"slices"
	"time"
)

// maxRecordedRequests bounds the record of a long-running fake; the counters are
// kept in full.
const maxRecordedRequests = 1000

// RecordedRequest is one request as the fake received it.
type RecordedRequest struct {
	Time   time.Time
	Method string
	Path   string
	// Endpoint is the token endpoint the path matched, or "" for any other path.
	Endpoint Endpoint
	// ClientID is the client the request named: the client_id header (standard),
	// the Basic user (partner) or the JSON body's client_id (legacy).
	ClientID string
	Header   http.Header
	Body     []byte
}

// recorder counts and records requests; the Server's lock guards it.
type recorder struct {
	calls      int
	byEndpoint map[Endpoint]int
	byClient   map[string]int
	requests   []RecordedRequest
}

func (rec *recorder) add(req RecordedRequest) {
	if rec.byEndpoint == nil {
		rec.byEndpoint = map[Endpoint]int{}
		rec.byClient = map[string]int{}
	}
	rec.calls++
	if req.Endpoint != "" {
		rec.byEndpoint[req.Endpoint]++
	}
	if req.ClientID != "" {
		rec.byClient[req.ClientID]++
	}
	if len(rec.requests) == maxRecordedRequests {
		rec.requests = slices.Delete(rec.requests, 0, 1)
	}
	rec.requests = append(rec.requests, req)
}

// copyOf returns a request that shares nothing with the record.
func copyOf(req RecordedRequest) RecordedRequest {
	req.Header = req.Header.Clone()
	req.Body = slices.Clone(req.Body)
	return req
}
