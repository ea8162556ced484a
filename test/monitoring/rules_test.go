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
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// prometheusRule is the part of the shipped PrometheusRule that the tests read.
type prometheusRule struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Groups []struct {
			Rules []struct {
				Alert string `json:"alert"`
				Expr  string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

// shippedRule reads config/prometheus/rules.yaml.
func shippedRule(t *testing.T) (prometheusRule, []byte) {
	t.Helper()
	data := readRepoFile(t, "config/prometheus/rules.yaml")
	var rule prometheusRule
	if err := yaml.Unmarshal(data, &rule); err != nil {
		t.Fatalf("config/prometheus/rules.yaml: %v", err)
	}
	if rule.APIVersion != "monitoring.coreos.com/v1" || rule.Kind != "PrometheusRule" {
		t.Fatalf("config/prometheus/rules.yaml is a %s %s, not a monitoring.coreos.com/v1 PrometheusRule",
			rule.APIVersion, rule.Kind)
	}
	return rule, data
}

// writeRuleFile writes the spec of the shipped PrometheusRule, as it is, as a Prometheus
// rule file, which is what the Prometheus Operator makes of it for Prometheus.
func writeRuleFile(t *testing.T, path string) {
	t.Helper()
	_, data := shippedRule(t)
	var object struct {
		Spec map[string]any `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &object); err != nil {
		t.Fatal(err)
	}
	spec, err := yaml.Marshal(object.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, spec, 0o600); err != nil {
		t.Fatal(err)
	}
}

// promtool is the promtool that make test builds and names in PROMTOOL, or bin/promtool.
func promtool(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PROMTOOL")
	if path == "" {
		path = repoFile("bin/promtool")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("promtool, which tests the alerts, is missing: run `make promtool` to build it into bin/, "+
			"or set PROMTOOL to one (%v)", err)
	}
	return path
}

// TestAlertRules checks the shipped alerts with promtool and runs their unit tests,
// testdata/rules_test.yaml, against them.
func TestAlertRules(t *testing.T) {
	tool := promtool(t)
	dir := t.TempDir()
	writeRuleFile(t, filepath.Join(dir, "rules.yaml"))
	// promtool finds the rule file (rule_files: [rules.yaml]) next to the tests.
	tests := readRepoFile(t, "test/monitoring/testdata/rules_test.yaml")
	if err := os.WriteFile(filepath.Join(dir, "rules_test.yaml"), tests, 0o600); err != nil {
		t.Fatal(err)
	}

	run(t, dir, nil, tool, "check", "rules", "--lint=all", "--lint-fatal", "rules.yaml")
	out := run(t, dir, nil, tool, "test", "rules", "rules_test.yaml")
	t.Logf("promtool test rules:\n%s", out)
}
