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
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
)

// TestShutdownSafeQueueLetsWorkersFinish replays the shutdown that held the manager until its
// timeout: two reconciles in flight, one of them changed meanwhile (as the watch of its own
// writes does), and an idle worker parked in GetWithPriority. The first reconcile's Done makes
// the queue hand the changed item to the idle worker; the shutdown comes just then, and the
// idle worker leaves. controller-runtime v0.24's queue then blocks in the hand-over for good,
// and the second reconcile's Done with it. The queue's depth metric pauses the hand-over at
// that point, so that the replay does not depend on the scheduler's luck.
func TestShutdownSafeQueueLetsWorkersFinish(t *testing.T) {
	handingOver := &atomic.Pointer[func()]{}
	inner := priorityqueue.New[string]("shutdown-safe-queue-test", func(o *priorityqueue.Opts[string]) {
		o.MetricProvider = hookedMetrics{onGet: handingOver}
	})
	q := newShutdownSafeQueue(inner)

	q.Add("a")
	q.Add("b")
	a, _ := q.Get()
	b, _ := q.Get()
	q.Add(a) // changed while in flight: ready again, held back until a's Done

	idleLeft := make(chan struct{})
	go func() {
		defer close(idleLeft)
		if _, shutdown := q.Get(); !shutdown {
			t.Error("the idle worker got an item after the shutdown")
		}
	}()
	time.Sleep(20 * time.Millisecond) // the idle worker is parked in GetWithPriority

	shutdownDuringHandOver := func() {
		q.ShutDown()
		<-idleLeft
	}
	handingOver.Store(&shutdownDuringHandOver)

	finished := make(chan struct{})
	go func() {
		defer close(finished)
		q.Done(a) // hands a over to the idle worker, which leaves
		time.Sleep(20 * time.Millisecond)
		q.Done(b)
		if _, shutdown := q.Get(); !shutdown {
			t.Error("a worker got an item after the shutdown")
		}
	}()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("a worker is stuck in the queue after its shutdown")
	}
}

// hookedMetrics counts nothing; the depth gauge's Dec, which the queue calls as it hands an
// item to a waiting worker, runs the hook stored in onGet, once.
type hookedMetrics struct{ onGet *atomic.Pointer[func()] }

func (m hookedMetrics) NewDepthMetric(string) workqueue.GaugeMetric { return hookedGauge(m) }
func (hookedMetrics) NewAddsMetric(string) workqueue.CounterMetric  { return noMetric{} }
func (hookedMetrics) NewLatencyMetric(string) workqueue.HistogramMetric {
	return noMetric{}
}
func (hookedMetrics) NewWorkDurationMetric(string) workqueue.HistogramMetric { return noMetric{} }
func (hookedMetrics) NewUnfinishedWorkSecondsMetric(string) workqueue.SettableGaugeMetric {
	return noMetric{}
}
func (hookedMetrics) NewLongestRunningProcessorSecondsMetric(string) workqueue.SettableGaugeMetric {
	return noMetric{}
}
func (hookedMetrics) NewRetriesMetric(string) workqueue.CounterMetric { return noMetric{} }

type hookedGauge hookedMetrics

func (hookedGauge) Inc() {}
func (g hookedGauge) Dec() {
	if hook := g.onGet.Swap(nil); hook != nil {
		(*hook)()
	}
}

type noMetric struct{}

func (noMetric) Inc()            {}
func (noMetric) Set(float64)     {}
func (noMetric) Observe(float64) {}
