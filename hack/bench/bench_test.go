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
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchmarkSmoke runs the cold start and the steady state with a few VippsTokens and
// checks behaviour only: one Vipps call per VippsToken, nothing called or written while
// nothing changes, and the outputs written. Timings are never asserted.
func TestBenchmarkSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two control planes and the manager")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	opts := options{}
	opts.bind(fs)
	if err := fs.Parse([]string{
		"--n=20", "--namespaces=2", "--scenarios=coldstart,steady", "--steady-window=5s",
		"--json=" + filepath.Join(dir, "results.json"), "--docs=" + filepath.Join(dir, "benchmarks.md"),
	}); err != nil {
		t.Fatal(err)
	}
	if err := opts.complete(); err != nil {
		t.Fatal(err)
	}

	var progress bytes.Buffer
	res, err := run(ctx, opts, &progress)
	if err != nil {
		t.Fatalf("bench failed: %v\n%s", err, progress.String())
	}
	if res.ColdStart == nil || res.Baseline == nil || res.Steady == nil {
		t.Fatalf("missing results: %+v", res)
	}
	if res.ColdStart.VippsCalls != 20 {
		t.Errorf("cold start: %d Vipps calls, want 20", res.ColdStart.VippsCalls)
	}
	if res.Baseline.VippsCalls != 20 {
		t.Errorf("baseline: %d Vipps calls, want 20", res.Baseline.VippsCalls)
	}
	if res.Steady.VippsCalls != 0 || res.Steady.Writes != 0 {
		t.Errorf("steady state: %d Vipps calls and %v writes (%s), want none",
			res.Steady.VippsCalls, res.Steady.Writes, res.Steady.Requests)
	}
	if res.ColdStart.Requests["POST"] < 20 || res.ColdStart.PeakRSSBytes <= 0 {
		t.Errorf("cold start: requests %s, peak RSS %d: the manager's metrics or memory were not read",
			res.ColdStart.Requests, res.ColdStart.PeakRSSBytes)
	}

	var out bytes.Buffer
	if err := writeOutputs(res, opts, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "operator / baseline") {
		t.Errorf("the table has no ratio:\n%s", out.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	doc, err := os.ReadFile(filepath.Join(dir, "benchmarks.md"))
	if err != nil || !strings.Contains(string(doc), sectionStart(20)) {
		t.Errorf("benchmarks.md has no section for N=20 (%v):\n%s", err, doc)
	}
}

// TestUpdateDocsKeepsOtherSections checks that a run replaces only its own N's section.
func TestUpdateDocsKeepsOtherSections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	for _, n := range []int{5000, 1000, 5000} {
		if err := updateDocs(path, &results{N: n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, append(must(os.ReadFile(path)), "Notes by hand.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := updateDocs(path, &results{N: 1000}); err != nil {
		t.Fatal(err)
	}
	doc := string(must(os.ReadFile(path)))
	for _, want := range []string{"# Benchmarks", "Notes by hand.", sectionStart(1000), sectionStart(5000)} {
		if strings.Count(doc, want) != 1 {
			t.Errorf("want %q once in:\n%s", want, doc)
		}
	}
	if strings.Index(doc, sectionStart(1000)) > strings.Index(doc, sectionStart(5000)) {
		t.Errorf("sections out of order:\n%s", doc)
	}
}

// TestFlagDefaults reads defaults the way Go's flag package prints them.
func TestFlagDefaults(t *testing.T) {
	help := "Usage of manager:\n  -kube-api-qps float\n    \tRequests per second. (default 50)\n" +
		"  -leader-elect\n    \tElect a leader.\n  -leader-election-id string\n    \tThe Lease. (default \"x.dev\")\n"
	got := flagDefaults(help)
	if got["kube-api-qps"] != "50" || got["leader-election-id"] != "x.dev" || len(got) != 2 {
		t.Errorf("flagDefaults = %v", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
