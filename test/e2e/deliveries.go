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

// Package e2e holds the end-to-end suite (its files build with the tag e2e; `make e2e` runs
// them) and what the suite and its workload image share: the workload's observations of the
// token file, and the judgement of whether every renewal reached the file in time.
package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Fingerprint names a token without revealing it: the first 8 bytes of its SHA-256, in hex.
func Fingerprint(token []byte) string {
	sum := sha256.Sum256(token)
	return hex.EncodeToString(sum[:8])
}

// FileChange is one line of the workload's output (test/e2e/images/reader): the token file's
// content changed, or could not be read.
type FileChange struct {
	Seen        time.Time `json:"seen"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	// Expiry is the exp claim of the token in the file, in Unix seconds.
	Expiry int64  `json:"exp,omitempty"`
	Error  string `json:"error,omitempty"`
}

// SecretChange is a new token in the target Secret, as a watch of the API server saw it.
type SecretChange struct {
	At          time.Time
	Fingerprint string
	Expiry      time.Time
}

// Delivery is how a renewed token travelled from the target Secret to the workload's file.
type Delivery struct {
	Fingerprint string
	// Delay is from the Secret's change to the workload's first read of the new token.
	Delay time.Duration
	// Margin is how long before the previous token expired the new one reached the file.
	Margin time.Duration
}

// Deliveries follows each renewal (every Secret change after the first) into the file, and
// returns what went wrong: a renewal that never reached the file, one that reached it after
// the token it replaced had expired, and any time the file held an expired token or could not
// be read. until is when the workload's output was read.
func Deliveries(secret []SecretChange, file []FileChange, until time.Time) (delivered []Delivery, problems []string) {
	firstSeen := map[string]time.Time{}
	for _, f := range file {
		if f.Fingerprint != "" {
			if _, ok := firstSeen[f.Fingerprint]; !ok {
				firstSeen[f.Fingerprint] = f.Seen
			}
		}
	}
	for i := 1; i < len(secret); i++ {
		renewed, previous := secret[i], secret[i-1]
		seen, ok := firstSeen[renewed.Fingerprint]
		if !ok {
			if until.After(previous.Expiry) {
				problems = append(problems, fmt.Sprintf("token %s never reached the file, and the one before expired at %s",
					renewed.Fingerprint, previous.Expiry.Format(time.RFC3339)))
			}
			continue
		}
		d := Delivery{Fingerprint: renewed.Fingerprint, Delay: seen.Sub(renewed.At), Margin: previous.Expiry.Sub(seen)}
		if d.Margin <= 0 {
			problems = append(problems, fmt.Sprintf("token %s reached the file %s after the one before expired",
				d.Fingerprint, -d.Margin))
		}
		delivered = append(delivered, d)
	}
	return delivered, append(problems, expiredInFile(file, until)...)
}

// expiredInFile reports each time the file held a token past its expiry: a token is held from
// the read that saw it until the next change, or until the output was read.
func expiredInFile(file []FileChange, until time.Time) []string {
	var problems []string
	for i, f := range file {
		if f.Error != "" {
			problems = append(problems, fmt.Sprintf("the file could not be read at %s: %s",
				f.Seen.Format(time.RFC3339), f.Error))
			continue
		}
		held := until
		if i+1 < len(file) {
			held = file[i+1].Seen
		}
		if expiry := time.Unix(f.Expiry, 0); held.After(expiry) {
			problems = append(problems, fmt.Sprintf("the file held token %s for %s after it expired",
				f.Fingerprint, held.Sub(expiry)))
		}
	}
	return problems
}
