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
	"context"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/internal/tuning"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// apiServerFlags lift the API server's in-flight limits: the operator, the baseline and the
// benchmark's own creator are to be limited by their clients, not by a shared cluster's.
var apiServerFlags = []string{"--max-requests-inflight=1000", "--max-mutating-requests-inflight=500"}

// managerSettings are the manager's tuning flags in effect: its defaults (internal/tuning)
// overridden by --operator-flags. The baseline has the same client QPS, burst and parallelism.
type managerSettings struct {
	KubeAPIQPS     float64
	KubeAPIBurst   int
	MaxConcurrent  int
	VippsRateLimit float64
	VippsRateBurst int
}

func settingsOf(operatorFlags []string) (managerSettings, error) {
	s := managerSettings{}
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.Float64Var(&s.KubeAPIQPS, "kube-api-qps", tuning.KubeAPIQPS, "")
	fs.IntVar(&s.KubeAPIBurst, "kube-api-burst", tuning.KubeAPIBurst, "")
	fs.IntVar(&s.MaxConcurrent, "max-concurrent-reconciles", tuning.MaxConcurrentReconciles, "")
	fs.Float64Var(&s.VippsRateLimit, "vipps-rate-limit", tuning.VippsRateLimit, "")
	fs.IntVar(&s.VippsRateBurst, "vipps-rate-burst", tuning.VippsRateBurst, "")
	for _, f := range operatorFlags {
		name, value, ok := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if ok && fs.Lookup(name) != nil {
			if err := fs.Set(name, value); err != nil {
				return s, fmt.Errorf("--operator-flags %s: %w", f, err)
			}
		}
	}
	return s, nil
}

func (s managerSettings) String() string {
	return fmt.Sprintf("--kube-api-qps=%g --kube-api-burst=%d --max-concurrent-reconciles=%d "+
		"--vipps-rate-limit=%g --vipps-rate-burst=%d",
		s.KubeAPIQPS, s.KubeAPIBurst, s.MaxConcurrent, s.VippsRateLimit, s.VippsRateBurst)
}

// session is one fresh control plane, the fake Vipps server, the benchmark's client and
// watch, and the manager once started.
type session struct {
	*bench
	cluster *localcluster.Cluster
	client  client.Client
	fake    *fakevipps.Server
	fakeURL string
	watch   *watcher
	op      *localcluster.Operator
	logPath string
	closers []func()
}

func (b *bench) startSession(ctx context.Context) (s *session, err error) {
	s = &session{bench: b, fake: fakevipps.NewServer()}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	if s.cluster, err = localcluster.Start(apiServerFlags...); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, func() { _ = s.cluster.Stop() })
	cfg := *s.cluster.Config
	cfg.QPS, cfg.Burst = 2000, 4000 // the benchmark's own client must never be what limits a scenario
	if s.client, err = client.New(&cfg, client.Options{Scheme: testenv.Scheme()}); err != nil {
		return nil, err
	}
	server, err := fakevipps.Serve("127.0.0.1:0", s.fake)
	if err != nil {
		return nil, err
	}
	s.fakeURL = server.URL
	s.closers = append(s.closers, server.Close)
	resourceNS := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusterResourceNamespace}}
	if err := s.client.Create(ctx, resourceNS); err != nil {
		return nil, err
	}
	watchCtx, cancel := context.WithCancel(ctx)
	s.closers = append(s.closers, cancel)
	s.watch, err = startWatcher(watchCtx, &cfg)
	return s, err
}

// startOperator starts the manager with --operator-flags, the fake allowed and
// ClusterVippsTokens served from the cluster resource namespace, its log in bin/bench-logs.
func (s *session) startOperator(name string) error {
	dir := filepath.Join(testenv.RepoRoot(), "bin", "bench-logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.logPath = filepath.Join(dir, name+"-"+time.Now().Format("150405")+".log")
	log, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	op, err := s.cluster.StartOperator(s.binary, log, append([]string{"--allowed-endpoints=" + s.fakeURL,
		"--cluster-resource-namespace=" + clusterResourceNamespace}, s.operatorFlags...)...)
	if err != nil {
		_ = log.Close()
		return err
	}
	s.op = op
	s.closers = append(s.closers, func() {
		_ = op.Stop()
		_ = log.Close()
	})
	return nil
}

// stop stops everything the session started, the latest first.
func (s *session) stop() {
	for _, closeFn := range slices.Backward(s.closers) {
		closeFn()
	}
	s.closers = nil
}

// waitUntil polls cond every 100 ms until it holds; it fails when ctx ends, timeout passes
// or the manager exits.
func (s *session) waitUntil(ctx context.Context, timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if s.op != nil {
			select {
			case <-s.op.Exited():
				return fmt.Errorf("the manager exited; see %s", s.logPath)
			default:
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// waitForController waits until the manager's controller of these labels has started: it
// exports its counters then.
func (s *session) waitForController(ctx context.Context, labels map[string]string) error {
	var scrapeErr error
	if err := s.waitUntil(ctx, time.Minute, func() bool {
		var m localcluster.Metrics
		m, scrapeErr = s.op.Metrics(ctx)
		return scrapeErr == nil && m.Has("controller_runtime_reconcile_total", labels)
	}); err != nil {
		return fmt.Errorf("waiting for the controller: %w (last scrape: %v)", err, scrapeErr)
	}
	return nil
}

// settle waits until the manager's writes (events last) have not changed for 2 s, and
// returns when they last changed. The events of N token requests at once take up to
// N/tuning.EventsQPS seconds to arrive.
func (s *session) settle(ctx context.Context) (time.Time, error) {
	settled, writes := time.Now(), -1.0
	eventBacklog := time.Duration(float64(s.n) / tuning.EventsQPS * float64(time.Second))
	if err := s.waitUntil(ctx, 2*time.Minute+eventBacklog, func() bool {
		if m, err := s.op.Metrics(ctx); err == nil && requestsByVerb(m).writes() != writes {
			settled, writes = time.Now(), requestsByVerb(m).writes()
		}
		return time.Since(settled) >= 2*time.Second
	}); err != nil {
		return settled, fmt.Errorf("waiting for the writes to settle (%v so far): %w", writes, err)
	}
	return settled, nil
}

// sleep waits for d, failing early when the manager exits or ctx ends.
func (s *session) sleep(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	return s.waitUntil(ctx, d+time.Minute, func() bool { return !time.Now().Before(end) })
}

// activity is what the manager did in (part of) a scenario.
type activity struct {
	vippsCalls int
	requests   requests
	peakRSS    size // the manager's, since it started
	liveHeap   size // after the last GC (go_gc_heap_live_bytes)
}

// mark is where activity is counted from: the manager's metrics (nil: from its start) and
// the fake's calls.
type mark struct {
	metrics localcluster.Metrics
	calls   int
}

func (s *session) mark(ctx context.Context) (mark, error) {
	m, err := s.op.Metrics(ctx)
	return mark{metrics: m, calls: s.fake.Calls()}, err
}

// since is the manager's activity from m to now.
func (s *session) since(ctx context.Context, m mark) (activity, error) {
	now, err := s.op.Metrics(ctx)
	if err != nil {
		return activity{}, err
	}
	rss, err := s.op.PeakRSSBytes()
	return activity{
		vippsCalls: s.fake.Calls() - m.calls,
		requests:   requestsByVerb(now).minus(requestsByVerb(m.metrics)),
		peakRSS:    size(rss),
		liveHeap:   size(now.Sum("go_gc_heap_live_bytes", nil)),
	}, err
}

// requests are API requests by verb, from rest_client_requests_total (LIST and WATCH count
// as GET there).
type requests map[string]float64

func requestsByVerb(m localcluster.Metrics) requests {
	out := requests{}
	for _, metric := range m["rest_client_requests_total"].GetMetric() {
		for _, pair := range metric.GetLabel() {
			if pair.GetName() == "method" {
				out[pair.GetValue()] += metric.GetCounter().GetValue()
			}
		}
	}
	return out
}

// writes counts the requests that change something.
func (r requests) writes() float64 {
	return r[http.MethodPost] + r[http.MethodPut] + r[http.MethodPatch] + r[http.MethodDelete]
}

// minus is r - earlier, verb by verb.
func (r requests) minus(earlier requests) requests {
	out := requests{}
	for verb, n := range r {
		if d := n - earlier[verb]; d != 0 {
			out[verb] = d
		}
	}
	return out
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
