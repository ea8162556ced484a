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
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

func TestCapVerbosity(t *testing.T) {
	tests := []struct {
		flags      []string
		wantCapped bool
		// wantMax is the highest logr verbosity enabled after the cap, -1 for none.
		wantMax int
	}{
		{flags: nil, wantMax: 0},
		{flags: []string{"--zap-log-level=info"}, wantMax: 0},
		{flags: []string{"--zap-devel"}, wantMax: 1},
		{flags: []string{"--zap-log-level=debug"}, wantMax: 1},
		{flags: []string{"--zap-log-level=5"}, wantMax: 5},
		{flags: []string{"--zap-log-level=6"}, wantCapped: true, wantMax: 5},
		{flags: []string{"--zap-log-level=10"}, wantCapped: true, wantMax: 5},
		{flags: []string{"--zap-devel", "--zap-log-level=10"}, wantCapped: true, wantMax: 5},
		{flags: []string{"--zap-log-level=error"}, wantMax: -1},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		opts := zap.Options{}
		opts.BindFlags(fs)
		if err := fs.Parse(tt.flags); err != nil {
			t.Fatal(err)
		}
		if capped := capVerbosity(&opts); capped != tt.wantCapped {
			t.Errorf("%v: capped %t, want %t", tt.flags, capped, tt.wantCapped)
		}
		log := zap.New(zap.UseFlagOptions(&opts), zap.WriteTo(io.Discard))
		for v := 0; v <= 10; v++ {
			if enabled := log.V(v).Enabled(); enabled != (v <= tt.wantMax) {
				t.Errorf("%v: V(%d) enabled %t, want %t", tt.flags, v, enabled, v <= tt.wantMax)
			}
		}
	}
}
