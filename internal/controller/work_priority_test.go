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
	"context"
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestWorkPriority(t *testing.T) {
	now := decisionIssuedAt
	in := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }
	valid := tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{RenewalTime: in(40 * time.Minute), ExpiresAt: in(time.Hour)}}
	tests := []struct {
		name      string
		status    tokensv1alpha1.VippsTokenStatus
		unchanged bool
		want      int
	}{
		{"valid token, changed: ordinary", valid, false, priorityOrdinary},
		{"valid token, unchanged (initial list, resync): low", valid, true, priorityLow},
		{"new VippsToken, no status yet", tokensv1alpha1.VippsTokenStatus{}, false, priorityUrgent},
		{"no token in the initial list", tokensv1alpha1.VippsTokenStatus{}, true, priorityUrgent},
		{"a failure left no token, its retry not yet due", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				NextRetryTime: in(time.Minute),
			},
		}, true, priorityUrgent},
		{"expired", tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{RenewalTime: in(-time.Hour), ExpiresAt: in(-time.Second)}}, true, priorityUrgent},
		{"expiring this instant", tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{RenewalTime: in(-time.Hour), ExpiresAt: in(0)}}, true, priorityUrgent},
		{"renewal time passed", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime: in(-time.Second),
				ExpiresAt:   in(time.Minute),
			},
		}, true, priorityUrgent},
		{"renewal time this instant", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime: in(0),
				ExpiresAt:   in(time.Minute),
			},
		}, true, priorityUrgent},
		{"renewal failed, retry due", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(-time.Second),
				ExpiresAt:     in(time.Minute),
			},
		}, true, priorityUrgent},
		{"renewal failed, retry not due: the token serves", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(10 * time.Second),
				ExpiresAt:     in(time.Minute),
			},
		}, true, priorityLow},
		{"renewal failed, retry not due, changed", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(10 * time.Second),
				ExpiresAt:     in(time.Minute),
			},
		}, false, priorityOrdinary},
		{"renewal failed, retry after the expiry that has come", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime:   in(-time.Minute),
				NextRetryTime: in(time.Hour),
				ExpiresAt:     in(-time.Second),
			},
		}, false, priorityUrgent},
		{"no renewal time known, valid token", tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{ExpiresAt: in(time.Minute)}}, true, priorityLow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workPriority(now, &tt.status, tt.unchanged); got != tt.want {
				t.Errorf("workPriority() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestWorkPrioritiesAreOrdered(t *testing.T) {
	if priorityUrgent <= priorityOrdinary || priorityOrdinary <= priorityLow {
		t.Errorf("want urgent > ordinary > low, got %d, %d, %d", priorityUrgent, priorityOrdinary, priorityLow)
	}
}

func TestRequeuePriority(t *testing.T) {
	failed := errors.New("the API server refused the write")
	tests := []struct {
		name   string
		result ctrl.Result
		err    error
		want   *int
	}{
		{"a renewal, retry or expiry scheduled: urgent when it fires", ctrl.Result{RequeueAfter: 40 * time.Minute}, nil,
			new(priorityUrgent)},
		{"nothing scheduled: the queue's choice", ctrl.Result{}, nil, nil},
		{"a failure is retried urgently, never at the initial list's low priority", ctrl.Result{}, failed,
			new(priorityUrgent)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := requeuePriority(tt.result, tt.err)
			switch {
			case got == nil && tt.want == nil:
			case got == nil || tt.want == nil || *got != *tt.want:
				t.Errorf("requeuePriority() = %v, want %v", deref(got), deref(tt.want))
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestEnqueueByUrgency: the VippsToken watch's handler puts a token that is due ahead of a
// change, and a change ahead of what the initial list and a resync bring unchanged.
func TestEnqueueByUrgency(t *testing.T) {
	now := decisionIssuedAt
	in := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }
	token := func(name, resourceVersion string, status tokensv1alpha1.VippsTokenStatus) *tokensv1alpha1.VippsToken {
		return &tokensv1alpha1.VippsToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: name, ResourceVersion: resourceVersion},
			Status:     status,
		}
	}
	valid := tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{RenewalTime: in(time.Minute), ExpiresAt: in(time.Hour)}}
	due := tokensv1alpha1.VippsTokenStatus{TokenStatus: tokensv1alpha1.TokenStatus{RenewalTime: in(-time.Second), ExpiresAt: in(time.Minute)}}

	queue := priorityqueue.New[reconcile.Request]("test-enqueue-by-urgency")
	defer queue.ShutDown()
	h := enqueueByUrgency{clock: clocktesting.NewFakePassiveClock(now)}
	ctx := context.Background()
	h.Create(ctx, event.CreateEvent{Object: token("listed", "1", valid), IsInInitialList: true}, queue)
	h.Create(ctx, event.CreateEvent{Object: token("listed-due", "1", due), IsInInitialList: true}, queue)
	h.Update(ctx, event.UpdateEvent{ObjectOld: token("changed", "1", valid), ObjectNew: token("changed", "2", valid)}, queue)
	h.Update(ctx, event.UpdateEvent{ObjectOld: token("resynced", "1", valid), ObjectNew: token("resynced", "1", valid)}, queue)
	h.Create(ctx, event.CreateEvent{Object: token("created", "1", tokensv1alpha1.VippsTokenStatus{})}, queue)

	want := []struct {
		name     string
		priority int
	}{
		{"listed-due", priorityUrgent}, {"created", priorityUrgent}, {"changed", priorityOrdinary},
		{"listed", priorityLow}, {"resynced", priorityLow},
	}
	for _, w := range want {
		req, priority, _ := queue.GetWithPriority()
		if req.Name != w.name || priority != w.priority {
			t.Errorf("got %s at %d, want %s at %d", req.Name, priority, w.name, w.priority)
		}
		queue.Done(req)
	}
}

// TestEnqueueByUrgencyRaisesLowItemsWhenDue: an item of the initial list waits at low
// priority, but not past the moment its token comes due, whether or not it was reconciled.
func TestEnqueueByUrgencyRaisesLowItemsWhenDue(t *testing.T) {
	now := time.Now()
	listed := &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "payments", Name: "listed", ResourceVersion: "1"},
		Status: tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				RenewalTime: &metav1.Time{Time: now.Add(200 * time.Millisecond)},
				ExpiresAt:   &metav1.Time{Time: now.Add(time.Hour)},
			},
		},
	}
	queue := priorityqueue.New[reconcile.Request]("test-enqueue-by-urgency-due")
	defer queue.ShutDown()
	enqueueByUrgency{clock: clocktesting.NewFakePassiveClock(now)}.
		Create(context.Background(), event.CreateEvent{Object: listed, IsInInitialList: true}, queue)

	time.Sleep(400 * time.Millisecond)
	req, priority, _ := queue.GetWithPriority()
	if req.Name != "listed" || priority != priorityUrgent {
		t.Errorf("got %s at %d once its renewal time passed, want listed at %d", req.Name, priority, priorityUrgent)
	}
}
