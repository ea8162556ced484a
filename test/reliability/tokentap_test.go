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

package reliability

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"

	. "github.com/onsi/ginkgo/v2"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// tokenTap is a fake Vipps of a spec's own that keeps every access token it issues,
// including those the operator holds only for a moment before it renews them.
type tokenTap struct {
	*fakevipps.Server
	// URL is where it serves.
	URL string

	mu     sync.Mutex
	tokens []string
}

// startTokenTap serves a fake made with opts until the spec ends.
func startTokenTap(opts ...fakevipps.Option) *tokenTap {
	tap := &tokenTap{Server: fakevipps.NewServer(opts...)}
	server := httptest.NewServer(http.HandlerFunc(tap.serve))
	DeferCleanup(server.Close)
	tap.URL = server.URL
	return tap
}

// serve answers as the fake does, and keeps the access token of a successful answer.
func (t *tokenTap) serve(w http.ResponseWriter, r *http.Request) {
	answer := httptest.NewRecorder()
	t.ServeHTTP(answer, r)
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(answer.Body.Bytes(), &issued) == nil && issued.AccessToken != "" {
		t.mu.Lock()
		t.tokens = append(t.tokens, issued.AccessToken)
		t.mu.Unlock()
	}
	maps.Copy(w.Header(), answer.Header())
	w.WriteHeader(answer.Code)
	_, _ = w.Write(answer.Body.Bytes())
}

// Tokens are the access tokens issued so far.
func (t *tokenTap) Tokens() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.tokens)
}
