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
package fakevipps_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// endpointCase is one request and the answer the sheet says it gets. wantError is
// the identity error code or a substring of the gateway message; "" on success.
type endpointCase struct {
	name       string
	call       call
	wantStatus int
	wantError  string
}

func runEndpointCases(t *testing.T, tests []endpointCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock))
			resp, decoded := do(t, fake, tt.call)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %v)", resp.StatusCode, tt.wantStatus, decoded)
			}
			if tt.wantError == "" {
				if decoded["access_token"] == nil {
					t.Errorf("body = %v, want a token", decoded)
				}
				return
			}
			if got := errorOf(decoded); !strings.Contains(got, tt.wantError) {
				t.Errorf("error = %q, want %q", got, tt.wantError)
			}
		})
	}
}

func TestStandardEndpoint(t *testing.T) {
	ok := standardCall(testCreds)
	runEndpointCases(t, []endpointCase{
		{name: "valid", call: ok, wantStatus: 200},
		{
			name: "secondary subscription key",
			call: ok.with(map[string]string{"Ocp-Apim-Subscription-Key": testCreds.SubscriptionKeys[1]}), wantStatus: 200,
		},
		{name: "path in another case", call: call{path: "/accessToken/get", header: ok.header}, wantStatus: 200},
		{
			name: "JSON content type and empty body", call: ok.with(map[string]string{"Content-Type": "application/json"}),
			wantStatus: 200,
		},
		{
			name:       "empty form body",
			call:       ok.with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}),
			wantStatus: 200,
		},
		{name: "any body is ignored", call: call{path: ok.path, header: ok.header, body: "{}"}, wantStatus: 200},
		{
			name: "missing subscription key", call: ok.with(map[string]string{"Ocp-Apim-Subscription-Key": ""}),
			wantStatus: 401, wantError: "missing subscription key",
		},
		{
			name: "wrong subscription key", call: ok.with(map[string]string{"Ocp-Apim-Subscription-Key": "nope"}),
			wantStatus: 401, wantError: "invalid subscription key",
		},
		{
			name:       "production key on the test host",
			call:       ok.with(map[string]string{"Ocp-Apim-Subscription-Key": productionCreds.SubscriptionKeys[0]}),
			wantStatus: 401, wantError: "invalid subscription key",
		},
		{
			name: "production client_id on the test host",
			call: ok.with(map[string]string{"client_id": productionCreds.ClientID}), wantStatus: 400,
			wantError: "unauthorized_client",
		},
		{
			name: "malformed client_id", call: ok.with(map[string]string{"client_id": "not-a-guid"}), wantStatus: 400,
			wantError: "invalid_scope",
		},
		{
			name: "missing client_id", call: ok.with(map[string]string{"client_id": ""}), wantStatus: 400,
			wantError: "invalid_scope",
		},
		{
			name: "wrong client_secret", call: ok.with(map[string]string{"client_secret": "wrong"}), wantStatus: 401,
			wantError: "invalid_client",
		},
		{
			name: "missing client_secret", call: ok.with(map[string]string{"client_secret": ""}), wantStatus: 401,
			wantError: "invalid_client",
		},
		{
			name: "browser Origin header", call: ok.with(map[string]string{"Origin": "https://shop.example"}), wantStatus: 400,
			wantError: "invalid_request",
		},
	})
}

func TestPartnerEndpoint(t *testing.T) {
	ok := partnerCall(testCreds)
	notPartner := testCreds
	notPartner.Partner = false
	runEndpointCases(t, []endpointCase{
		{name: "valid", call: ok, wantStatus: 200},
		{
			name: "form content type without charset",
			call: ok.with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), wantStatus: 200,
		},
		{
			name: "with Merchant-Serial-Number and system headers",
			call: ok.with(map[string]string{"Merchant-Serial-Number": "123456", "Vipps-System-Name": "shop"}), wantStatus: 200,
		},
		{
			name: "subscription key sent",
			call: ok.with(map[string]string{"Ocp-Apim-Subscription-Key": testCreds.SubscriptionKeys[0]}), wantStatus: 401,
			wantError: "invalid_client",
		},
		{
			name: "grant_type left out", call: call{path: ok.path, header: ok.header}, wantStatus: 401,
			wantError: "invalid_client",
		},
		{
			name: "JSON body instead of a form",
			call: call{
				path:   ok.path,
				header: ok.with(map[string]string{"Content-Type": "application/json"}).header,
				body:   `{"grant_type":"client_credentials"}`,
			},
			wantStatus: 401, wantError: "invalid_client",
		},
		{
			name: "another grant type", call: call{path: ok.path, header: ok.header, body: "grant_type=password"},
			wantStatus: 400, wantError: "unsupported_grant_type",
		},
		{
			name: "no Basic auth", call: ok.with(map[string]string{"Authorization": ""}), wantStatus: 401,
			wantError: "invalid_client",
		},
		{
			name: "wrong secret",
			call: partnerCall(fakevipps.Credentials{ClientID: testCreds.ClientID, ClientSecret: "wrong"}), wantStatus: 401,
			wantError: "invalid_client",
		},
		{
			name: "production credentials on the test host", call: partnerCall(productionCreds), wantStatus: 401,
			wantError: "invalid_client",
		},
	})

	t.Run("credentials without the partner role", func(t *testing.T) {
		fake := fakevipps.NewServer(fakevipps.WithCredentials(notPartner))
		resp, decoded := do(t, fake, ok)
		if resp.StatusCode != http.StatusBadRequest || errorOf(decoded) != "unauthorized_client" {
			t.Errorf("got %d %v, want 400 unauthorized_client", resp.StatusCode, decoded)
		}
	})
}

func TestLegacyEndpoint(t *testing.T) {
	ok := legacyCall(testCreds)
	withBody := func(clientID, clientSecret, resource string) call {
		fields := map[string]string{"client_id": clientID, "client_secret": clientSecret, "resource": resource}
		for k, v := range fields {
			if v == "" {
				delete(fields, k)
			}
		}
		b, _ := json.Marshal(fields)
		return call{path: ok.path, header: ok.header, body: string(b)}
	}
	runEndpointCases(t, []endpointCase{
		{name: "valid", call: ok, wantStatus: 200},
		{
			name: "missing subscription key", call: ok.with(map[string]string{"Ocp-Apim-Subscription-Key": ""}),
			wantStatus: 401, wantError: "missing subscription key",
		},
		{
			name: "missing client_id",
			call: withBody("", testCreds.ClientSecret, resource), wantStatus: 400,
			wantError: "invalid_request",
		},
		{
			name: "missing client_secret",
			call: withBody(testCreds.ClientID, "", resource), wantStatus: 400,
			wantError: "invalid_request",
		},
		{
			name:       "missing resource",
			call:       withBody(testCreds.ClientID, testCreds.ClientSecret, ""),
			wantStatus: 400, wantError: "invalid_request",
		},
		{
			name: "body not JSON", call: call{path: ok.path, header: ok.header, body: "client_id=x"}, wantStatus: 400,
			wantError: "invalid_request",
		},
		{
			name:       "wrong client_id",
			call:       withBody(productionCreds.ClientID, testCreds.ClientSecret, resource),
			wantStatus: 400, wantError: "unauthorized_client",
		},
		{
			name:       "wrong resource",
			call:       withBody(testCreds.ClientID, testCreds.ClientSecret, "invoice"),
			wantStatus: 400, wantError: "invalid_resource",
		},
		{
			name:       "wrong client_secret",
			call:       withBody(testCreds.ClientID, "wrong", resource),
			wantStatus: 401, wantError: "invalid_client",
		},
	})
}

func TestOtherPathsAndMethodsAreNotFound(t *testing.T) {
	for _, c := range []call{
		{method: http.MethodGet, path: "/accesstoken/get"},
		{path: "/accesstoken/get/"},
		{path: "/authentication/v1/token"},
		{path: "/"},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			fake := fakevipps.NewServer()
			resp, decoded := do(t, fake, c)
			if resp.StatusCode != http.StatusNotFound || errorOf(decoded) != "Resource not found" {
				t.Errorf("got %d %v, want 404 Resource not found", resp.StatusCode, decoded)
			}
			if rec := fake.Requests(); len(rec) != 1 || rec[0].Endpoint != "" {
				t.Errorf("recorded %+v, want one request to no endpoint", rec)
			}
		})
	}
}
