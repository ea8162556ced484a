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
	"encoding/json"
	"math"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		raw         string // "" means the field is absent
		want        int64
		wantPresent bool
		wantErr     bool
	}{
		{raw: "", wantPresent: false},
		{raw: "null", wantPresent: false},
		{raw: `""`, wantPresent: false},
		{raw: `"  "`, wantPresent: false},
		{raw: "3600", want: 3600, wantPresent: true},
		{raw: `"3600"`, want: 3600, wantPresent: true},
		{raw: `" 86398 "`, want: 86398, wantPresent: true},
		{raw: "-5", want: -5, wantPresent: true},
		{raw: `"0"`, want: 0, wantPresent: true},
		{raw: "3599.9", want: 3599, wantPresent: true},
		{raw: "1.5e3", want: 1500, wantPresent: true},
		{raw: `"1e400"`, want: math.MaxInt64, wantPresent: true},
		{raw: "-1e400", want: math.MinInt64, wantPresent: true},
		{raw: "99999999999999999999", want: math.MaxInt64, wantPresent: true},
		{raw: `"abc"`, wantErr: true},
		{raw: `"0x10"`, wantErr: true},
		{raw: `"Inf"`, wantErr: true},
		{raw: `"NaN"`, wantErr: true},
		{raw: `"1_000"`, wantErr: true},
		{raw: `"+5"`, wantErr: true},
		{raw: "true", wantErr: true},
		{raw: "[1]", wantErr: true},
		{raw: `{"n":1}`, wantErr: true},
		{raw: `"\u0031"`, want: 1, wantPresent: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, present, err := parseNumber(json.RawMessage(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseNumber(%s) error = %v, wantErr %t", tt.raw, err, tt.wantErr)
			}
			if got != tt.want || present != tt.wantPresent {
				t.Errorf("parseNumber(%s) = %d, %t; want %d, %t", tt.raw, got, present, tt.want, tt.wantPresent)
			}
		})
	}
}
