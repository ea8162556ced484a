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
	"fmt"
	"time"
)

// coldStartResult is what a cold start measured: N VippsTokens created at once until every
// target holds a token and every VippsToken is Ready.
type coldStartResult struct {
	N int `json:"n"`
	// Creating is how long the creator took to create the N VippsTokens.
	Creating duration `json:"creatingSeconds"`
	// Total is from the first creation to the last target populated.
	Total duration `json:"totalSeconds"`
	// AllReady is from the first creation until every VippsToken was seen Ready.
	AllReady duration `json:"allReadySeconds"`
	// Latency is, per VippsToken, from its creation to its target populated.
	Latency    distribution `json:"latencySeconds"`
	VippsCalls int          `json:"vippsCalls"`
	// Requests are the manager's API requests by verb, until its writes settled.
	Requests requests `json:"apiRequestsByVerb,omitempty"`
	// Settled is from the first creation until the manager's writes (events included) stopped.
	Settled      duration `json:"settledSeconds,omitempty"`
	IdleRSSBytes int64    `json:"idleRSSBytes,omitempty"`
	// LiveHeapBytes is the manager's live heap after the last GC once settled (go_gc_heap_live_bytes).
	LiveHeapBytes int64 `json:"liveHeapBytes,omitempty"`
	PeakRSSBytes  int64 `json:"peakRSSBytes,omitempty"`
}

// runColdStart starts the manager, waits for its controller, creates N VippsTokens at once
// and waits until all are served.
func runColdStart(ctx context.Context, s *session, opts options) (*coldStartResult, error) {
	if err := createNamespaces(ctx, s.client, s.fake, opts.namespaces); err != nil {
		return nil, err
	}
	if err := s.startOperator("coldstart-" + time.Now().Format("150405")); err != nil {
		return nil, err
	}
	if err := waitForController(ctx, s); err != nil {
		return nil, err
	}
	res := &coldStartResult{N: opts.n}
	var err error
	if res.IdleRSSBytes, err = s.op.PeakRSSBytes(); err != nil {
		return nil, err
	}
	calls := s.fake.Calls()
	created, err := createTokens(ctx, s.client, opts, s.fakeURL, nil)
	if err != nil {
		return nil, err
	}
	if err := converge(ctx, s, opts, created, res); err != nil {
		return nil, err
	}
	m, settled, err := settle(ctx, s)
	if err != nil {
		return nil, err
	}
	res.Settled = duration(settled.Sub(created.first))
	res.Requests = m.requestsByVerb()
	res.LiveHeapBytes = int64(m.Sum("go_gc_heap_live_bytes", nil))
	res.VippsCalls = s.fake.Calls() - calls
	res.PeakRSSBytes, err = s.op.PeakRSSBytes()
	return res, err
}

// waitForController waits until the manager serves metrics and its controller has started.
func waitForController(ctx context.Context, s *session) error {
	var scrapeErr error
	err := waitUntil(ctx, time.Minute, s.operatorAlive, func() bool {
		var m metrics
		m, scrapeErr = scrape(ctx, s.op)
		return scrapeErr == nil && m.controllerStarted()
	})
	if err != nil && scrapeErr != nil {
		return fmt.Errorf("%w; scraping the metrics: %w", err, scrapeErr)
	}
	return err
}

// converge waits until every target is populated and every VippsToken Ready, and fills in
// the timings.
func converge(ctx context.Context, s *session, opts options, created *creation, res *coldStartResult) error {
	err := waitUntil(ctx, opts.convergeTimeout, s.operatorAlive, func() bool {
		populated, ready := s.watch.counts()
		return populated >= opts.n && ready >= opts.n
	})
	allReady := time.Now()
	if err != nil {
		populated, ready := s.watch.counts()
		return fmt.Errorf("%d of %d targets populated, %d Ready: %w", populated, opts.n, ready, err)
	}
	res.Creating = duration(created.last.Sub(created.first))
	res.AllReady = duration(allReady.Sub(created.first))
	populated := s.watch.populatedAt()
	latencies := make([]time.Duration, 0, len(created.at))
	last := created.first
	for key, at := range created.at {
		seen, ok := populated[key]
		if !ok {
			return fmt.Errorf("no target seen for %s", key)
		}
		latencies = append(latencies, seen.Sub(at))
		if seen.After(last) {
			last = seen
		}
	}
	res.Latency = distributionOf(latencies)
	res.Total = duration(last.Sub(created.first))
	return nil
}

// settle waits until the manager's write counters stopped moving for two seconds (the
// events are written after the targets and status), and returns that scrape and when the
// writes stopped.
func settle(ctx context.Context, s *session) (metrics, time.Time, error) {
	const quiet = 2 * time.Second
	var (
		last       metrics
		lastWrites = -1.0
		changed    = time.Now()
	)
	err := waitUntil(ctx, 2*time.Minute, s.operatorAlive, func() bool {
		m, err := scrape(ctx, s.op)
		if err != nil {
			return false
		}
		last = m
		if w := m.requestsByVerb().writes(); w != lastWrites {
			lastWrites, changed = w, time.Now()
		}
		return time.Since(changed) >= quiet
	})
	return last, changed, err
}
