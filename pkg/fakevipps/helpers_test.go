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
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// now is the fixed clock of the tests.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return now }

var (
	testCreds       = fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
	productionCreds = fakevipps.DefaultCredentials(fakevipps.EnvironmentProduction)
)

const resource = "https://testapivipps.no/vippsas/invoice-isp-service"

// call is one request to the fake.
type call struct {
	method string // POST unless set
	path   string
	header map[string]string
	body   string
}

// httptestRequest builds the request for c.
func httptestRequest(c call) *http.Request {
	if c.method == "" {
		c.method = http.MethodPost
	}
	req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return req
}

// serveRecorded sends req straight to the handler.
func serveRecorded(fake *fakevipps.Server, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	fake.ServeHTTP(rec, req)
	return rec
}

// do sends c and returns the response and its decoded JSON body.
func do(t *testing.T, fake *fakevipps.Server, c call) (*http.Response, map[string]any) {
	t.Helper()
	rec := serveRecorded(fake, httptestRequest(c))
	var decoded map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &decoded)
	return rec.Result(), decoded
}

func standardCall(creds fakevipps.Credentials) call {
	return call{path: "/accesstoken/get", header: map[string]string{
		"client_id":                 creds.ClientID,
		"client_secret":             creds.ClientSecret,
		"Ocp-Apim-Subscription-Key": creds.SubscriptionKeys[0],
	}}
}

func partnerCall(creds fakevipps.Credentials) call {
	basic := base64.StdEncoding.EncodeToString([]byte(creds.ClientID + ":" + creds.ClientSecret))
	return call{path: "/miami/v1/token", body: "grant_type=client_credentials", header: map[string]string{
		"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
	}}
}

func legacyCall(creds fakevipps.Credentials) call {
	b, _ := json.Marshal(map[string]string{
		"client_id": creds.ClientID, "client_secret": creds.ClientSecret, "resource": resource,
	})
	return call{path: "/api/access-token/jwt-token", body: string(b), header: map[string]string{
		"Content-Type": "application/json", "Ocp-Apim-Subscription-Key": creds.SubscriptionKeys[0],
	}}
}

// with returns c with header changes applied; "" deletes a header.
func (c call) with(header map[string]string) call {
	merged := map[string]string{}
	maps.Copy(merged, c.header)
	for k, v := range header {
		if v == "" {
			delete(merged, k)
		} else {
			merged[k] = v
		}
	}
	c.header = merged
	return c
}

// errorOf is the error code or gateway message of a decoded error body.
func errorOf(decoded map[string]any) string {
	if e, ok := decoded["error"].(string); ok {
		return e
	}
	m, _ := decoded["message"].(string)
	return m
}
