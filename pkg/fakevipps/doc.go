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

// Package fakevipps is a fake of the Vipps MobilePay access token API for tests
// and demos: the standard (/accesstoken/get), partner (/miami/v1/token) and
// legacy (/api/access-token/jwt-token) endpoints, with the error each wrong
// header earns, real-looking JWTs, programmable faults, and a record of every
// request so that tests can assert what was sent and what was not.
//
// A Server is an http.Handler; Serve serves it on a local address (a free port here), and
// srv.URL is the base URL to call:
//
//	fake := fakevipps.NewServer(fakevipps.WithEnvironment(fakevipps.EnvironmentTest))
//	srv, err := fakevipps.Serve("127.0.0.1:0", fake)
//	defer srv.Close()
//	creds := fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
//
// The fake is written from the public API documentation, independently of the
// operator's client, so that the two cannot share a misreading.
package fakevipps
