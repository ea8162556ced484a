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

package localcluster

import (
	"context"
	"fmt"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metrics is one scrape of the manager's metrics endpoint, by family name.
type Metrics map[string]*dto.MetricFamily

var metricsClient = &http.Client{Timeout: 5 * time.Second}

// Metrics scrapes the manager's metrics endpoint.
func (o *Operator) Metrics(ctx context.Context) (Metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.MetricsURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := metricsClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", o.MetricsURL, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	return Metrics(families), err
}

// Sum adds up the counters or gauges of a family whose labels include every one given.
func (m Metrics) Sum(name string, labels map[string]string) float64 {
	total := 0.0
	for _, metric := range m[name].GetMetric() {
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

// Has is true when the family exists with a series carrying the labels given.
func (m Metrics) Has(name string, labels map[string]string) bool {
	for _, metric := range m[name].GetMetric() {
		if hasLabels(metric, labels) {
			return true
		}
	}
	return false
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
