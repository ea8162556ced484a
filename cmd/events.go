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

	"k8s.io/apimachinery/pkg/runtime"
	eventsv1client "k8s.io/client-go/kubernetes/typed/events/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/vipps-token-operator/vipps-token-operator/internal/controller"
	"github.com/vipps-token-operator/vipps-token-operator/internal/tuning"
)

// startEventRecorder starts the recorder of the reconcilers' events on a client of its own,
// limited to tuning.EventsQPS. The manager's recorder shares the manager's client, which has no
// limit by default, and client-go sends each event from a goroutine of its own: a thousand
// token requests at once (a cold start, the return after an outage) sent a thousand events
// at once, and the API server served them in place of target and status writes. A cold
// start of 1000 VippsTokens took 11.1 s that way and 7.3 s with the limit (docs/benchmarks.md).
// stop, once the manager has stopped, takes no more events; those still waiting for the limit
// are lost when the process ends.
func startEventRecorder(cfg *rest.Config, scheme *runtime.Scheme) (
	recorder events.EventRecorder, stop func(), err error) {
	limited := rest.CopyConfig(cfg)
	limited.QPS, limited.Burst = tuning.EventsQPS, tuning.EventsBurst
	client, err := eventsv1client.NewForConfig(limited)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the events client: %w", err)
	}
	broadcaster := events.NewBroadcaster(&events.EventSinkImpl{Interface: client})
	// The recording is not cancelled when the manager stops: each event still waiting for
	// the limit would log an error as it gave up. The process ends right after, and they with it.
	logger := ctrl.Log.WithName("events")
	if err := broadcaster.StartRecordingToSinkWithContext(log.IntoContext(context.Background(), logger)); err != nil {
		return nil, nil, fmt.Errorf("starting the event recorder: %w", err)
	}
	// As the manager's recorder does: each event in the debug log.
	stopLogging, err := broadcaster.StartLogging(logger.V(1))
	if err != nil {
		broadcaster.Shutdown()
		return nil, nil, fmt.Errorf("starting the event log: %w", err)
	}
	stop = func() {
		stopLogging()
		broadcaster.Shutdown()
	}
	return broadcaster.NewRecorder(scheme, controller.EventSource), stop, nil
}
