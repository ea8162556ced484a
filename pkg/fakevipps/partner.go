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
	"mime"
	"net/http"
	"net/url"
)

// authenticatePartner checks POST /miami/v1/token, plain OAuth2 client
// credentials: Basic auth, a form body with grant_type=client_credentials, and
// no subscription key.
func authenticatePartner(snap snapshot, r *http.Request, body []byte) (Credentials, *reply) {
	if _, sent := r.Header["Ocp-Apim-Subscription-Key"]; sent {
		return Credentials{}, failWith(oauthError(http.StatusUnauthorized, oauthInvalidClient,
			"A subscription key must not be sent to the partner token endpoint."))
	}
	grantType := formGrantType(r.Header.Get("Content-Type"), body)
	if grantType == "" {
		return Credentials{}, failWith(oauthError(http.StatusUnauthorized, oauthInvalidClient,
			"The request body must be a form with grant_type=client_credentials."))
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		return Credentials{}, failWith(oauthError(http.StatusUnauthorized, oauthInvalidClient,
			"Client authentication with HTTP Basic is required."))
	}
	if grantType != "client_credentials" {
		return Credentials{}, failWith(oauthError(http.StatusBadRequest, "unsupported_grant_type",
			"Only grant_type=client_credentials is supported."))
	}
	c, known := snap.creds.byClientID(id)
	if !known || secret != c.ClientSecret {
		return Credentials{}, failWith(oauthError(http.StatusUnauthorized, oauthInvalidClient,
			"Client authentication failed."))
	}
	if !c.Partner {
		return Credentials{}, failWith(oauthError(http.StatusBadRequest, "unauthorized_client",
			"The client is not allowed to use the partner token endpoint."))
	}
	return c, nil
}

// formGrantType reads grant_type from a form body, or "" when the body is not a form.
func formGrantType(contentType string, body []byte) string {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return ""
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("grant_type")
}
