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

import "strings"

// Endpoint is a token endpoint's path.
type Endpoint string

const (
	// EndpointStandard is the standard token endpoint.
	EndpointStandard Endpoint = "/accesstoken/get"
	// EndpointPartner is the partner (OAuth2 client credentials) token endpoint.
	EndpointPartner Endpoint = "/miami/v1/token"
	// EndpointLegacy is the 2018 Invoice API token endpoint.
	EndpointLegacy Endpoint = "/api/access-token/jwt-token"
)

// matchEndpoint finds the endpoint for a path. Vipps' gateway matches paths
// case-insensitively (clients send /accessToken/get), so the fake does too.
func matchEndpoint(path string) (Endpoint, bool) {
	for _, e := range []Endpoint{EndpointStandard, EndpointPartner, EndpointLegacy} {
		if strings.EqualFold(path, string(e)) {
			return e, true
		}
	}
	return "", false
}
