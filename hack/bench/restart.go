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

// restartAfterQuiet is how long the restarted manager is watched after it re-verified
// every VippsToken, for late calls or writes.
const restartAfterQuiet = 10 * time.Second

// restartResult is what a manager killed and started again did.
type restartResult struct {
	// Reverified is from the new process's start until it had reconciled every VippsToken
	// and had nothing queued.
	Reverified   duration `json:"reverifiedSeconds"`
	Reconciles   float64  `json:"reconciles"`
	VippsCalls   int      `json:"vippsCalls"`
	Requests     requests `json:"apiRequestsByVerb"`
	Writes       float64  `json:"apiWrites"`
	PeakRSSBytes int64    `json:"peakRSSBytes"`
}

// runRestart kills the manager, as a node failure would, and starts it again.
func runRestart(ctx context.Context, s *session, opts options) (*restartResult, error) {
	calls := s.fake.Calls()
	s.op.Kill()
	start := time.Now()
	if err := s.startOperator("restart-" + start.Format("150405")); err != nil {
		return nil, err
	}
	res := &restartResult{}
	// Re-verified: at least N reconciles, nothing queued or in progress, and no reconcile
	// for a second; the time is that of the last reconcile counted.
	var (
		reconciles = -1.0
		changed    time.Time
	)
	err := waitUntil(ctx, opts.convergeTimeout, s.operatorAlive, func() bool {
		m, err := scrape(ctx, s.op)
		if err != nil {
			return false
		}
		if n := m.reconciles(); n != reconciles {
			reconciles, changed = n, time.Now()
		}
		return reconciles >= float64(opts.n) && !m.busy() && time.Since(changed) >= time.Second
	})
	if err != nil {
		return nil, fmt.Errorf("re-verifying every VippsToken (%v reconciles): %w", reconciles, err)
	}
	res.Reverified = duration(changed.Sub(start))
	if err := sleep(ctx, s, restartAfterQuiet); err != nil {
		return nil, err
	}
	m, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}
	res.Reconciles = m.reconciles()
	res.Requests = m.requestsByVerb()
	res.Writes = res.Requests.writes()
	res.VippsCalls = s.fake.Calls() - calls
	res.PeakRSSBytes, err = s.op.PeakRSSBytes()
	return res, err
}
