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
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// legacyRequest is the JSON body of POST /api/access-token/jwt-token.
type legacyRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Resource     string `json:"resource"`
}

// authenticateLegacy checks the legacy endpoint: subscription key in a header,
// everything else in the body, all three fields required. A wrong client_id or
// resource is a 400, a wrong client_secret a 401.
func authenticateLegacy(snap snapshot, r *http.Request, body []byte) (Credentials, legacyRequest, *reply) {
	if rep := checkSubscriptionKey(snap.creds, r.Header); rep != nil {
		return Credentials{}, legacyRequest{}, rep
	}
	if rep := checkOrigin(snap, r.Header); rep != nil {
		return Credentials{}, legacyRequest{}, rep
	}
	var req legacyRequest
	if json.Unmarshal(body, &req) != nil {
		req = legacyRequest{}
	}
	for _, field := range []struct{ name, value string }{
		{"client_id", req.ClientID}, {"client_secret", req.ClientSecret}, {"resource", req.Resource},
	} {
		if field.value == "" {
			return Credentials{}, req, failWith(identityError(http.StatusBadRequest, "invalid_request", 900144,
				fmt.Sprintf("The request body must contain the following parameter: '%s'.", field.name), snap.now))
		}
	}
	c, rep := lookUpClient(snap, req.ClientID)
	if rep != nil {
		return Credentials{}, req, rep
	}
	if u, err := url.Parse(req.Resource); err != nil || u.Scheme != "https" || u.Host == "" {
		return Credentials{}, req, failWith(identityError(http.StatusBadRequest, "invalid_resource", 500011,
			"The resource principal was not found in the tenant named fake-vipps.", snap.now))
	}
	if rep := checkClientSecret(snap, c, req.ClientSecret); rep != nil {
		return Credentials{}, req, rep
	}
	return c, req, nil
}
