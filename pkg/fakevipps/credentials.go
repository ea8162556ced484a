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
	"regexp"
	"slices"
)

// Environment is the Vipps environment a Server pretends to be. Test and
// production credentials differ, as they do at Vipps.
type Environment string

const (
	// EnvironmentTest is apitest.vipps.no: standard tokens live 1 hour.
	EnvironmentTest Environment = "Test"
	// EnvironmentProduction is api.vipps.no: standard tokens live 24 hours.
	EnvironmentProduction Environment = "Production"
)

// Credentials are one sales unit's keys as Vipps hands them out.
type Credentials struct {
	ClientID     string
	ClientSecret string
	// SubscriptionKeys are the primary and secondary Ocp-Apim-Subscription-Key;
	// each is valid.
	SubscriptionKeys []string
	// Partner allows the client to use /miami/v1/token.
	Partner bool
}

// DefaultCredentials returns the well-known fake credentials a Server accepts
// unless told otherwise. They differ per environment, so that sending test
// credentials to a production fake fails as it would at Vipps. Any environment
// other than Production gets the test credentials.
func DefaultCredentials(env Environment) Credentials {
	if env == EnvironmentProduction {
		return Credentials{
			ClientID:         "9d0df4ce-0000-4000-8000-000000000002",
			ClientSecret:     "ZmFrZS1wcm9kdWN0aW9uLXNlY3JldA+/prod==",
			SubscriptionKeys: []string{"9d0d0000000000000000000000000b01", "9d0d0000000000000000000000000b02"},
			Partner:          true,
		}
	}
	return Credentials{
		ClientID:         "7e57f4ce-0000-4000-8000-000000000001",
		ClientSecret:     "ZmFrZS10ZXN0LXNlY3JldA+/test==",
		SubscriptionKeys: []string{"7e570000000000000000000000000a01", "7e570000000000000000000000000a02"},
		Partner:          true,
	}
}

// guidPattern is the shape of a client_id; anything else is "malformed" to the
// identity backend.
var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// credentialStore holds a Server's credentials; the Server's lock guards it.
type credentialStore []Credentials

// put adds credentials, replacing any with the same client ID so that tests can
// rotate a secret.
func (cs *credentialStore) put(c Credentials) {
	c.SubscriptionKeys = slices.Clone(c.SubscriptionKeys)
	for i := range *cs {
		if (*cs)[i].ClientID == c.ClientID {
			(*cs)[i] = c
			return
		}
	}
	*cs = append(*cs, c)
}

func (cs credentialStore) byClientID(id string) (Credentials, bool) {
	for _, c := range cs {
		if c.ClientID == id {
			return c, true
		}
	}
	return Credentials{}, false
}

// knowsSubscriptionKey is the API gateway's check: any of the environment's keys
// passes it. Vipps does not document whether the token endpoint also matches the
// key to the client_id, so the fake does not.
func (cs credentialStore) knowsSubscriptionKey(key string) bool {
	for _, c := range cs {
		if slices.Contains(c.SubscriptionKeys, key) {
			return true
		}
	}
	return false
}
