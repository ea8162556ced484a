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
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Goals, as ratios and counts; timed figures are reported, not asserted.
const (
	goalColdStartRatio = 1.5
	goalRSSRatio       = 1.2
	goalLatenessP99    = time.Second
)

// results is everything one run measured, as written to JSON.
type results struct {
	Date          string            `json:"date"`
	Machine       machine           `json:"machine"`
	N             int               `json:"n"`
	Scenarios     []string          `json:"scenarios"`
	OperatorFlags []string          `json:"operatorFlags"`
	Settings      managerSettings   `json:"managerSettings"`
	ColdStart     *coldStartResult  `json:"coldStart,omitempty"`
	Baseline      *coldStartResult  `json:"baseline,omitempty"`
	Steady        *steadyResult     `json:"steadyState,omitempty"`
	Restart       *restartResult    `json:"restart,omitempty"`
	Renewal       *renewalResult    `json:"renewalWave,omitempty"`
	BigCluster    *bigClusterResult `json:"bigCluster,omitempty"`
	Outage        *outageResult     `json:"outage,omitempty"`
	// ColdStartRatio is the operator's cold start over the baseline's (time to the last target).
	ColdStartRatio float64 `json:"coldStartRatio,omitempty"`
	// RSSRatio is the big cluster's peak RSS over scenario 1's.
	RSSRatio float64 `json:"bigClusterRSSRatio,omitempty"`
	// MiBPer1000Tokens is the cold start's peak RSS above the idle manager's, per 1000 VippsTokens.
	MiBPer1000Tokens float64 `json:"mibPer1000Tokens,omitempty"`
	Goals            []row   `json:"goals"`
}

func newResults(opts options, mgr manager) *results {
	return &results{
		Date: time.Now().UTC().Format(time.RFC3339), Machine: thisMachine(), N: opts.n,
		Scenarios: opts.scenarios, OperatorFlags: append([]string{}, opts.operatorFlags...), Settings: mgr.settings,
	}
}

// finish derives the ratios and checks the goals.
func (r *results) finish() {
	if r.ColdStart != nil && r.Baseline != nil && r.Baseline.Total > 0 {
		r.ColdStartRatio = float64(r.ColdStart.Total) / float64(r.Baseline.Total)
	}
	if r.ColdStart != nil && r.ColdStart.PeakRSSBytes > 0 {
		r.MiBPer1000Tokens = mib(r.ColdStart.PeakRSSBytes-r.ColdStart.IdleRSSBytes) / float64(r.N) * 1000
		if r.BigCluster != nil && r.BigCluster.ColdStart != nil {
			r.RSSRatio = float64(r.BigCluster.ColdStart.PeakRSSBytes) / float64(r.ColdStart.PeakRSSBytes)
		}
	}
	r.Goals = nil
	for _, row := range r.rows() {
		if row.Goal != "" {
			r.Goals = append(r.Goals, row)
		}
	}
}

// row is one line of the table: a figure, and the goal it is held to if any.
type row struct {
	Scenario string `json:"scenario"`
	Figure   string `json:"figure"`
	Value    string `json:"value"`
	Goal     string `json:"goal,omitempty"`
	Status   string `json:"status,omitempty"`
}

func check(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

func (r *results) rows() []row {
	var rows []row
	add := func(scenario, figure, value, goal string, met ...bool) {
		status := ""
		if len(met) > 0 {
			status = check(met[0])
		}
		rows = append(rows, row{scenario, figure, value, goal, status})
	}
	if c := r.ColdStart; c != nil {
		name := fmt.Sprintf("1. cold start (N=%d)", r.N)
		add(name, "creating the VippsTokens", c.Creating.String(), "")
		add(name, "until the last target is populated", c.Total.String(), "")
		add(name, "until every VippsToken is Ready", c.AllReady.String(), "")
		add(name, "creation -> populated target", c.Latency.String(), "")
		if b := r.Baseline; b != nil {
			add(name, "baseline: until the last target", b.Total.String(), "")
			add(name, "baseline: creation -> populated target", b.Latency.String(), "")
			add(name, "operator / baseline", fmt.Sprintf("%.2f", r.ColdStartRatio),
				fmt.Sprintf("<= %.1f", goalColdStartRatio), r.ColdStartRatio <= goalColdStartRatio)
		}
		add(name, "Vipps calls", fmt.Sprint(c.VippsCalls), fmt.Sprintf("= %d", r.N), c.VippsCalls == r.N)
		add(name, "API requests by verb", c.Requests.String(), "")
		add(name, "writes settled after", c.Settled.String(), "")
		add(name, "peak RSS (idle before creation)",
			fmt.Sprintf("%.1f MiB (%.1f MiB)", mib(c.PeakRSSBytes), mib(c.IdleRSSBytes)), "")
		if c.LiveHeapBytes > 0 {
			add(name, "live heap when settled", fmt.Sprintf("%.1f MiB", mib(c.LiveHeapBytes)), "")
		}
		add(name, "peak RSS above idle, MiB per 1000 VippsTokens", fmt.Sprintf("%.1f", r.MiBPer1000Tokens), "")
	}
	if s := r.Steady; s != nil {
		name := fmt.Sprintf("2. steady state (%s)", s.Window)
		add(name, "Vipps calls", fmt.Sprint(s.VippsCalls), "= 0", s.VippsCalls == 0)
		add(name, "API writes", fmt.Sprint(s.Writes), "= 0", s.Writes == 0)
		add(name, "API requests by verb", s.Requests.String(), "")
	}
	if s := r.Restart; s != nil {
		name := fmt.Sprintf("3. restart (kill -9, %s down)", s.Downtime)
		if s.InWave {
			name = fmt.Sprintf("3. restart (kill -9, %s down, in the renewal wave)", s.Downtime)
		}
		add(name, "until every VippsToken is re-verified", s.Reverified.String(), "")
		if s.InWave {
			add(name, "targets expired after the restart", fmt.Sprint(s.ExpiredAfter), "= 0", s.ExpiredAfter == 0)
			add(name, "until every target is fresh (renewal time passed <= 1 s)", s.UntilFresh.String(), "")
			// Renewals go on: calls and writes are theirs.
			add(name, "Vipps calls", fmt.Sprint(s.VippsCalls), "")
			add(name, "API writes", fmt.Sprint(s.Writes), "")
		} else {
			add(name, "Vipps calls", fmt.Sprint(s.VippsCalls), "= 0", s.VippsCalls == 0)
			add(name, "API writes", fmt.Sprint(s.Writes), "= 0", s.Writes == 0)
		}
		add(name, "API requests by verb", s.Requests.String(), "")
		add(name, "peak RSS", fmt.Sprintf("%.1f MiB", mib(s.PeakRSSBytes)), "")
	}
	if s := r.Renewal; s != nil {
		r.renewalRows(s, add)
	}
	if b := r.BigCluster; b != nil && b.ColdStart != nil {
		name := fmt.Sprintf("5. big cluster (+%d Secrets of %d B)", b.UnrelatedSecrets, b.UnrelatedBytes)
		c := b.ColdStart
		add(name, "until the last target is populated", c.Total.String(), "")
		add(name, "Vipps calls", fmt.Sprint(c.VippsCalls), fmt.Sprintf("= %d", r.N), c.VippsCalls == r.N)
		add(name, "peak RSS (idle before creation)",
			fmt.Sprintf("%.1f MiB (%.1f MiB)", mib(c.PeakRSSBytes), mib(c.IdleRSSBytes)), "")
		if r.RSSRatio > 0 {
			add(name, "peak RSS / scenario 1's", fmt.Sprintf("%.2f", r.RSSRatio),
				fmt.Sprintf("<= %.1f", goalRSSRatio), r.RSSRatio <= goalRSSRatio)
		}
	}
	if o := r.Outage; o != nil {
		r.outageRows(o, add)
	}
	return rows
}

func (r *results) outageRows(o *outageResult, add func(string, string, string, string, ...bool)) {
	name := fmt.Sprintf("6. Vipps outage (%s tokens, every request 503 for %s)", o.Lifetime, o.Duration)
	add(name, "host marked down after the start", o.DownAfter.String(), "")
	add(name, "token requests during the outage", fmt.Sprint(o.Requests),
		fmt.Sprintf("<= %d", goalOutageRequests), o.Requests <= goalOutageRequests)
	add(name, "targets expired during the outage", fmt.Sprint(o.ExpiredDuring), "")
	add(name, "until every target is fresh after the outage", o.UntilFresh.String(),
		fmt.Sprintf("<= %s", seconds(goalOutageRecovery)), time.Duration(o.UntilFresh) <= goalOutageRecovery)
	add(name, "token requests until then", fmt.Sprint(o.RecoveryRequests), "")
	add(name, "avoidable renewals after expiry (expired after the outage)", fmt.Sprint(o.AvoidablyLate), "= 0",
		o.AvoidablyLate == 0)
	add(name, "API requests by verb", o.APIRequests.String(), "")
	add(name, "peak RSS", fmt.Sprintf("%.1f MiB", mib(o.PeakRSSBytes)), "")
}

func (r *results) renewalRows(s *renewalResult, add func(string, string, string, string, ...bool)) {
	name := fmt.Sprintf("4. renewal wave (%s tokens, %s)", s.Lifetime, s.Window)
	add(name, "refreshing all to short-lived tokens", s.Refreshing.String(), "")
	add(name, "renewals", fmt.Sprintf("%d (%.1f/s)", s.Renewals, s.RenewalsPerSecond), "")
	add(name, "renewals after the old token expired", fmt.Sprint(s.AfterExpiry), "= 0", s.AfterExpiry == 0)
	add(name, "overdue at the end (renewal time passed > 1 s)", fmt.Sprint(s.Overdue), "")
	add(name, "lateness against status.renewalTime", s.Lateness.String(),
		fmt.Sprintf("p99 < %s", goalLatenessP99), s.Lateness.Count > 0 && time.Duration(s.Lateness.P99) < goalLatenessP99)
	add(name, "renewals over time (jitter's spread)", "histogram below the table", "")
	add(name, "Vipps calls", fmt.Sprint(s.VippsCalls), "")
	add(name, "API requests by verb", s.Requests.String(), "")
	add(name, "peak RSS", fmt.Sprintf("%.1f MiB", mib(s.PeakRSSBytes)), "")
}

func (r requests) String() string {
	if len(r) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(r))
	for _, verb := range slices.Sorted(maps.Keys(r)) {
		parts = append(parts, fmt.Sprintf("%s %.0f", verb, r[verb]))
	}
	return strings.Join(parts, ", ")
}

// printTable prints the rows for a terminal.
func (r *results) printTable(out io.Writer) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintf(w, "SCENARIO\tFIGURE\tVALUE\tGOAL\t\n")
	last := ""
	for _, row := range r.rows() {
		scenario := row.Scenario
		if scenario == last {
			scenario = ""
		}
		last = row.Scenario
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", scenario, row.Figure, row.Value, row.Goal, row.Status)
	}
	_ = w.Flush()
	if r.Renewal != nil {
		_, _ = fmt.Fprintf(out, "\n%s", r.Renewal.histogramText())
	}
}

// histogramText draws the renewals per bucket of the renewal wave, one line per bucket.
func (s *renewalResult) histogramText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Renewals per %s from the start of the watch (4. renewal wave):\n", s.HistogramBucket)
	peak := slices.Max(append([]int{1}, s.Histogram...))
	for i, n := range s.Histogram {
		fmt.Fprintf(&b, "  %4ds %5d %s\n", i*int(time.Duration(s.HistogramBucket)/time.Second), n,
			strings.Repeat("#", (n*50+peak-1)/peak))
	}
	return b.String()
}

// markdownTable renders the rows as a Markdown table.
func (r *results) markdownTable() string {
	var b strings.Builder
	b.WriteString("| scenario | figure | value | goal | |\n|---|---|---|---|---|\n")
	last := ""
	for _, row := range r.rows() {
		scenario := row.Scenario
		if scenario == last {
			scenario = ""
		}
		last = row.Scenario
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", scenario, row.Figure, row.Value, row.Goal, row.Status)
	}
	if r.Renewal != nil {
		fmt.Fprintf(&b, "\n```\n%s```\n", r.Renewal.histogramText())
	}
	return b.String()
}

// writeOutputs prints the table and writes the JSON and the Markdown.
func writeOutputs(res *results, opts options, out io.Writer) error {
	_, _ = fmt.Fprintf(out, "\nN=%d on %d CPUs (%s), %.1f GiB, %s; load %s\nmanager: %s\n\n",
		res.N, res.Machine.CPUs, res.Machine.CPUModel, res.Machine.MemoryGiB, res.Machine.GoVersion,
		res.Machine.LoadAverage, res.Settings)
	res.printTable(out)
	if path := opts.jsonFile(); path != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			return err
		}
		_, _ = fmt.Fprintf(out, "\nWrote %s\n", path)
	}
	if path := opts.docsFile(); path != "" {
		if err := updateDocs(path, res); err != nil {
			return err
		}
		_, _ = fmt.Fprintf(out, "Wrote %s\n", path)
	}
	return nil
}
