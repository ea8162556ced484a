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

package e2e

import (
	"strings"
	"testing"
	"time"
)

func TestDeliveries(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	secret := []SecretChange{
		{At: at(0), Fingerprint: "a", Expiry: at(90)},
		{At: at(45), Fingerprint: "b", Expiry: at(135)},
	}
	file := func(changes ...FileChange) []FileChange { return changes }
	seen := func(s int, fingerprint string, expiry int) FileChange {
		return FileChange{Seen: at(s), Fingerprint: fingerprint, Expiry: at(expiry).Unix()}
	}

	tests := []struct {
		name         string
		file         []FileChange
		until        time.Time
		wantDelays   []time.Duration
		wantProblems []string
	}{
		{
			name:       "each renewal reaches the file in time",
			file:       file(seen(2, "a", 90), seen(52, "b", 135)),
			until:      at(100),
			wantDelays: []time.Duration{7 * time.Second},
		},
		{
			name:         "a renewal reaches the file after the token before it expired",
			file:         file(seen(2, "a", 90), seen(95, "b", 135)),
			until:        at(100),
			wantDelays:   []time.Duration{50 * time.Second},
			wantProblems: []string{"reached the file 5s after", "held token a for 5s after it expired"},
		},
		{
			name:         "a renewal never reaches the file, and the token before expires",
			file:         file(seen(2, "a", 90)),
			until:        at(100),
			wantProblems: []string{"token b never reached the file", "held token a for 10s after it expired"},
		},
		{
			name:  "a renewal still on its way while the token before is valid",
			file:  file(seen(2, "a", 90)),
			until: at(50),
		},
		{
			name:         "the file could not be read",
			file:         file(FileChange{Seen: at(1), Error: "no such file"}, seen(2, "a", 90), seen(50, "b", 135)),
			until:        at(60),
			wantDelays:   []time.Duration{5 * time.Second},
			wantProblems: []string{"could not be read"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delivered, problems := Deliveries(secret, tt.file, tt.until)
			if len(delivered) != len(tt.wantDelays) {
				t.Fatalf("delivered %v, want delays %v", delivered, tt.wantDelays)
			}
			for i, d := range delivered {
				if d.Delay != tt.wantDelays[i] {
					t.Errorf("delay %d = %s, want %s", i, d.Delay, tt.wantDelays[i])
				}
			}
			if len(problems) != len(tt.wantProblems) {
				t.Fatalf("problems %q, want ones containing %q", problems, tt.wantProblems)
			}
			for i, want := range tt.wantProblems {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, problems[i], want)
				}
			}
		})
	}
}

func TestFingerprintHidesTheToken(t *testing.T) {
	token := []byte("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTU5ODYwMDB9.c2lnbmF0dXJl")
	got := Fingerprint(token)
	if len(got) != 16 || strings.Contains(string(token), got) || got == Fingerprint([]byte("another")) {
		t.Fatalf("Fingerprint = %q: want 16 hex characters that name the token without holding any of it", got)
	}
}
