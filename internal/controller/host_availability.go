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

package controller

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// probeOfferTimeout is how long the probe, once due, waits for the VippsToken it was offered
// to before it is offered to the next: that one may be gone, or may no longer need a token.
const probeOfferTimeout = 2 * time.Second

// maxHold bounds how long a request holds for the one that confirms its host: that one ends
// with the client's timeout, well before, unless something went wrong.
const maxHold = time.Minute

// hostAvailability keeps, per Vipps host, the state that host_state.go decides on, the
// VippsTokens that wait for the host, and the timer of its next probe. It knows nothing of a
// VippsToken but its key and the expiry of the token its targets hold, which ranks it.
//
// While a host is down, a VippsToken whose token is due becomes the probe when the probe is
// due and none is in flight, and otherwise waits here without calling Vipps or requeueing.
// When the probe comes due, the timer hands it to the waiting VippsToken closest to expiry.
// The first success wakes every waiting VippsToken at once, the closest to expiry (or
// already expired) first, through the work queue: the workers and the global rate limiter
// of token requests (internal/vipps.WithRateLimit) then pace the recovery, so that it is no herd.
type hostAvailability struct {
	clock   clock.WithDelayedExecution
	metrics *operatorMetrics
	// seed makes this process's probe jitter its own (see probeDelay).
	seed string

	mu    sync.Mutex
	hosts map[string]*hostEntry
	// returning are the VippsTokens that a host's first success woke and that have not been
	// reconciled since: their reconcile leaves the status write for later (trailing_status.go).
	returning map[types.NamespacedName]bool
	// enqueue adds VippsTokens to the controller's work queue at a priority; nil until the
	// controller starts.
	enqueue func(priority int, keys []types.NamespacedName)
}

type hostEntry struct {
	state hostState
	// waiting are the VippsTokens whose due request waits for the host, each with the expiry
	// of the token its targets hold (zero for none).
	waiting map[types.NamespacedName]time.Time
	// offered are the waiting VippsTokens that the due probe has been offered to; the offer
	// goes round them until one takes it.
	offered map[types.NamespacedName]bool
	timer   clock.Timer
	timerAt time.Time
	// confirmed is closed when the request that confirms the host has ended; the requests
	// that hold for it then ask again.
	confirmed chan struct{}
}

func newHostAvailability(c clock.WithDelayedExecution, metrics *operatorMetrics) *hostAvailability {
	seed := make([]byte, 8)
	_, _ = rand.Read(seed)
	return &hostAvailability{clock: c, metrics: metrics, seed: hex.EncodeToString(seed), hosts: map[string]*hostEntry{},
		returning: map[types.NamespacedName]bool{}}
}

// start is the controller's source of VippsTokens brought back by their host: the controller
// gives it the work queue when it starts.
func (h *hostAvailability) start(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.enqueue = func(priority int, keys []types.NamespacedName) {
		requests := make([]reconcile.Request, 0, len(keys))
		for _, key := range keys {
			requests = append(requests, reconcile.Request{NamespacedName: key})
		}
		queue, ok := q.(priorityqueue.PriorityQueue[reconcile.Request])
		if !ok {
			for _, req := range requests {
				q.Add(req)
			}
			return
		}
		// One call, so that the queue hands them out in this order (first in, first out
		// within a priority).
		queue.AddWithOpts(priorityqueue.AddOpts{Priority: new(priority)}, requests...)
	}
	return nil
}

// admit decides whether key's due token request may go to host now (see admitRequest), and
// returns the host's state. A request held for the one that confirms the host asks again
// when that one has ended (or ctx, or maxHold, has). A VippsToken told to wait is kept,
// ranked by expiresAt, until the host is back or the probe is offered to it.
func (h *hostAvailability) admit(ctx context.Context, host string, key types.NamespacedName, expiresAt time.Time,
	asked bool) (admission, hostState) {
	for held := time.Duration(0); ; {
		verdict, state, confirmed := h.admitOnce(host, key, expiresAt, asked)
		if verdict != admitHold {
			return verdict, state
		}
		start := h.clock.Now()
		select {
		case <-confirmed:
		case <-ctx.Done():
			return admitSend, state // the request then fails with ctx, which says nothing of the host
		case <-h.clock.After(maxHold - held):
			return admitSend, state
		}
		held += h.clock.Since(start)
	}
}

func (h *hostAvailability) admitOnce(host string, key types.NamespacedName, expiresAt time.Time,
	asked bool) (admission, hostState, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.entry(host)
	now := h.clock.Now()
	state, verdict := admitRequest(e.state, now, asked)
	h.setState(host, e, state)
	switch verdict {
	case admitConfirm:
		e.confirmed = make(chan struct{})
	case admitProbe:
		delete(e.waiting, key)
		clear(e.offered)
	case admitWait:
		e.waiting[key] = expiresAt
		h.armLocked(host, e, now, state.nextProbe)
	}
	return verdict, state, e.confirmed
}

// report records how key's request to host, admitted as as, ended, and returns the host's
// state afterwards. The first success after an outage wakes every VippsToken waiting for the
// host; a VippsToken whose request failed because the host is down waits for it too.
func (h *hostAvailability) report(host string, key types.NamespacedName, expiresAt time.Time, as admission,
	err error) hostState {
	h.mu.Lock()
	e := h.entry(host)
	now := h.clock.Now()
	before := e.state
	state := afterRequest(before, as, err, now, h.seed+"/"+host)
	h.setState(host, e, state)
	if e.confirmed != nil && !state.confirming {
		close(e.confirmed)
		e.confirmed = nil
	}
	var woken []types.NamespacedName
	switch {
	case state.up() && !before.up():
		woken = byUrgency(e.waiting)
		for _, k := range woken {
			h.returning[k] = true
		}
		clear(e.waiting)
		clear(e.offered)
		h.stopTimerLocked(e)
	case !state.up() && outcomeOf(err) == outcomeHostFailure:
		e.waiting[key] = expiresAt
		h.armLocked(host, e, now, state.nextProbe)
	case !state.up():
		// A probe that said nothing of the host: the next waiting VippsToken takes it over.
		h.armLocked(host, e, now, state.nextProbe)
	}
	enqueue := h.enqueue
	h.mu.Unlock()
	if len(woken) > 0 && enqueue != nil {
		enqueue(priorityRecovered, woken)
	}
	return state
}

// waiting is true while key waits for a host.
func (h *hostAvailability) waiting(key types.NamespacedName) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.hosts {
		if _, ok := e.waiting[key]; ok {
			return true
		}
	}
	return false
}

// takeReturning is true once for each VippsToken that a host's first success woke: for its
// first reconcile after that.
func (h *hostAvailability) takeReturning(key types.NamespacedName) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	returning := h.returning[key]
	delete(h.returning, key)
	return returning
}

// forget drops key from every host's waiting VippsTokens: it was deleted, or no longer
// needs a token.
func (h *hostAvailability) forget(key types.NamespacedName) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.returning, key)
	for _, e := range h.hosts {
		delete(e.waiting, key)
		delete(e.offered, key)
	}
}

// offerProbe hands a due probe to the waiting VippsToken closest to expiry that has not been
// offered it yet, and comes back after probeOfferTimeout in case that one does not take it.
func (h *hostAvailability) offerProbe(host string) {
	h.mu.Lock()
	e, ok := h.hosts[host]
	if !ok {
		h.mu.Unlock()
		return
	}
	e.timer, e.timerAt = nil, time.Time{}
	now := h.clock.Now()
	if e.state.phase != hostDown || len(e.waiting) == 0 {
		h.mu.Unlock()
		return // up, a probe in flight (its result arms the timer again), or nobody waits
	}
	if now.Before(e.state.nextProbe) {
		h.armLocked(host, e, now, e.state.nextProbe)
		h.mu.Unlock()
		return
	}
	ranked := byUrgency(e.waiting)
	next := slices.IndexFunc(ranked, func(key types.NamespacedName) bool { return !e.offered[key] })
	if next < 0 {
		clear(e.offered)
		next = 0
	}
	e.offered[ranked[next]] = true
	h.armLocked(host, e, now, now.Add(probeOfferTimeout))
	enqueue := h.enqueue
	h.mu.Unlock()
	if enqueue != nil {
		enqueue(priorityRecovered, ranked[next:next+1])
	}
}

// armLocked sets the host's timer to offer the probe at at, unless it is set for then.
func (h *hostAvailability) armLocked(host string, e *hostEntry, now, at time.Time) {
	if e.timer != nil && e.timerAt.Equal(at) {
		return
	}
	h.stopTimerLocked(e)
	// In a goroutine of its own: a fake clock runs the function while it holds its lock,
	// and offerProbe reads the clock.
	e.timer, e.timerAt = h.clock.AfterFunc(at.Sub(now), func() { go h.offerProbe(host) }), at
}

func (h *hostAvailability) stopTimerLocked(e *hostEntry) {
	if e.timer != nil {
		e.timer.Stop()
	}
	e.timer, e.timerAt = nil, time.Time{}
}

func (h *hostAvailability) entry(host string) *hostEntry {
	e, ok := h.hosts[host]
	if !ok {
		e = &hostEntry{
			state:   hostState{phase: hostUp},
			waiting: map[types.NamespacedName]time.Time{}, offered: map[types.NamespacedName]bool{},
		}
		h.hosts[host] = e
	}
	return e
}

func (h *hostAvailability) setState(host string, e *hostEntry, state hostState) {
	e.state = state
	h.metrics.observeHostState(host, state)
}

// byUrgency orders waiting VippsTokens by the expiry of the token their targets hold: none
// or an expired one first, then the one that expires soonest.
func byUrgency(waiting map[types.NamespacedName]time.Time) []types.NamespacedName {
	keys := slices.Collect(maps.Keys(waiting))
	slices.SortFunc(keys, func(a, b types.NamespacedName) int {
		if c := waiting[a].Compare(waiting[b]); c != 0 {
			return c
		}
		return cmp.Compare(a.String(), b.String())
	})
	return keys
}
