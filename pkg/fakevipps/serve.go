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
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// Serve serves handler, a Server or a handler that wraps one, on addr ("127.0.0.1:0" for a
// free local port) until the returned server is closed; its URL is the base URL to give the
// operator. It is the one way the fake is served: by the fake-vipps command, the demo, the
// benchmark and the tests (where it is httptest.NewServer on an address of the caller's).
// Close waits for the requests in progress.
func Serve(addr string, handler http.Handler) (*httptest.Server, error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &httptest.Server{
		Listener: listener,
		Config:   &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second},
	}
	srv.Start()
	return srv, nil
}
