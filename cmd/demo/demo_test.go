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
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestDemoRunsUntilTheFirstRenewal runs the demo as make demo does, in the mode that exits
// after the first renewal, and checks what a new user would see and what is left behind.
func TestDemoRunsUntilTheFirstRenewal(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo waits for a renewal")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var out bytes.Buffer
	err := run(ctx, options{exitAfterRenewal: true, lifetime: 45 * time.Second}, &out)
	printed := out.String()
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, printed)
	}

	for _, want := range []string{
		"export KUBECONFIG=",
		"webshop", "partner-reports", "TokenValid",
		"Secret vipps-token: access-token=",
		"Renewed: Secret",
	} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("the demo did not print %q:\n%s", want, printed)
		}
	}
	if regexp.MustCompile(`eyJ[A-Za-z0-9_-]{20,}`).MatchString(printed) {
		t.Errorf("the demo printed a whole token:\n%s", printed)
	}

	pid := regexp.MustCompile(`runs as process (\d+)`).FindStringSubmatch(printed)
	if pid == nil {
		t.Fatalf("the demo did not say which process the operator is:\n%s", printed)
	}
	if _, err := os.Stat("/proc/" + pid[1]); err == nil {
		n, _ := strconv.Atoi(pid[1])
		t.Errorf("the operator (process %d) is still running after the demo ended", n)
	}
}
