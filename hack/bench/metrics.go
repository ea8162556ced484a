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
	"net/http"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
)

// metrics is one scrape of the manager's metrics endpoint, with the readings the benchmark
// takes from it.
type metrics struct{ localcluster.Metrics }

func scrape(ctx context.Context, op *localcluster.Operator) (metrics, error) {
	m, err := op.Metrics(ctx)
	return metrics{m}, err
}

// requests are the API requests the manager made, by verb (rest_client_requests_total).
type requests map[string]float64

func (m metrics) requestsByVerb() requests {
	out := requests{}
	for _, metric := range m.Metrics["rest_client_requests_total"].GetMetric() {
		for _, pair := range metric.GetLabel() {
			if pair.GetName() == "method" {
				out[pair.GetValue()] += metric.GetCounter().GetValue()
			}
		}
	}
	return out
}

// writeVerbs are the verbs that change something.
var writeVerbs = []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (r requests) writes() float64 {
	total := 0.0
	for _, verb := range writeVerbs {
		total += r[verb]
	}
	return total
}

// minus is r - earlier, verb by verb.
func (r requests) minus(earlier requests) requests {
	out := requests{}
	for verb, n := range r {
		if d := n - earlier[verb]; d != 0 {
			out[verb] = d
		}
	}
	return out
}

// controllerLabels select the VippsToken controller's series.
var (
	controllerLabels = map[string]string{"controller": "vippstoken"}
	queueLabels      = map[string]string{"name": "vippstoken"}
)

// reconciles is how many times the VippsToken controller has reconciled.
func (m metrics) reconciles() float64 {
	return m.Sum("controller_runtime_reconcile_total", controllerLabels)
}

// controllerStarted is true once the VippsToken controller has started (it then exports
// its reconcile counters, at zero).
func (m metrics) controllerStarted() bool {
	return m.Has("controller_runtime_reconcile_total", controllerLabels)
}

// busy is true while the controller has something queued or in progress. The queue's
// depth is exported only once something was queued; absent, it is zero.
func (m metrics) busy() bool {
	return m.Sum("workqueue_depth", queueLabels) > 0 || m.Sum("controller_runtime_active_workers", controllerLabels) > 0
}
