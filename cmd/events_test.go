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
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"

	"github.com/vipps-token-operator/vipps-token-operator/internal/tuning"
)

// TestEventRecorderHasALimitOfItsOwn: the manager's client has no limit, and the events go
// through one that has: a burst of events reaches the API server at tuning.EventsQPS.
func TestEventRecorderHasALimitOfItsOwn(t *testing.T) {
	var received atomic.Int32
	apiServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body) // the event as created
	}))
	defer apiServer.Close()
	cfg := &rest.Config{Host: apiServer.URL, QPS: -1}

	recorder, stop, err := startEventRecorder(cfg, scheme)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if cfg.QPS != -1 {
		t.Errorf("the manager's client QPS is %v after the recorder started, want -1 (no limit)", cfg.QPS)
	}
	const sent = 3 * tuning.EventsBurst
	start := time.Now()
	for i := range sent {
		// Each about a Secret of its own: events about one object would join one series.
		regarding := &corev1.ObjectReference{Kind: "Secret", APIVersion: "v1", Namespace: "shop",
			Name: fmt.Sprintf("secret-%d", i)}
		recorder.Eventf(regarding, nil, corev1.EventTypeNormal, "Tested", "Test", "event %d", i)
	}
	time.Sleep(500 * time.Millisecond)
	// At most the burst and what the limit lets through since: a client without a limit
	// would have sent them all by now.
	allowed := tuning.EventsBurst + int(tuning.EventsQPS*time.Since(start).Seconds()) + 1
	if got := int(received.Load()); got < 1 || got > allowed {
		t.Errorf("the API server received %d of %d events within %s, want 1 to %d", got, sent, time.Since(start), allowed)
	}
}
