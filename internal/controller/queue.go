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
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// newWorkQueue is the controller's priority queue, as controller-runtime builds it, made safe
// to shut down.
func newWorkQueue(log logr.Logger) func(string, workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request] {
	return func(name string, rateLimiter workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request] {
		return newShutdownSafeQueue(priorityqueue.New(name, func(o *priorityqueue.Opts[reconcile.Request]) {
			o.Log = log.WithValues("controller", name)
			o.RateLimiter = rateLimiter
		}))
	}
}

// shutdownSafeQueue keeps a deadlock of controller-runtime v0.24's priority queue from
// holding the manager's shutdown until its timeout ("waiting for all workers to finish").
//
// A worker parked in GetWithPriority leaves on ShutDown without being taken off the queue's
// count of waiters. When a reconcile in flight then calls Done, the queue may (Go picks one of
// two ready select cases at random) hand the next item to the waiter that left: the send
// blocks forever, under the locks that Done and GetWithPriority take, and every worker still
// in flight blocks in Done. controller-runtime v0.25 fixed it (the send also watches the
// queue's shutdown); until the operator moves to it, Done and GetWithPriority here give up
// waiting for the queue once it is shut down, when nothing they would return matters.
type shutdownSafeQueue[T comparable] struct {
	priorityqueue.PriorityQueue[T]
	stopped  chan struct{}
	stopOnce sync.Once
}

func newShutdownSafeQueue[T comparable](q priorityqueue.PriorityQueue[T]) *shutdownSafeQueue[T] {
	return &shutdownSafeQueue[T]{PriorityQueue: q, stopped: make(chan struct{})}
}

func (q *shutdownSafeQueue[T]) GetWithPriority() (T, int, bool) {
	type got struct {
		item     T
		priority int
		shutdown bool
	}
	result := make(chan got, 1)
	if !q.unlessStopped(func() {
		item, priority, shutdown := q.PriorityQueue.GetWithPriority()
		result <- got{item, priority, shutdown}
	}) {
		var none T
		return none, 0, true
	}
	g := <-result
	return g.item, g.priority, g.shutdown
}

func (q *shutdownSafeQueue[T]) Get() (T, bool) {
	item, _, shutdown := q.GetWithPriority()
	return item, shutdown
}

func (q *shutdownSafeQueue[T]) Done(item T) {
	q.unlessStopped(func() { q.PriorityQueue.Done(item) })
}

func (q *shutdownSafeQueue[T]) ShutDown() {
	q.stopOnce.Do(func() { close(q.stopped) })
	q.PriorityQueue.ShutDown()
}

func (q *shutdownSafeQueue[T]) ShutDownWithDrain() { q.ShutDown() }

// unlessStopped runs f and waits until it returns (true) or the queue is shut down (false),
// whichever comes first. An f left behind ends when the queue lets it, or with the process.
func (q *shutdownSafeQueue[T]) unlessStopped(f func()) bool {
	select {
	case <-q.stopped:
		return false
	default:
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		f()
	}()
	select {
	case <-finished:
		return true
	case <-q.stopped:
		return false
	}
}
