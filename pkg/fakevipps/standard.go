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

import "net/http"

// authenticateStandard checks POST /accesstoken/get: the credentials travel in
// headers and the body is ignored (clients send none, {} or an empty form).
func authenticateStandard(snap snapshot, r *http.Request) (Credentials, *reply) {
	if rep := checkSubscriptionKey(snap.creds, r.Header); rep != nil {
		return Credentials{}, rep
	}
	if rep := checkOrigin(snap, r.Header); rep != nil {
		return Credentials{}, rep
	}
	c, rep := lookUpClient(snap, r.Header.Get("client_id"))
	if rep != nil {
		return Credentials{}, rep
	}
	if rep := checkClientSecret(snap, c, r.Header.Get("client_secret")); rep != nil {
		return Credentials{}, rep
	}
	return c, nil
}
