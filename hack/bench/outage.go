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
	"math"
	"strconv"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// Goals of the outage, from issue 15.
const (
	goalOutageRequests = 20
	goalOutageRecovery = 10 * time.Second
)

// outageResult is what an outage of the token endpoint cost Vipps, and how soon every target
// held a fresh token again once it ended.
type outageResult struct {
	Lifetime duration `json:"tokenLifetimeSeconds"`
	Duration duration `json:"outageSeconds"`
	// Requests counts the token requests that reached Vipps during the outage.
	Requests int `json:"requestsDuringOutage"`
	// RequestTimes are when each of those came, in seconds from the start of the outage.
	RequestTimes []float64 `json:"requestTimesSeconds"`
	// DownAfter is from the start of the outage until the operator marked the host down, as
	// its metrics say.
	DownAfter duration `json:"hostDownAfterSeconds"`
	// ExpiredDuring counts the targets whose token expired during the outage: no operator
	// could have renewed them.
	ExpiredDuring int `json:"targetsExpiredDuringOutage"`
	// UntilFresh is from the end of the outage until no target held an expired token or one
	// past its renewal time by more than a second.
	UntilFresh duration `json:"untilEveryTargetFreshSeconds"`
	// RecoveryRequests counts the token requests from the end of the outage until then.
	RecoveryRequests int `json:"recoveryRequests"`
	// AvoidablyLate counts the renewals seen after the old token's expiry where that expiry
	// came after the outage had ended: those the operator could have made in time.
	AvoidablyLate int `json:"avoidablyLateRenewals"`
	// APIRequests are the manager's API requests from the start of the outage to the end of
	// the watch, by verb.
	APIRequests  requests `json:"apiRequestsByVerb"`
	PeakRSSBytes int64    `json:"peakRSSBytes"`
}

// outageAfterQuiet is how long renewals are watched after every target is fresh again, for
// a token that expires before its renewal.
const outageAfterQuiet = 10 * time.Second

// runOutage gives every target a token of the renewal lifetime, then, a second before the next
// renewals come due, answers every token request with 503 for the outage's duration, and
// watches the recovery.
func runOutage(ctx context.Context, s *session, opts options, say func(string, ...any)) (*outageResult, error) {
	res := &outageResult{Lifetime: duration(opts.renewalLifetime), Duration: duration(opts.outageDuration)}
	if shortLived(s.watch.held(), opts.renewalLifetime) < opts.n {
		s.fake.SetLifetime(opts.renewalLifetime)
		if err := requestRefresh(ctx, s.client, opts, "outage-"+strconv.FormatInt(time.Now().Unix(), 10)); err != nil {
			return nil, err
		}
		err := waitUntil(ctx, opts.convergeTimeout, s.operatorAlive, func() bool {
			return shortLived(s.watch.held(), opts.renewalLifetime) >= opts.n
		})
		if err != nil {
			return nil, fmt.Errorf("%d of %d targets hold a %s token: %w",
				shortLived(s.watch.held(), opts.renewalLifetime), opts.n, opts.renewalLifetime, err)
		}
	}
	// As renewals come due, so that the host is down from the start of the outage.
	if next := s.watch.nextRenewal(time.Now()); !next.IsZero() {
		if err := sleep(ctx, s, time.Until(next)-time.Second); err != nil {
			return nil, err
		}
	}
	before, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}

	calls := s.fake.Calls()
	s.fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
	start := time.Now()
	say("Vipps answers every token request with 503 for %s.", opts.outageDuration)
	err = waitUntil(ctx, opts.outageDuration, s.operatorAlive, func() bool {
		m, err := scrape(ctx, s.op)
		return err == nil && m.Sum("vipps_token_host_down_since_timestamp_seconds", nil) > 0
	})
	if err != nil {
		s.fake.ClearFaults()
		return nil, fmt.Errorf("the operator never marked the host down: %w", err)
	}
	res.DownAfter = duration(time.Since(start))
	if err := sleep(ctx, s, time.Until(start.Add(opts.outageDuration))); err != nil {
		s.fake.ClearFaults()
		return nil, err
	}
	res.Requests = s.fake.Calls() - calls
	s.fake.ClearFaults()
	for _, req := range s.fake.Requests() {
		if !req.Time.Before(start) {
			res.RequestTimes = append(res.RequestTimes, math.Round(req.Time.Sub(start).Seconds()*1000)/1000)
		}
	}
	end := time.Now()
	calls = s.fake.Calls()
	for _, held := range s.watch.held() {
		if !held.expires.After(end) {
			res.ExpiredDuring++
		}
	}
	say("The outage cost %d token requests; %d targets hold an expired token.", res.Requests, res.ExpiredDuring)

	err = waitUntil(ctx, opts.convergeTimeout, s.operatorAlive, func() bool { return s.watch.overdue(time.Now()) == 0 })
	if err != nil {
		return nil, fmt.Errorf("waiting for every target to be fresh (%d overdue): %w", s.watch.overdue(time.Now()), err)
	}
	res.UntilFresh = duration(time.Since(end))
	res.RecoveryRequests = s.fake.Calls() - calls
	if err := sleep(ctx, s, outageAfterQuiet); err != nil {
		return nil, err
	}
	for _, c := range s.watch.changesSince(start) {
		if c.oldExpires.After(end) && !c.seen.Before(c.oldExpires) {
			res.AvoidablyLate++
		}
	}
	now := time.Now()
	for _, held := range s.watch.held() {
		if held.expires.After(end) && !held.expires.After(now) {
			res.AvoidablyLate++ // expired after the outage, and not renewed yet
		}
	}
	after, err := scrape(ctx, s.op)
	if err != nil {
		return nil, err
	}
	res.APIRequests = after.requestsByVerb().minus(before.requestsByVerb())
	res.PeakRSSBytes, err = s.op.PeakRSSBytes()
	return res, err
}
