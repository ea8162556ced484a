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
	"encoding/json"
	"testing"
)

// selection is what the selectors module (./selectors, Prometheus's own PromQL parser)
// makes of one expression.
type selection struct {
	Error     string `json:"error"`
	Selectors []struct {
		Metric   string `json:"metric"`
		Matchers []struct {
			Label string `json:"label"`
			Op    string `json:"op"`
			Value string `json:"value"`
		} `json:"matchers"`
	} `json:"selectors"`
	Groupings []struct {
		Labels  []string `json:"labels"`
		Metrics []string `json:"metrics"`
	} `json:"groupings"`
}

// parse parses exprs with Prometheus's parser. It runs in a module of its own, so that the
// operator's go.mod does not take on Prometheus's requirements (see selectors/main.go).
func parse(t *testing.T, exprs []string) []selection {
	t.Helper()
	in, err := json.Marshal(exprs)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, repoFile("test/monitoring/selectors"), in, "go", "run", ".")
	var selections []selection
	if err := json.Unmarshal(out, &selections); err != nil {
		t.Fatalf("reading what the selectors module printed: %v\n%s", err, out)
	}
	if len(selections) != len(exprs) {
		t.Fatalf("%d expressions parsed into %d results", len(exprs), len(selections))
	}
	return selections
}
