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
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// results is what one run measured: the table's figures and the renewal histogram.
type results struct {
	header    string // where and how it ran
	figures   []figure
	histogram []int // the renewal wave's renewals per histogramBucket of its watch
}

// figure is one line of the table: a scenario's figure, and the goal it is held to if any.
type figure struct {
	scenario, name, value string // the scenario is "<number>. <name> (<conditions>)"
	goal, status          string // status is met or MISSED
}

func (r *results) add(scenario, name string, value any) {
	r.figures = append(r.figures, figure{scenario: scenario, name: name, value: fmt.Sprint(value)})
}

func (r *results) goal(scenario, name string, value any, goal string, met bool) {
	r.add(scenario, name, value)
	f := &r.figures[len(r.figures)-1]
	f.goal, f.status = goal, "MISSED"
	if met {
		f.status = "met"
	}
}

// print writes the header, the table (by scenario, as they do not run in the order of
// their numbers) and the renewal histogram: the one rendering of the results.
func (r *results) print(out io.Writer) {
	_, _ = fmt.Fprintf(out, "\n%s\n\n", r.header)
	figures := slices.Clone(r.figures)
	slices.SortStableFunc(figures, func(a, b figure) int { return strings.Compare(a.scenario, b.scenario) })
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintf(w, "SCENARIO\tFIGURE\tVALUE\tGOAL\t\n")
	for i, f := range figures {
		scenario := f.scenario
		if i > 0 && scenario == figures[i-1].scenario {
			scenario = ""
		}
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", scenario, f.name, f.value, f.goal, f.status)
	}
	_ = w.Flush()
	if len(r.histogram) > 0 {
		_, _ = fmt.Fprintf(out, "\nRenewals per %s from the start of the watch (4. renewal wave):\n",
			duration(histogramBucket))
		peak := max(1, slices.Max(r.histogram))
		for i, n := range r.histogram {
			_, _ = fmt.Fprintf(out, "  %4ds %5d %s\n", i*int(histogramBucket/time.Second), n,
				strings.Repeat("#", (n*50+peak-1)/peak))
		}
	}
}

// distribution summarises durations: how many, the median, the 99th percentile, the worst.
type distribution struct {
	count         int
	p50, p99, max duration
}

func distributionOf(values []time.Duration) distribution {
	if len(values) == 0 {
		return distribution{}
	}
	sorted := slices.Sorted(slices.Values(values))
	percentile := func(p float64) duration { // nearest rank
		rank := int(math.Ceil(p / 100 * float64(len(sorted))))
		return duration(sorted[min(max(rank, 1), len(sorted))-1])
	}
	return distribution{count: len(sorted), p50: percentile(50), p99: percentile(99), max: percentile(100)}
}

func (d distribution) String() string {
	if d.count == 0 {
		return "-"
	}
	return fmt.Sprintf("p50 %s, p99 %s, max %s", d.p50, d.p99, d.max)
}

// duration is a time.Duration that prints as seconds: 1.23s, or 12.3s from ten seconds.
type duration time.Duration

func (d duration) String() string {
	if d < duration(10*time.Second) && d > duration(-10*time.Second) {
		return fmt.Sprintf("%.2fs", time.Duration(d).Seconds())
	}
	return fmt.Sprintf("%.1fs", time.Duration(d).Seconds())
}

// size is a number of bytes that prints in MiB.
type size int64

func (b size) String() string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// thisMachine describes where the benchmark ran, as the figures mean little without it:
// CPUs, memory, Go, and the load when the run began, as others' work competes.
func thisMachine() string {
	var memKiB float64
	_, _ = fmt.Sscanf(procField("/proc/meminfo", "MemTotal"), "%f kB", &memKiB)
	loadavg, _ := os.ReadFile("/proc/loadavg")
	var load [3]string
	_, _ = fmt.Sscan(string(loadavg), &load[0], &load[1], &load[2])
	return fmt.Sprintf("%d CPUs (%s), %.1f GiB, %s %s/%s; load %s", runtime.NumCPU(),
		procField("/proc/cpuinfo", "model name"), math.Floor(memKiB/(1<<20)*10)/10,
		runtime.Version(), runtime.GOOS, runtime.GOARCH, strings.Join(load[:], " "))
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	data, _ := os.ReadFile(path)
	for line := range strings.Lines(string(data)) {
		if key, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(key) == name {
			return strings.TrimSpace(value)
		}
	}
	return ""
}
