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
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDistributionOf(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Millisecond
	}
	for _, tt := range []struct {
		values []time.Duration
		want   string
	}{
		{nil, "-"},
		{[]time.Duration{300e6, 100e6, 200e6, 400e6}, "p50 0.20s, p99 0.40s, max 0.40s"}, // nearest rank
		{hundred, "p50 0.05s, p99 0.10s, max 0.10s"},
		{[]time.Duration{12345e6, 9999e6}, "p50 10.00s, p99 12.3s, max 12.3s"}, // tenths from 10 s
	} {
		if got := distributionOf(tt.values).String(); got != tt.want {
			t.Errorf("distributionOf(%v) = %q, want %q", tt.values, got, tt.want)
		}
	}
}

func TestRequestsAndSettings(t *testing.T) {
	delta := requests{"GET": 12, "PATCH": 5, "POST": 3, "PUT": 1, "DELETE": 1}.minus(requests{"GET": 10, "PATCH": 5})
	if got, want := delta.String(), "DELETE 1, GET 2, POST 3, PUT 1"; got != want || delta.writes() != 5 {
		t.Errorf("minus: %q with %v writes, want %q with 5", got, delta.writes(), want)
	}
	if s, err := settingsOf([]string{"--kube-api-qps=120", "--zap-log-level=debug"}); err != nil || s.KubeAPIQPS != 120 ||
		s.KubeAPIBurst != 100 {
		t.Errorf("settingsOf = %+v, %v; want the defaults but for the QPS", s, err)
	}
}

// TestPrint checks the one rendering: by scenario number, each scenario named once, the
// goals marked, the histogram scaled to its peak.
func TestPrint(t *testing.T) {
	res := &results{header: "N=2", histogram: []int{1, 0, 2}}
	res.add("2. steady state (60.0s)", "API requests by verb", requests{"GET": 3})
	res.goal("1. cold start (N=2)", "Vipps calls", 2, "= 2", true)
	res.add("1. cold start (N=2)", "peak RSS", size(60<<20))
	res.goal("4. renewal wave", "lateness", distributionOf([]time.Duration{2 * time.Second}), "p99 < 1s", false)
	var out bytes.Buffer
	res.print(&out)
	var got []string
	for line := range strings.Lines(out.String()) {
		got = append(got, strings.Join(strings.Fields(line), " "))
	}
	want := []string{"", "N=2", "", "SCENARIO FIGURE VALUE GOAL",
		"1. cold start (N=2) Vipps calls 2 = 2 met",
		"peak RSS 60.0 MiB",
		"2. steady state (60.0s) API requests by verb GET 3",
		"4. renewal wave lateness p50 2.00s, p99 2.00s, max 2.00s p99 < 1s MISSED",
		"", "Renewals per 5.00s from the start of the watch (4. renewal wave):",
		"0s 1 #########################", "5s 0", "10s 2 ##################################################",
	}
	if !slices.Equal(got, want) {
		t.Errorf("printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBenchmarkSmoke runs the cold start, its baseline and the steady state with a few
// VippsTokens and checks behaviour only: one Vipps call per VippsToken, nothing called or
// written while nothing changes, the manager's metrics and memory read. Timings are never
// asserted.
func TestBenchmarkSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two control planes and the manager")
	}
	opts := options{n: 20, scenarios: []string{"coldstart", "steady"}, steadyWindow: 5 * time.Second}
	res, out := runBench(t, opts, 3*time.Minute)
	var got []string // the goals but the timed one, and what was read, any number as #
	for _, f := range res.figures {
		switch {
		case f.name == "API requests by verb" || f.name == "peak RSS":
			got = append(got, f.name+" "+regexp.MustCompile(`[1-9][\d.]*`).ReplaceAllString(f.value, "#"))
		case f.goal != "" && f.name != "operator / baseline":
			got = append(got, f.goalLine())
		}
	}
	want := []string{"Vipps calls 20 = 20 met", "API requests by verb GET #, PATCH #, POST #", "peak RSS # MiB",
		"Vipps calls 0 = 0 met", "API writes 0 = 0 met", "API requests by verb none", "baseline: Vipps calls 20 = 20 met"}
	expectLines(t, "figures", got, want, out)
}

// TestFanOutSmoke runs the fan-out alone over a few namespaces and checks behaviour only: no
// other scenario runs, one Vipps call serves every namespace, first and at the renewal, and
// the renewal writes the source and each target once.
func TestFanOutSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a control plane and the manager, and waits for a renewal of a 60-s token")
	}
	opts := options{n: 1, fanOutNamespaces: 5, scenarios: []string{"fanout"}}
	res, out := runBench(t, opts, 4*time.Minute)
	var got []string
	for _, f := range res.figures {
		if !strings.HasPrefix(f.scenario, "7. fan-out") {
			t.Errorf("a figure of another scenario: %s: %s", f.scenario, f.name)
		}
		if f.goal != "" {
			got = append(got, f.goalLine())
		}
	}
	want := []string{"Vipps calls until then 1 = 1 met", "Vipps calls per renewal 1 = 1 met",
		"Secret writes per renewal (seen by the watch) 6 = 6 met"}
	expectLines(t, "goals", got, want, out)
}

// runBench runs the benchmark with opts, as main does but within timeout, and returns its
// results and all it wrote: the progress, then the table. It stops the test if the run
// fails, with that output, since the progress says how far it came.
func runBench(t *testing.T, opts options, timeout time.Duration) (*results, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	var out bytes.Buffer
	res, err := run(ctx, opts, &out)
	if res != nil {
		res.print(&out)
	}
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	return res, out.String()
}

// goalLine is a figure with a goal as the smoke tests compare it: name, value, goal and
// whether it was met, on one line.
func (f figure) goalLine() string {
	return strings.Join([]string{f.name, f.value, f.goal, f.status}, " ")
}

// expectLines fails the test unless got is want, line for line; the message shows both, what
// they are, and the benchmark's output, where the figures come from.
func expectLines(t *testing.T, what string, got, want []string, output string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s\n%s\nwant\n%s\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"), output)
	}
}
