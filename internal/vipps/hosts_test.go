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

import "testing"

func TestNormaliseBaseURL(t *testing.T) {
	tests := []struct {
		raw, want string // want "" when raw is refused
	}{
		{"https://api.vipps.no", "https://api.vipps.no"},
		{"https://api.vipps.no/", "https://api.vipps.no"},
		{"HTTPS://API.Vipps.NO//", "https://api.vipps.no"},
		{"http://vipps-proxy.payments.svc:8080/", "http://vipps-proxy.payments.svc:8080"},
		{"https://Proxy.Example.com/Vipps/", "https://proxy.example.com/Vipps"},
		{"ftp://api.vipps.no", ""},
		{"api.vipps.no", ""},
		{"https://", ""},
		{"https://user:password@proxy.example.com", ""},
		{"https://proxy.example.com/?x=1", ""},
		{"https://proxy.example.com/#top", ""},
		{"https://proxy.example.com/?", ""},
		{"://missing-scheme", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := NormaliseBaseURL(tt.raw)
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Errorf("NormaliseBaseURL(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
			}
		})
	}
}
