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
	Downtime duration `json:"downtimeSeconds"`
	// InWave is true when the restart came in the renewal wave: tokens came due while the
	// manager was down, and renewals cost Vipps calls and writes throughout.
	InWave bool `json:"inRenewalWave"`
	// Reverified is from the new process's start until it had reconciled every VippsToken
	// and had nothing queued.
	Reverified duration `json:"reverifiedSeconds"`
	// UntilFresh is from the new process's start until no target held a token past its
	// renewal time by more than a second (in the wave only).
	UntilFresh duration `json:"untilEveryTargetFreshSeconds,omitempty"`
	// ExpiredAfter counts the targets that held an expired token at some time from the kill
	// to the end of the scenario (in the wave only).
	ExpiredAfter int      `json:"targetsExpiredAfterRestart"`
	Reconciles   float64  `json:"reconciles"`
	VippsCalls   int      `json:"vippsCalls"`
	Requests     requests `json:"apiRequestsByVerb"`
	Writes       float64  `json:"apiWrites"`
	PeakRSSBytes int64    `json:"peakRSSBytes"`
}

// runRestart kills the manager, as a node failure would, and starts it again after the
// downtime. In the renewal wave it kills it a second before the next renewals come due, so
// that they come due while it is down, and waits for them after the start.
func runRestart(ctx context.Context, s *session, opts options, inWave bool) (*restartResult, error) {
	if next := s.watch.nextRenewal(time.Now()); inWave && !next.IsZero() {
		if err := sleep(ctx, s, time.Until(next)-time.Second); err != nil {
			return nil, err
		}
	}
	calls := s.fake.Calls()
	killed := time.Now()
	s.op.Kill()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(opts.restartDowntime):
	}
	start := time.Now()
	if err := s.startOperator("restart-" + start.Format("150405")); err != nil {
		return nil, err
	}
	res := &restartResult{Downtime: duration(start.Sub(killed)), InWave: inWave}
	// Re-verified: at least N reconciles, nothing queued or in progress, and no reconcile
	// for a second (in the wave, renewals never leave it a second); the time is that of the
	// last reconcile counted.
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
		return reconciles >= float64(opts.n) && !m.busy() && (inWave || time.Since(changed) >= time.Second)
	})
	if err != nil {
		return nil, fmt.Errorf("re-verifying every VippsToken (%v reconciles): %w", reconciles, err)
	}
	res.Reverified = duration(changed.Sub(start))
	if inWave {
		err := waitUntil(ctx, opts.convergeTimeout, s.operatorAlive, func() bool {
			return s.watch.overdue(time.Now()) == 0
		})
		if err != nil {
			return nil, fmt.Errorf("waiting for every target to be fresh (%d overdue): %w", s.watch.overdue(time.Now()), err)
		}
		res.UntilFresh = duration(time.Since(start))
	}
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
	res.ExpiredAfter = s.watch.expiredSince(killed, time.Now())
	res.PeakRSSBytes, err = s.op.PeakRSSBytes()
	return res, err
}
