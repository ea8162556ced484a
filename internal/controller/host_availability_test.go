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
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

// The tracker on a fake clock, its work queue a record: what the envtest specs cannot time
// exactly (which VippsToken is offered the probe, in which order the waiting ones come back).

// enqueued records what the tracker adds to the work queue.
type enqueued struct {
	mu    sync.Mutex
	calls []enqueueCall
}

type enqueueCall struct {
	priority int
	keys     []types.NamespacedName
}

func (e *enqueued) add(priority int, keys []types.NamespacedName) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, enqueueCall{priority, slices.Clone(keys)})
}

// next waits for the next call after the n seen so far: timers run their function in a
// goroutine of its own.
func (e *enqueued) next(t *testing.T, n int) enqueueCall {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		e.mu.Lock()
		if len(e.calls) > n {
			call := e.calls[n]
			e.mu.Unlock()
			return call
		}
		e.mu.Unlock()
	}
	t.Fatalf("nothing enqueued after %d calls", n)
	return enqueueCall{}
}

// none checks that nothing was enqueued after the first n calls, for a moment.
func (e *enqueued) none(t *testing.T, n int) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.calls) > n {
		t.Fatalf("enqueued %v, want nothing more", e.calls[n:])
	}
}

func newTestHosts(t *testing.T) (*hostAvailability, *clocktesting.FakeClock, *enqueued) {
	t.Helper()
	clock := clocktesting.NewFakeClock(hostNow)
	hosts := newHostAvailability(clock, newOperatorMetrics())
	record := &enqueued{}
	hosts.enqueue = record.add
	return hosts, clock, record
}

// gaugeValue reads one series of a gauge.
func gaugeValue(t *testing.T, gauge prometheus.Gauge) float64 {
	t.Helper()
	m := &dto.Metric{}
	if err := gauge.Write(m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

func key(name string) types.NamespacedName {
	return types.NamespacedName{Namespace: "shop", Name: name}
}

func wantAdmission(t *testing.T, got, want admission) {
	t.Helper()
	if got != want {
		t.Fatalf("admit() = %v, want %v", got, want)
	}
}

func wantEnqueued(t *testing.T, call enqueueCall, keys ...types.NamespacedName) {
	t.Helper()
	if call.priority != priorityRecovered || !slices.Equal(call.keys, keys) {
		t.Fatalf("enqueued %v at %d, want %v at priorityRecovered", call.keys, call.priority, keys)
	}
}

func TestHostAvailabilityOneProbeThenEveryWaitingTokenMostUrgentFirst(t *testing.T) {
	const host = "one-probe.example"
	hosts, clock, record := newTestHosts(t)
	unavailable := vippsAPIError(t, http.StatusServiceUnavailable, "")
	at := func(d time.Duration) time.Time { return hostNow.Add(d) }

	verdict, _ := hosts.admit(t.Context(), host, key("a"), at(10*time.Second), false)
	wantAdmission(t, verdict, admitConfirm) // never heard from
	state := hosts.report(host, key("a"), at(10*time.Second), verdict, unavailable)
	if state.phase != hostDown {
		t.Fatalf("after a 503 the host is %q, want down", state.phase)
	}
	if got := gaugeValue(t, hosts.metrics.hostState.WithLabelValues(host, string(hostDown))); got != 1 {
		t.Errorf("vipps_token_host_state{state=down} = %v, want 1", got)
	}
	if got := gaugeValue(t, hosts.metrics.hostDownSince.WithLabelValues(host)); got != float64(hostNow.Unix()) {
		t.Errorf("vipps_token_host_down_since_timestamp_seconds = %v, want %d", got, hostNow.Unix())
	}

	t.Log("the VippsTokens that come due wait, and send nothing")
	for name, expiry := range map[string]time.Time{"expired": at(-time.Minute), "none": {}, "later": at(30 * time.Second)} {
		verdict, _ := hosts.admit(t.Context(), host, key(name), expiry, false)
		wantAdmission(t, verdict, admitWait)
	}
	if !hosts.waiting(key("a")) || !hosts.waiting(key("none")) {
		t.Fatal("the VippsTokens are not kept as waiting")
	}
	record.none(t, 0)

	t.Log("the probe's time: it is offered to the VippsToken whose targets hold no token")
	clock.SetTime(state.nextProbe)
	wantEnqueued(t, record.next(t, 0), key("none"))
	verdict, _ = hosts.admit(t.Context(), host, key("none"), time.Time{}, false)
	wantAdmission(t, verdict, admitProbe)
	verdict, _ = hosts.admit(t.Context(), host, key("expired"), at(-time.Minute), true)
	wantAdmission(t, verdict, admitWait) // one probe at a time, even for a refresh asked for
	if got := gaugeValue(t, hosts.metrics.hostState.WithLabelValues(host, string(hostProbing))); got != 1 {
		t.Errorf("vipps_token_host_state{state=probing} = %v, want 1", got)
	}

	t.Log("the probe succeeds: every waiting VippsToken at once, expired first, then by expiry")
	state = hosts.report(host, key("none"), time.Time{}, admitProbe, nil)
	if !state.up() {
		t.Fatalf("after the probe's success the host is %q, want up", state.phase)
	}
	wantEnqueued(t, record.next(t, 1), key("expired"), key("a"), key("later"))
	if hosts.waiting(key("a")) {
		t.Error("a woken VippsToken is still kept as waiting")
	}
	if !hosts.takeReturning(key("a")) || hosts.takeReturning(key("a")) {
		t.Error("a woken VippsToken is not returning for exactly its next reconcile")
	}
	if hosts.takeReturning(key("none")) {
		t.Error("the probe's VippsToken is returning; its own reconcile saw the success")
	}
	if got := gaugeValue(t, hosts.metrics.hostState.WithLabelValues(host, string(hostUp))); got != 1 {
		t.Errorf("vipps_token_host_state{state=up} = %v, want 1", got)
	}
	if hosts.metrics.hostDownSince.DeleteLabelValues(host) {
		t.Error("vipps_token_host_down_since_timestamp_seconds has a series for a host that is up")
	}
}

func TestHostAvailabilityCredentialsErrorSaysNothingOfTheHost(t *testing.T) {
	const host = "rejected.example"
	hosts, _, _ := newTestHosts(t)
	verdict, _ := hosts.admit(t.Context(), host, key("wrong-secret"), time.Time{}, false)
	wantAdmission(t, verdict, admitConfirm)
	rejected := vippsAPIError(t, http.StatusUnauthorized, "")
	if state := hosts.report(host, key("wrong-secret"), time.Time{}, verdict, rejected); !state.up() {
		t.Fatalf("after a 401 the host is %q, want up", state.phase)
	}
	// The 401 confirmed nothing either: the next request confirms the host.
	verdict, _ = hosts.admit(t.Context(), host, key("right-secret"), time.Time{}, false)
	wantAdmission(t, verdict, admitConfirm)
	hosts.report(host, key("right-secret"), time.Time{}, verdict, nil)
	verdict, _ = hosts.admit(t.Context(), host, key("another"), time.Time{}, false)
	wantAdmission(t, verdict, admitSend)
	if hosts.waiting(key("wrong-secret")) {
		t.Error("a VippsToken with rejected credentials waits for the host")
	}
}

func TestHostAvailabilityRetryAfterHoldsTheProbe(t *testing.T) {
	const host = "rate-limited.example"
	hosts, clock, record := newTestHosts(t)
	verdict, _ := hosts.admit(t.Context(), host, key("a"), time.Time{}, false)
	hosts.report(host, key("a"), time.Time{}, verdict, vippsAPIError(t, http.StatusTooManyRequests, "30"))

	clock.Step(29 * time.Second)
	verdict, _ = hosts.admit(t.Context(), host, key("b"), time.Time{}, true)
	wantAdmission(t, verdict, admitWait) // not even a refresh asked for goes before Retry-After
	record.none(t, 0)

	clock.Step(time.Second)
	if call := record.next(t, 0); len(call.keys) != 1 {
		t.Fatalf("offered the probe to %v, want one VippsToken", call.keys)
	}
}

func TestHostAvailabilityOfferMovesOn(t *testing.T) {
	const host = "moves-on.example"
	hosts, clock, record := newTestHosts(t)
	at := func(d time.Duration) time.Time { return hostNow.Add(d) }
	verdict, _ := hosts.admit(t.Context(), host, key("first"), at(time.Second), false)
	state := hosts.report(host, key("first"), at(time.Second), verdict, vippsAPIError(t, http.StatusBadGateway, ""))
	hosts.admit(t.Context(), host, key("second"), at(time.Minute), false)

	clock.SetTime(state.nextProbe)
	wantEnqueued(t, record.next(t, 0), key("first"))

	t.Log("the first is gone and never takes the probe: the second is offered it")
	hosts.forget(key("first"))
	clock.Step(probeOfferTimeout)
	wantEnqueued(t, record.next(t, 1), key("second"))

	t.Log("its request is rejected (401): that says nothing of the host, and the probe is due again at once")
	verdict, _ = hosts.admit(t.Context(), host, key("second"), at(time.Minute), false)
	wantAdmission(t, verdict, admitProbe)
	hosts.admit(t.Context(), host, key("third"), at(2*time.Minute), false)
	state = hosts.report(host, key("second"), at(time.Minute), admitProbe, vippsAPIError(t, http.StatusUnauthorized, ""))
	if state.phase != hostDown {
		t.Fatalf("after a 401 on the probe the host is %q, want down", state.phase)
	}
	clock.Step(0)
	wantEnqueued(t, record.next(t, 2), key("third"))
}

// reset forgets every host, as a new operator does: the envtest specs share the fake's host.
func (h *hostAvailability) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for host, e := range h.hosts {
		h.stopTimerLocked(e)
		if e.confirmed != nil {
			close(e.confirmed)
		}
		h.metrics.observeHostState(host, hostState{})
	}
	clear(h.hosts)
}

func TestHostAvailabilityQuietHostIsConfirmedByOneRequest(t *testing.T) {
	for _, tt := range []struct {
		name    string
		err     error
		release admission
	}{
		{"it succeeds: the others go", nil, admitSend},
		{"it fails: the others wait for the probe", vippsAPIError(t, http.StatusServiceUnavailable, ""), admitWait},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const host = "quiet.example"
			hosts, _, _ := newTestHosts(t)
			confirm, _ := hosts.admit(t.Context(), host, key("first"), time.Time{}, false)
			wantAdmission(t, confirm, admitConfirm)

			held := make(chan admission, 3)
			for _, name := range []string{"second", "third", "fourth"} {
				go func() {
					verdict, _ := hosts.admit(t.Context(), host, key(name), time.Time{}, false)
					held <- verdict
				}()
			}
			select {
			case verdict := <-held:
				t.Fatalf("a request went (%v) while the confirmation was in flight", verdict)
			case <-time.After(50 * time.Millisecond):
			}
			hosts.report(host, key("first"), time.Time{}, confirm, tt.err)
			for range 3 {
				select {
				case verdict := <-held:
					wantAdmission(t, verdict, tt.release)
				case <-time.After(5 * time.Second):
					t.Fatal("a request still holds after the confirmation ended")
				}
			}
		})
	}
}
