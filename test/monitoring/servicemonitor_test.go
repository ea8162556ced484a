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

package monitoring

import (
	"testing"

	"sigs.k8s.io/yaml"
)

// TestAlertsFollowTheServiceMonitor checks what the alerts assume of the scrape that
// config/prometheus sets up: the job that the operator's absence is noticed by, and the
// label that names a VippsToken's namespace.
func TestAlertsFollowTheServiceMonitor(t *testing.T) {
	var kustomization struct {
		NamePrefix string `json:"namePrefix"`
	}
	var service struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	var monitor struct {
		Spec struct {
			JobLabel  string `json:"jobLabel"`
			Endpoints []struct {
				HonorLabels bool `json:"honorLabels"`
			} `json:"endpoints"`
		} `json:"spec"`
	}
	for file, into := range map[string]any{
		"config/default/kustomization.yaml":   &kustomization,
		"config/default/metrics_service.yaml": &service,
		"config/prometheus/monitor.yaml":      &monitor,
	} {
		if err := yaml.Unmarshal(readRepoFile(t, file), into); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}

	// Without a jobLabel, the Prometheus Operator names the job after the Service.
	if monitor.Spec.JobLabel != "" {
		t.Fatalf("the ServiceMonitor sets jobLabel %q, so its job is no longer the metrics Service's name "+
			"that VippsTokenOperatorAbsent selects", monitor.Spec.JobLabel)
	}
	job := kustomization.NamePrefix + service.Metadata.Name
	for _, endpoint := range monitor.Spec.Endpoints {
		if !endpoint.HonorLabels {
			t.Errorf("a ServiceMonitor endpoint without honorLabels: true renames the VippsTokens' namespace " +
				"label exported_namespace, and the alerts and dashboard would name the operator's namespace")
		}
	}

	var absent []query
	for _, q := range ruleQueries(t) {
		if q.where == "alert VippsTokenOperatorAbsent" {
			absent = append(absent, q)
		}
	}
	if len(absent) != 1 {
		t.Fatalf("want one alert VippsTokenOperatorAbsent, found %d", len(absent))
	}
	selected := false
	for _, sel := range parse(t, []string{absent[0].expr})[0].Selectors {
		for _, m := range sel.Matchers {
			if sel.Metric == "up" && m.Label == "job" && m.Op == "=" {
				selected = true
				if m.Value != job {
					t.Errorf("VippsTokenOperatorAbsent selects job %q; the metrics Service is %q", m.Value, job)
				}
			}
		}
	}
	if !selected {
		t.Errorf("VippsTokenOperatorAbsent does not select up{job=%q}: %s", job, absent[0].expr)
	}
}
