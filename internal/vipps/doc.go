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

// Package vipps fetches access tokens from the Vipps MobilePay token endpoints.
//
// It is the only code in the operator that speaks to Vipps, and it knows nothing
// of Kubernetes: a caller builds a [Request], calls [Client.FetchToken] and gets
// back a [Token] or an error whose class ([ErrInvalidRequest],
// [ErrCredentialsRejected], [ErrRateLimited], [ErrUnavailable],
// [ErrMalformedResponse]) tells it whether retrying can help.
//
// No value this package returns or logs contains a client secret, a
// subscription key or an access token, except [Token.AccessToken] itself.
package vipps
