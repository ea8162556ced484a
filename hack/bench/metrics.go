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
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metrics is one scrape of the manager's metrics endpoint.
type metrics map[string]*dto.MetricFamily

var metricsClient = &http.Client{Timeout: 5 * time.Second}

func scrape(ctx context.Context, url string) (metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := metricsClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	return metrics(families), err
}

// sum adds up the counters or gauges of a family whose labels include every one given.
func (m metrics) sum(name string, labels map[string]string) float64 {
	family := m[name]
	if family == nil {
		return 0
	}
	total := 0.0
	for _, metric := range family.GetMetric() {
		if !hasLabels(metric, labels) {
			continue
		}
		switch {
		case metric.Counter != nil:
			total += metric.Counter.GetValue()
		case metric.Gauge != nil:
			total += metric.Gauge.GetValue()
		}
	}
	return total
}

func hasLabels(metric *dto.Metric, want map[string]string) bool {
	found := 0
	for _, pair := range metric.GetLabel() {
		if v, ok := want[pair.GetName()]; ok {
			if v != pair.GetValue() {
				return false
			}
			found++
		}
	}
	return found == len(want)
}

// has is true when the family exists with a series carrying the labels given.
func (m metrics) has(name string, labels map[string]string) bool {
	for _, metric := range m[name].GetMetric() {
		if hasLabels(metric, labels) {
			return true
		}
	}
	return false
}

// requests are the API requests the manager made, by verb (rest_client_requests_total).
type requests map[string]float64

func (m metrics) requestsByVerb() requests {
	out := requests{}
	for _, metric := range m["rest_client_requests_total"].GetMetric() {
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
	return m.sum("controller_runtime_reconcile_total", controllerLabels)
}

// controllerStarted is true once the VippsToken controller has started (it then exports
// its reconcile counters, at zero).
func (m metrics) controllerStarted() bool {
	return m.has("controller_runtime_reconcile_total", controllerLabels)
}

// busy is true while the controller has something queued or in progress. The queue's
// depth is exported only once something was queued; absent, it is zero.
func (m metrics) busy() bool {
	return m.sum("workqueue_depth", queueLabels) > 0 || m.sum("controller_runtime_active_workers", controllerLabels) > 0
}
