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

// Command bench measures what the operator costs: the manager binary runs as its own
// process against a local control plane and the fake Vipps server, and the benchmark
// watches it from outside (its metrics, its peak RSS, the Secrets it writes). It prints the
// figures as one table, goals marked met or MISSED; docs/benchmarks.md quotes runs and says
// what each scenario does. Timed figures are reported, never asserted.
//
//	make bench                          # N=1000, every scenario
//	make bench BENCH_FLAGS=--n=5000
//	make bench BENCH_FLAGS='--scenarios=coldstart,steady --operator-flags="--kube-api-qps=100"'
//	make bench BENCH_FLAGS='--scenarios=fanout --fanout-namespaces=500'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
)

// allScenarios are the scenarios' names. The cold start and those built on it share one
// control plane, in this order: steady, renewal, restart (in the renewal wave when that ran),
// outage. The baseline and the standalone scenarios get control planes of their own.
var allScenarios = []string{"coldstart", "steady", "restart", "renewal", "bigcluster", "outage", "fanout"}

// standalone are the scenarios that do not start from the cold start.
var standalone = []string{"bigcluster", "fanout"}

type options struct {
	n                int
	fanOutNamespaces int
	scenarios        []string
	operatorFlags    []string
	outageDuration   time.Duration
	skipBaseline     bool
	steadyWindow     time.Duration // a minute; shorter in the smoke test
}

func (o *options) bind(fs *flag.FlagSet) {
	o.scenarios, o.steadyWindow = allScenarios, time.Minute
	fs.IntVar(&o.n, "n", 1000, "How many VippsTokens.")
	fs.IntVar(&o.fanOutNamespaces, "fanout-namespaces", 500,
		"How many namespaces the fan-out's ClusterVippsToken selects.")
	fs.Func("scenarios", "Comma-separated scenarios to run (default all): "+strings.Join(allScenarios, ", ")+
		". steady, restart, renewal and outage start from a cold start, which runs (and is reported) with them.",
		func(s string) error {
			o.scenarios = strings.Split(s, ",")
			for _, name := range o.scenarios {
				if !slices.Contains(allScenarios, name) {
					return fmt.Errorf("unknown scenario %q; known: %s", name, strings.Join(allScenarios, ", "))
				}
			}
			return nil
		})
	fs.Func("operator-flags", "Flags passed to the manager, space-separated, "+
		"e.g. \"--kube-api-qps=100 --max-concurrent-reconciles=20\".",
		func(s string) error { o.operatorFlags = strings.Fields(s); return nil })
	fs.DurationVar(&o.outageDuration, "outage-duration", 90*time.Second,
		"How long Vipps answers every token request with 503 in the outage.")
	fs.BoolVar(&o.skipBaseline, "skip-baseline", false, "Do not run the baseline program of the cold start.")
}

func (o *options) wants(scenario string) bool { return slices.Contains(o.scenarios, scenario) }

func main() {
	var opts options
	opts.bind(flag.CommandLine)
	flag.Parse()
	if opts.n < 1 || opts.fanOutNamespaces < 1 {
		fmt.Fprintln(os.Stderr, "bench: --n and --fanout-namespaces must be at least 1")
		os.Exit(2)
	}
	ctrllog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, opts, os.Stdout)
	if res != nil { // as much as was measured, also when a scenario failed
		res.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// bench is one run: the options, the manager built once, what was measured, and where
// progress goes.
type bench struct {
	options
	binary   string
	settings managerSettings
	res      *results
	// The first cold start's figures that the baseline and the big cluster are compared with.
	firstTotal   duration
	firstPeakRSS size
	say          func(format string, args ...any)
}

// run runs the selected scenarios and returns what they measured, also when one fails.
func run(ctx context.Context, opts options, progress io.Writer) (*results, error) {
	b := &bench{options: opts, say: func(format string, args ...any) {
		_, _ = fmt.Fprintf(progress, "%s  "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, args...)...)
	}}
	var err error
	if b.settings, err = settingsOf(opts.operatorFlags); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vipps-token-bench-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	b.say("Building the manager; its settings: %s", b.settings)
	if b.binary, err = localcluster.BuildOperator(ctx, dir); err != nil {
		return nil, err
	}
	b.res = &results{header: fmt.Sprintf("N=%d, %s on %s\nmanager: %s", opts.n, time.Now().UTC().Format(time.RFC3339),
		thisMachine(), b.settings)}
	if slices.ContainsFunc(opts.scenarios, func(s string) bool { return !slices.Contains(standalone, s) }) {
		if err := b.runMainScenarios(ctx); err != nil {
			return b.res, err
		}
		if !opts.skipBaseline {
			if err := b.runBaseline(ctx); err != nil {
				return b.res, fmt.Errorf("baseline: %w", err)
			}
		}
	}
	if opts.wants("bigcluster") {
		if err := b.runBigCluster(ctx); err != nil {
			return b.res, fmt.Errorf("big cluster: %w", err)
		}
	}
	if opts.wants("fanout") {
		if err := b.runFanOut(ctx); err != nil {
			return b.res, fmt.Errorf("fan-out: %w", err)
		}
	}
	return b.res, nil
}

// runMainScenarios runs the cold start and what builds on it, on one control plane.
func (b *bench) runMainScenarios(ctx context.Context) error {
	s, err := b.startSession(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	if b.firstTotal, b.firstPeakRSS, err = s.runColdStart(ctx, coldStartName(b.n)); err != nil {
		return fmt.Errorf("cold start: %w", err)
	}
	// The restart runs in the renewal wave when that ran: it is hardest while tokens come due.
	inWave := b.wants("renewal")
	for _, scenario := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"steady", s.runSteady},
		{"renewal", s.runRenewal},
		{"restart", func(ctx context.Context) error { return s.runRestart(ctx, inWave) }},
		{"outage", s.runOutage},
	} {
		if b.wants(scenario.name) {
			if err := scenario.run(ctx); err != nil {
				return fmt.Errorf("%s: %w", scenario.name, err)
			}
		}
	}
	return nil
}
