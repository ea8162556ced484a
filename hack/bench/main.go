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
// watches it from outside (its metrics, its peak RSS, the Secrets it writes). It prints a
// table, writes the figures as JSON and, with --docs, docs/benchmarks.md.
//
//	make bench                          # N=1000, every scenario
//	make bench BENCH_FLAGS=--n=5000
//	make bench BENCH_FLAGS='--scenarios=coldstart,steady --operator-flags="--kube-api-qps=100"'
//
// Timed figures are reported, never asserted; the goals in the table are checked and marked.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// Scenario names, in the order they run, but for the restart: with the renewal wave it
// comes after the wave's watch, in the wave; and the outage, which comes after both.
const (
	scenarioColdStart  = "coldstart"
	scenarioSteady     = "steady"
	scenarioRestart    = "restart"
	scenarioRenewal    = "renewal"
	scenarioBigCluster = "bigcluster"
	scenarioOutage     = "outage"
)

var allScenarios = []string{
	scenarioColdStart, scenarioSteady, scenarioRestart, scenarioRenewal, scenarioBigCluster, scenarioOutage,
}

type options struct {
	n                int
	scenarios        []string
	operatorFlags    []string
	namespaces       int
	createWorkers    int
	steadyWindow     time.Duration
	renewalLifetime  time.Duration
	renewalWindow    time.Duration
	restartDowntime  time.Duration
	outageDuration   time.Duration
	unrelatedSecrets int
	unrelatedBytes   int
	convergeTimeout  time.Duration
	jsonPath         string
	docsPath         string
	skipBaseline     bool
	fromJSON         string

	scenarioList, operatorFlagList string // as given, until complete
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.IntVar(&o.n, "n", 1000, "How many VippsTokens.")
	fs.StringVar(&o.scenarioList, "scenarios", strings.Join(allScenarios, ","),
		"Comma-separated scenarios to run: "+strings.Join(allScenarios, ", ")+
			". steady, restart, renewal and outage start from a cold start, which runs (and is reported) with them.")
	fs.StringVar(&o.operatorFlagList, "operator-flags", "",
		"Flags passed to the manager, space-separated, e.g. \"--kube-api-qps=100 --max-concurrent-reconciles=20\".")
	fs.IntVar(&o.namespaces, "namespaces", 10, "Namespaces (and credentials Secrets) the VippsTokens are spread over.")
	fs.IntVar(&o.createWorkers, "create-workers", 32, "Goroutines that create the VippsTokens.")
	fs.DurationVar(&o.steadyWindow, "steady-window", time.Minute, "How long the steady state is watched.")
	fs.DurationVar(&o.renewalLifetime, "renewal-lifetime", time.Minute,
		"The fake's token lifetime in the renewal wave and the outage.")
	fs.DurationVar(&o.renewalWindow, "renewal-window", 3*time.Minute, "How long the renewal wave is watched.")
	fs.DurationVar(&o.restartDowntime, "restart-downtime", 10*time.Second,
		"How long the manager is down in the restart, as while a Pod is replaced. With renewal, the restart "+
			"comes after the renewal wave's watch, with the wave still on: tokens come due while it is down.")
	fs.DurationVar(&o.outageDuration, "outage-duration", 90*time.Second,
		"How long Vipps answers every token request with 503 in the outage, whose tokens live --renewal-lifetime.")
	fs.IntVar(&o.unrelatedSecrets, "unrelated-secrets", 10000, "Unrelated Secrets in the big cluster.")
	fs.IntVar(&o.unrelatedBytes, "unrelated-secret-bytes", 4096, "The data size of each unrelated Secret.")
	fs.DurationVar(&o.convergeTimeout, "converge-timeout", 20*time.Minute, "How long a cold start may take.")
	fs.StringVar(&o.jsonPath, "json", auto,
		"Where the figures are written as JSON; auto is bin/bench-results-n<N>.json, empty is nowhere.")
	fs.StringVar(&o.docsPath, "docs", auto,
		"The Markdown file whose section for this N is replaced with the results; auto is docs/benchmarks.md "+
			"when every scenario ran, empty is nowhere.")
	fs.BoolVar(&o.skipBaseline, "skip-baseline", false, "Do not run the baseline program of the cold start.")
	fs.StringVar(&o.fromJSON, "from-json", "",
		"Run nothing: print the table of an earlier run's JSON and write its Markdown (with --docs).")
}

// complete checks the options and splits the lists, after flag.Parse.
func (o *options) complete() error {
	o.scenarios = splitList(o.scenarioList)
	o.operatorFlags = strings.Fields(o.operatorFlagList)
	for _, s := range o.scenarios {
		if !slices.Contains(allScenarios, s) {
			return fmt.Errorf("unknown scenario %q; known: %s", s, strings.Join(allScenarios, ", "))
		}
	}
	if o.n < 1 || o.namespaces < 1 || o.createWorkers < 1 {
		return fmt.Errorf("--n, --namespaces and --create-workers must be at least 1")
	}
	return nil
}

// auto is the default of the output flags.
const auto = "auto"

func (o *options) jsonFile() string {
	if o.jsonPath == auto {
		return filepath.Join(testenv.RepoRoot(), "bin", fmt.Sprintf("bench-results-n%d.json", o.n))
	}
	return o.jsonPath
}

func (o *options) docsFile() string {
	if o.docsPath != auto {
		return o.docsPath
	}
	if len(o.scenarios) < len(allScenarios) || o.skipBaseline {
		return "" // a partial run does not replace the record of a whole one
	}
	return filepath.Join(testenv.RepoRoot(), "docs", "benchmarks.md")
}

func (o *options) wants(scenario string) bool { return slices.Contains(o.scenarios, scenario) }

// needsMainCluster is true when a scenario built on the cold start is selected.
func (o *options) needsMainCluster() bool {
	return o.wants(scenarioColdStart) || o.wants(scenarioSteady) || o.wants(scenarioRestart) || o.wants(scenarioRenewal) ||
		o.wants(scenarioOutage)
}

func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func main() {
	var opts options
	opts.bind(flag.CommandLine)
	flag.Parse()
	ctrllog.SetLogger(logr.Discard())
	if err := opts.complete(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if opts.fromJSON != "" {
		if err := render(opts, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, opts, os.Stdout)
	if err != nil {
		opts.docsPath = "" // the record keeps the last whole run; the JSON gets what was measured
	}
	if res != nil {
		if werr := writeOutputs(res, opts, os.Stdout); werr != nil {
			fmt.Fprintln(os.Stderr, "bench:", werr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// render prints and writes the results of an earlier run again.
func render(opts options, out io.Writer) error {
	data, err := os.ReadFile(opts.fromJSON)
	if err != nil {
		return err
	}
	res := &results{}
	if err := json.Unmarshal(data, res); err != nil {
		return fmt.Errorf("%s: %w", opts.fromJSON, err)
	}
	res.finish()
	opts.n, opts.scenarios, opts.jsonPath = res.N, res.Scenarios, ""
	return writeOutputs(res, opts, out)
}

// run runs the selected scenarios, each on a control plane of its own, and returns what
// they measured: as much as was measured when it fails.
func run(ctx context.Context, opts options, progress io.Writer) (*results, error) {
	say := func(format string, args ...any) {
		_, _ = fmt.Fprintf(progress, "%s  "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, args...)...)
	}
	dir, err := os.MkdirTemp("", "vipps-token-bench-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	say("Building the manager.")
	mgr, err := buildManager(ctx, dir, opts.operatorFlags)
	if err != nil {
		return nil, err
	}
	res := newResults(opts, mgr)
	defer res.finish() // also when a scenario fails: what was measured is reported
	say("Manager settings: %s", mgr.settings)

	if opts.needsMainCluster() {
		if err := runMainScenarios(ctx, opts, mgr, res, say); err != nil {
			return res, err
		}
		if !opts.skipBaseline {
			say("Baseline: the minimal program on a fresh control plane.")
			if res.Baseline, err = runBaseline(ctx, opts, mgr.settings); err != nil {
				return res, fmt.Errorf("baseline: %w", err)
			}
			say("Baseline converged in %s.", res.Baseline.Total)
		}
	}
	if opts.wants(scenarioBigCluster) {
		say("Big cluster: %d unrelated Secrets of %d bytes, then a cold start.", opts.unrelatedSecrets, opts.unrelatedBytes)
		if res.BigCluster, err = runBigCluster(ctx, opts, mgr, say); err != nil {
			return res, fmt.Errorf("big cluster: %w", err)
		}
	}
	return res, nil
}

// runMainScenarios runs the cold start and what builds on it, on one control plane.
func runMainScenarios(ctx context.Context, opts options, mgr manager, res *results, say func(string, ...any)) error {
	s, err := startSession(ctx, opts, mgr)
	if err != nil {
		return err
	}
	defer s.stop()
	say("Cold start: %d VippsTokens in %d namespaces.", opts.n, opts.namespaces)
	if res.ColdStart, err = runColdStart(ctx, s, opts); err != nil {
		return fmt.Errorf("cold start: %w", err)
	}
	say("Converged in %s; %d Vipps calls.", res.ColdStart.Total, res.ColdStart.VippsCalls)
	if opts.wants(scenarioSteady) {
		say("Steady state: watching for %s.", opts.steadyWindow)
		if res.Steady, err = runSteady(ctx, s, opts.steadyWindow); err != nil {
			return fmt.Errorf("steady state: %w", err)
		}
	}
	if opts.wants(scenarioRenewal) {
		say("Renewal wave: tokens of %s, watched for %s.", opts.renewalLifetime, opts.renewalWindow)
		if res.Renewal, err = runRenewal(ctx, s, opts, say); err != nil {
			return fmt.Errorf("renewal wave: %w", err)
		}
	}
	if opts.wants(scenarioRestart) {
		// In the renewal wave when it ran: a restart is hardest while tokens keep coming due.
		inWave := opts.wants(scenarioRenewal)
		say("Restart: killing the manager (in the renewal wave, as renewals come due: %t), %s down, "+
			"starting it again.", inWave, opts.restartDowntime)
		if res.Restart, err = runRestart(ctx, s, opts, inWave); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
		say("Re-verified every VippsToken in %s.", res.Restart.Reverified)
		if inWave {
			say("Every target fresh %s after the start; %d targets expired after the restart.",
				res.Restart.UntilFresh, res.Restart.ExpiredAfter)
		}
	}
	if opts.wants(scenarioOutage) {
		say("Vipps outage: tokens of %s, Vipps down for %s.", opts.renewalLifetime, opts.outageDuration)
		if res.Outage, err = runOutage(ctx, s, opts, say); err != nil {
			return fmt.Errorf("outage: %w", err)
		}
		say("Every target fresh %s after the outage, with %d token requests.",
			res.Outage.UntilFresh, res.Outage.RecoveryRequests)
	}
	return nil
}
