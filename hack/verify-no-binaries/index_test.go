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
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCheckFindsTrackedBinariesAndLargeFiles builds a repository like the one this check was
// written for: source, a compiled program added next to it, a large data file, and a build
// output that is not tracked. Only what the index holds counts.
func TestCheckFindsTrackedBinariesAndLargeFiles(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := git(dir, args...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(path string, content []byte) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, content, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q")
	write("hack/demo/main.go", []byte("package main\n"))
	write("hack/demo/demo", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 2*headBytes)...))
	write("testdata/big.json", bytes.Repeat([]byte("0"), maxBytes+1))
	write("testdata/limit.json", bytes.Repeat([]byte("0"), maxBytes))
	write("untracked/tool", []byte("\x7fELF\x02\x01\x01"))
	run("add", "hack", "testdata")

	problems := checkRepository(t, dir)
	want := []string{
		"hack/demo/demo: ELF executable",
		"testdata/big.json: 1048577 bytes, over the limit of 1048576",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("before untracking, check = %q, want %q", problems, want)
	}

	// The fix the check asks for: untrack both. The binary stays on disk, as a build output would.
	run("rm", "-q", "--cached", "hack/demo/demo", "testdata/big.json")
	if problems := checkRepository(t, dir); len(problems) != 0 {
		t.Errorf("after untracking, check = %q, want nothing", problems)
	}
}

func checkRepository(t *testing.T, dir string) []string {
	t.Helper()
	files, err := readIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("readIndex found no file")
	}
	return check(files)
}
