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

package controller

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestNewEndpointAllowList(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		want    []string
		wantErr string // the start of the error, "" for none
	}{
		{"the defaults", DefaultAllowedEndpoints, []string{"https://apitest.vipps.no", "https://api.vipps.no"}, ""},
		{"none", nil, nil, ""},
		{"normalised", []string{"HTTPS://Vipps-Proxy.Example.com/vipps/"}, []string{"https://vipps-proxy.example.com/vipps"}, ""},
		{"not http", []string{vippsProxy, "ftp://files.example.com"}, nil, `allowed endpoint "ftp://files.example.com": `},
		{"query", []string{"https://proxy.example.com?debug=1"}, nil, `allowed endpoint "https://proxy.example.com?debug=1": `},
		{"no host", []string{"https:///vipps"}, nil, `allowed endpoint "https:///vipps": `},
		{"unparsable", []string{"https://proxy example.com"}, nil, `allowed endpoint "https://proxy example.com": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewEndpointAllowList(tt.entries)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("NewEndpointAllowList(%q) error = %v, want one starting %q", tt.entries, err, tt.wantErr)
			}
			if !slices.Equal(got.allowed, tt.want) {
				t.Errorf("NewEndpointAllowList(%q) allows %q, want %q", tt.entries, got.allowed, tt.want)
			}
		})
	}
}

const vippsProxy = "https://vipps-proxy.example.com/vipps"

func TestBaseURL(t *testing.T) {
	list, err := NewEndpointAllowList(append([]string{vippsProxy}, DefaultAllowedEndpoints...))
	if err != nil {
		t.Fatal(err)
	}
	test, production := tokensv1alpha1.EnvironmentTest, tokensv1alpha1.EnvironmentProduction
	tests := []struct {
		name        string
		list        EndpointAllowList
		environment tokensv1alpha1.Environment
		endpoint    string
		want        string // "" when the endpoint is not allowed
	}{
		{"Test", list, test, "", "https://apitest.vipps.no"},
		{"Production", list, production, "", "https://api.vipps.no"},
		{"no environment: Test", list, "", "", "https://apitest.vipps.no"},
		{"Production with an empty allow-list", EndpointAllowList{}, production, "", "https://api.vipps.no"},
		{"allowed override", list, production, vippsProxy, vippsProxy},
		{"allowed override, trailing slash and case", list, test, "HTTPS://VIPPS-PROXY.example.com/vipps/", vippsProxy},
		{"the override wins over the environment", list, test, "https://api.vipps.no", "https://api.vipps.no"},
		{"override not in the allow-list", list, production, "https://evil.example.com", ""},
		{"another path on an allowed host", list, production, "https://vipps-proxy.example.com/other", ""},
		{"another scheme of an allowed host", list, production, "http://vipps-proxy.example.com/vipps", ""},
		{"allowed override with credentials", list, production, "https://user:pw@vipps-proxy.example.com/vipps", ""},
		{"allowed override with a query", list, production, vippsProxy + "?x=1", ""},
		{"empty allow-list", EndpointAllowList{}, production, vippsProxy, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.list.baseURL(&tokensv1alpha1.VippsTokenSpec{TokenSettings: tokensv1alpha1.TokenSettings{Environment: tt.environment, Endpoint: tt.endpoint}})
			if got != tt.want {
				t.Errorf("baseURL() = %q, want %q", got, tt.want)
			}
			switch {
			case tt.want != "" && err != nil:
				t.Errorf("baseURL() error = %v", err)
			case tt.want == "" && !errors.Is(err, errEndpointNotAllowed):
				t.Errorf("baseURL() error = %v, want errEndpointNotAllowed", err)
			case tt.want == "" && !strings.Contains(err.Error(), "spec.endpoint "+tt.endpoint+" "):
				t.Errorf("baseURL() error = %q, want it to name spec.endpoint %s", err, tt.endpoint)
			}
		})
	}
}
