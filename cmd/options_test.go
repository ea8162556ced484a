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

package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		flags   []string
		wantErr string // empty for valid flags
	}{
		{nil, ""},
		{[]string{"--kube-api-qps=0"}, ""},
		{[]string{"--kube-api-qps=50", "--kube-api-burst=100"}, ""},
		{[]string{"--kube-api-qps=-1"}, "--kube-api-qps must be positive, or 0 for no limit"},
		{[]string{"--kube-api-qps=50", "--kube-api-burst=0"}, "--kube-api-burst at least 1"},
		{[]string{"--vipps-rate-limit=0"}, "--vipps-rate-limit must be positive"},
		{[]string{"--max-concurrent-reconciles=0"}, "--max-concurrent-reconciles must be at least 1"},
		{[]string{"--namespaces=a,b", "--cluster-resource-namespace=c"}, "--namespaces must include"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			var o options
			fs := flag.NewFlagSet("manager", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			o.bind(fs)
			if err := fs.Parse(tt.flags); err != nil {
				t.Fatal(err)
			}
			err := o.validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("validate() = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("validate() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
