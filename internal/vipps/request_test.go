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

package vipps

import (
	"errors"
	"strings"
	"testing"
)

func TestRequestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Request)
		// wantProblems are substrings of the error; none means the request is valid.
		wantProblems []string
	}{
		{name: "standard request is valid", modify: func(*Request) {}},
		{name: "partner needs no subscription key", modify: func(r *Request) {
			r.Type, r.SubscriptionKey = TokenTypePartner, ""
		}},
		{name: "legacy with resource is valid", modify: func(r *Request) {
			r.Type, r.Resource = TokenTypeLegacy, "https://testapivipps.no/vippsas/invoice-isp-service"
		}},
		{name: "optional fields at their limits are valid", modify: func(r *Request) {
			r.MerchantSerialNumber = "1234567"
			r.System = SystemInfo{Name: strings.Repeat("n", 30), Version: "1.0", PluginName: "p", PluginVersion: "2"}
		}},
		{
			name:   "base URL with prefix and port is valid",
			modify: func(r *Request) { r.BaseURL = "http://127.0.0.1:8090/vipps/" },
		},
		{name: "unknown type", modify: func(r *Request) { r.Type = "Magic" }, wantProblems: []string{`type "Magic"`}},
		{
			name: "missing client ID", modify: func(r *Request) { r.ClientID = "" },
			wantProblems: []string{"clientID is required"},
		},
		{name: "partner client ID with colon", modify: func(r *Request) { r.Type, r.ClientID = TokenTypePartner, "a:b" },
			wantProblems: []string{"clientID must not contain ':'"}},
		{
			name: "missing client secret", modify: func(r *Request) { r.ClientSecret = "" },
			wantProblems: []string{"clientSecret is required"},
		},
		{name: "client secret with newline", modify: func(r *Request) { r.ClientSecret = "abc\r\nX-Evil: 1" },
			wantProblems: []string{"clientSecret contains control characters"}},
		{name: "standard without subscription key", modify: func(r *Request) { r.SubscriptionKey = "" },
			wantProblems: []string{"subscriptionKey is required"}},
		{name: "legacy without subscription key or resource",
			modify:       func(r *Request) { r.Type, r.SubscriptionKey = TokenTypeLegacy, "" },
			wantProblems: []string{"subscriptionKey is required", "resource is required"}},
		{name: "merchant serial number too short", modify: func(r *Request) { r.MerchantSerialNumber = "123" },
			wantProblems: []string{"merchantSerialNumber must be 4 to 7 digits"}},
		{name: "merchant serial number not digits", modify: func(r *Request) { r.MerchantSerialNumber = "12a45" },
			wantProblems: []string{"merchantSerialNumber must be 4 to 7 digits"}},
		{name: "system name too long", modify: func(r *Request) { r.System.Name = strings.Repeat("n", 31) },
			wantProblems: []string{"system.name must be at most 30 characters"}},
		{name: "system plugin version with control character", modify: func(r *Request) { r.System.PluginVersion = "1\n" },
			wantProblems: []string{"system.pluginVersion contains control characters"}},
		{name: "every problem is reported at once", modify: func(r *Request) { *r = Request{} },
			wantProblems: []string{"type", "baseURL is required", "clientID is required", "clientSecret is required", "subscriptionKey is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest()
			tt.modify(&req)
			err := req.Validate()
			if len(tt.wantProblems) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Validate() = %v, want ErrInvalidRequest", err)
			}
			for _, p := range tt.wantProblems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("Validate() = %q, want it to mention %q", err, p)
				}
			}
		})
	}
}

// TestRequestValidateBaseURL lists the base URLs that Validate refuses, and what its error
// says of each.
func TestRequestValidateBaseURL(t *testing.T) {
	refused := map[string]string{
		"":                              "baseURL is required",
		"apitest.vipps.no":              "baseURL must start with",
		"ftp://apitest.vipps.no":        "baseURL must start with",
		"https://":                      "baseURL has no host",
		"https://u:p@apitest.vipps.no":  "baseURL must not contain user information",
		"https://apitest.vipps.no/?x=1": "query or fragment",
		"https://[::1":                  "not a valid URL",
	}
	for baseURL, want := range refused {
		t.Run(baseURL, func(t *testing.T) {
			req := validRequest()
			req.BaseURL = baseURL
			err := req.Validate()
			if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), want) {
				t.Errorf("Validate() = %v, want ErrInvalidRequest mentioning %q", err, want)
			}
		})
	}
}

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		base      string
		tokenType TokenType
		want      string
	}{
		{TestBaseURL, TokenTypeStandard, "https://apitest.vipps.no/accesstoken/get"},
		{ProductionBaseURL, TokenTypePartner, "https://api.vipps.no/miami/v1/token"},
		{TestBaseURL + "/", TokenTypeLegacy, "https://apitest.vipps.no/api/access-token/jwt-token"},
		{"http://127.0.0.1:8090/fake/vipps/", TokenTypeStandard, "http://127.0.0.1:8090/fake/vipps/accesstoken/get"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			base, err := parseBaseURL(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			if got := endpointURL(base, tt.tokenType); got != tt.want {
				t.Errorf("endpointURL(%q, %s) = %q, want %q", tt.base, tt.tokenType, got, tt.want)
			}
		})
	}
}
