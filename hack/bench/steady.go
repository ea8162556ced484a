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
	"time"
)

// steadyResult is what the manager did while nothing changed.
type steadyResult struct {
	Window     duration `json:"windowSeconds"`
	VippsCalls int      `json:"vippsCalls"`
	// Requests are the manager's API requests in the window, by verb.
	Requests requests `json:"apiRequestsByVerb"`
	Writes   float64  `json:"apiWrites"`
}

// runSteady watches a converged manager for window: it should neither call Vipps nor write.
func runSteady(ctx context.Context, s *session, window time.Duration) (*steadyResult, error) {
	before, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}
	calls := s.fake.Calls()
	if err := sleep(ctx, s, window); err != nil {
		return nil, err
	}
	after, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}
	delta := after.requestsByVerb().minus(before.requestsByVerb())
	return &steadyResult{
		Window: duration(window), VippsCalls: s.fake.Calls() - calls, Requests: delta, Writes: delta.writes(),
	}, nil
}

// sleep waits for d, failing early if the manager exits or ctx ends.
func sleep(ctx context.Context, s *session, d time.Duration) error {
	end := time.Now().Add(d)
	return waitUntil(ctx, d+time.Minute, s.operatorAlive, func() bool { return !time.Now().Before(end) })
}
