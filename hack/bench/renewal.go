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
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// histogramBucket is the width of the renewal histogram's buckets.
const histogramBucket = 5 * time.Second

// renewalResult is what a wave of short-lived tokens measured.
type renewalResult struct {
	Lifetime duration `json:"tokenLifetimeSeconds"`
	Window   duration `json:"windowSeconds"`
	// Refreshing is how long the refresh of all N to short-lived tokens took.
	Refreshing duration `json:"refreshingSeconds"`
	Renewals   int      `json:"renewals"`
	// AfterExpiry counts renewals seen after the old token had expired.
	AfterExpiry int `json:"renewalsAfterExpiry"`
	// Overdue counts targets still holding, at the end, a token whose renewal time had
	// passed more than a second before; their lateness so far is in Lateness.
	Overdue int `json:"overdue"`
	// Lateness is, per renewal, from the renewalTime status gave the old token to the new
	// token seen in the target.
	Lateness          distribution `json:"latenessSeconds"`
	NoRenewalTime     int          `json:"renewalsWithoutKnownRenewalTime,omitempty"`
	HistogramBucket   duration     `json:"histogramBucketSeconds"`
	Histogram         []int        `json:"histogram"`
	VippsCalls        int          `json:"vippsCalls"`
	Requests          requests     `json:"apiRequestsByVerb"`
	Writes            float64      `json:"apiWrites"`
	PeakRSSBytes      int64        `json:"peakRSSBytes"`
	ExpiredAtEnd      int          `json:"expiredAtEnd"`
	RenewalsPerSecond float64      `json:"renewalsPerSecond"`
}

// runRenewal makes every token short-lived with one refresh request each, then watches the
// renewals for the window.
func runRenewal(ctx context.Context, s *session, opts options, say func(string, ...any)) (*renewalResult, error) {
	res := &renewalResult{Lifetime: duration(opts.renewalLifetime), Window: duration(opts.renewalWindow),
		HistogramBucket: duration(histogramBucket)}
	s.fake.SetLifetime(opts.renewalLifetime)
	start := time.Now()
	if err := requestRefresh(ctx, s.client, opts, strconv.FormatInt(start.Unix(), 10)); err != nil {
		return nil, err
	}
	err := waitUntil(ctx, opts.convergeTimeout, s.operatorAlive, func() bool {
		return shortLived(s.watch.held(), opts.renewalLifetime) >= opts.n
	})
	if err != nil {
		return nil, fmt.Errorf("%d of %d targets hold a %s token: %w",
			shortLived(s.watch.held(), opts.renewalLifetime), opts.n, opts.renewalLifetime, err)
	}
	res.Refreshing = duration(time.Since(start))
	say("Every target holds a %s token after %s; watching the renewals.", opts.renewalLifetime, res.Refreshing)

	before, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}
	calls := s.fake.Calls()
	watchStart := time.Now()
	if err := sleep(ctx, s, opts.renewalWindow); err != nil {
		return nil, err
	}
	end := time.Now()
	after, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}
	res.VippsCalls = s.fake.Calls() - calls
	res.Requests = after.requestsByVerb().minus(before.requestsByVerb())
	res.Writes = res.Requests.writes()
	if res.PeakRSSBytes, err = s.op.PeakRSSBytes(); err != nil {
		return nil, err
	}
	res.analyse(s.watch, watchStart, end, opts.renewalLifetime)
	return res, nil
}

// analyse turns the token replacements seen in [start, end) into lateness and a histogram.
func (res *renewalResult) analyse(w *watcher, start, end time.Time, lifetime time.Duration) {
	var lateness []time.Duration
	var renewedAt []time.Time
	for _, c := range w.changesSince(start) {
		if c.seen.After(end) || !isLifetime(c.oldIssued, c.oldExpires, lifetime) {
			continue
		}
		res.Renewals++
		renewedAt = append(renewedAt, c.seen)
		if !c.seen.Before(c.oldExpires) {
			res.AfterExpiry++
		}
		renewAt, ok := w.renewalTime(c.key, c.oldExpires)
		if !ok {
			res.NoRenewalTime++
			continue
		}
		lateness = append(lateness, c.seen.Sub(renewAt))
	}
	for key, held := range w.held() {
		if !held.expires.After(end) {
			res.ExpiredAtEnd++
		}
		if renewAt, ok := w.renewalTime(key, held.expires); ok && end.Sub(renewAt) > time.Second {
			res.Overdue++
			lateness = append(lateness, end.Sub(renewAt))
		}
	}
	res.Lateness = distributionOf(lateness)
	res.Histogram = histogram(renewedAt, start, histogramBucket)
	res.RenewalsPerSecond = float64(res.Renewals) / end.Sub(start).Seconds()
}

// requestRefresh sets the refresh annotation of every VippsToken to value, one patch each.
func requestRefresh(ctx context.Context, c client.Client, opts options, value string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.createWorkers)
	for i := range opts.n {
		g.Go(func() error {
			tok := newToken(i, opts.namespaces, "")
			patch := []byte(`{"metadata":{"annotations":{"` + tokensv1alpha1.AnnotationRefresh + `":"` + value + `"}}}`)
			return c.Patch(ctx, tok, client.RawPatch("application/merge-patch+json", patch))
		})
	}
	return g.Wait()
}

// shortLived counts the targets whose token has the lifetime given.
func shortLived(held map[string]heldToken, lifetime time.Duration) int {
	n := 0
	for _, h := range held {
		if isLifetime(h.issued, h.expires, lifetime) {
			n++
		}
	}
	return n
}

// isLifetime is true when a token lives lifetime, give or take the second of truncation.
func isLifetime(issued, expires time.Time, lifetime time.Duration) bool {
	d := expires.Sub(issued) - lifetime
	return d > -2*time.Second && d < 2*time.Second
}
