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
	"fmt"
	"net/http"
)

// The checks of the standard and legacy endpoints, in the order Vipps runs them:
// the API gateway checks the subscription key, then the identity backend (Azure
// AD) checks the client. Each returns nil when the request passes.

func checkSubscriptionKey(creds credentialStore, header http.Header) *reply {
	key := header.Get("Ocp-Apim-Subscription-Key")
	switch {
	case key == "":
		return failWith(gatewayError(http.StatusUnauthorized, messageMissingKey))
	case !creds.knowsSubscriptionKey(key):
		// Also what a production key sent to the test host gets.
		return failWith(gatewayError(http.StatusUnauthorized, messageInvalidKey))
	}
	return nil
}

// checkOrigin rejects browser requests: the backend refuses token redemption
// with an Origin header from anything but a single-page application.
func checkOrigin(snap snapshot, header http.Header) *reply {
	if header.Get("Origin") == "" {
		return nil
	}
	return failWith(identityError(http.StatusBadRequest, "invalid_request", 9002326,
		"Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.", snap.now))
}

// lookUpClient finds the client by ID. A malformed ID and an unknown one (often
// an ID from the other environment) fail differently, as at Vipps.
func lookUpClient(snap snapshot, clientID string) (Credentials, *reply) {
	if c, ok := snap.creds.byClientID(clientID); ok {
		return c, nil
	}
	if !guidPattern.MatchString(clientID) {
		return Credentials{}, failWith(identityError(http.StatusBadRequest, "invalid_scope", 70011,
			"The provided value for the input parameter 'scope' is not valid.", snap.now))
	}
	return Credentials{}, failWith(identityError(http.StatusBadRequest, "unauthorized_client", 700016,
		fmt.Sprintf("Application with identifier '%s' was not found in the directory 'fake-vipps-%s'. "+
			"You may have sent your authentication request to the wrong tenant.", clientID, snap.env), snap.now))
}

// checkClientSecret compares the secret. Vipps does not document the code for a
// wrong secret; the fake sends Azure AD's.
func checkClientSecret(snap snapshot, c Credentials, secret string) *reply {
	if secret == c.ClientSecret {
		return nil
	}
	return failWith(identityError(http.StatusUnauthorized, oauthInvalidClient, 7000215,
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "+
			"not the client secret ID, for a secret added to app '"+c.ClientID+"'.", snap.now))
}

func failWith(rep reply) *reply { return &rep }
