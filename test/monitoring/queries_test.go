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
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// query is one PromQL expression that the project ships.
type query struct {
	where string
	// text is the query as written; expr is what Prometheus is sent (Grafana's variables
	// replaced).
	text, expr string
	// label is the label whose values a Grafana variable lists (label_values(expr, label)).
	label string
}

// targetLabels are the labels that Prometheus, scraping through a ServiceMonitor, adds to
// every series of a target.
var targetLabels = []string{"job", "instance", "namespace", "service", "pod", "container", "endpoint"}

// prometheusSeries are the series that Prometheus writes of each scrape itself.
var prometheusSeries = []string{"up"}

// TestQueriesSelectWhatTheOperatorExports parses every query of the alerts and of the
// dashboard with Prometheus's parser, and checks that each selects metrics and labels that
// a running manager serves, and label values it was seen to serve: a misspelt name or
// label selects nothing and fails silently in Prometheus and Grafana.
func TestQueriesSelectWhatTheOperatorExports(t *testing.T) {
	queries := append(ruleQueries(t), dashboardQueries(t)...)
	exprs := make([]string, 0, len(queries))
	for _, q := range queries {
		exprs = append(exprs, q.expr)
	}
	selections := parse(t, exprs)
	for i, s := range selections {
		if s.Error != "" {
			t.Errorf("%s: %s\ndoes not parse: %s", queries[i].where, queries[i].text, s.Error)
		}
	}
	if t.Failed() {
		return
	}

	series := scrapeOperator(t)
	for i, s := range selections {
		for _, problem := range problems(s, queries[i].label, series) {
			t.Errorf("%s: %s\n%s", queries[i].where, queries[i].text, problem)
		}
	}
}

// problems lists what in one parsed query selects nothing the operator serves.
func problems(s selection, variableLabel string, series exported) []string {
	var found []string
	labelsOf := func(metric string) (map[string]map[string]bool, bool) {
		if slices.Contains(prometheusSeries, metric) {
			return nil, true
		}
		labels, ok := series[metric]
		return labels, ok
	}
	hasLabel := func(metrics []string, label string) bool {
		return slices.Contains(targetLabels, label) || slices.ContainsFunc(metrics, func(m string) bool {
			labels, known := labelsOf(m)
			return !known || labels[label] != nil // an unknown metric is a problem of its own
		})
	}
	metrics := make([]string, 0, len(s.Selectors))
	for _, sel := range s.Selectors {
		metrics = append(metrics, sel.Metric)
		labels, ok := labelsOf(sel.Metric)
		switch {
		case sel.Metric == "":
			found = append(found, "a selector without a plain metric name, which this test cannot check")
			continue
		case !ok:
			found = append(found, fmt.Sprintf("the operator serves no series %q", sel.Metric))
			continue
		}
		for _, m := range sel.Matchers {
			values := labels[m.Label]
			switch {
			case slices.Contains(targetLabels, m.Label):
			case values == nil:
				found = append(found, fmt.Sprintf("%s has no label %q", sel.Metric, m.Label))
			case (m.Op == "=" || m.Op == "!=") && !strings.Contains(m.Value, "$") && !values[m.Value]:
				found = append(found, fmt.Sprintf("%s was never seen with %s=%q, only with %v",
					sel.Metric, m.Label, m.Value, keys(values)))
			}
		}
	}
	for _, g := range s.Groupings {
		for _, label := range g.Labels {
			if !hasLabel(g.Metrics, label) {
				found = append(found, fmt.Sprintf("grouping by %q: none of %v has it", label, g.Metrics))
			}
		}
	}
	if variableLabel != "" && !hasLabel(metrics, variableLabel) {
		found = append(found, fmt.Sprintf("the variable lists values of %q, which none of %v has", variableLabel, metrics))
	}
	return found
}

func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ruleQueries are the expressions of the shipped alerts.
func ruleQueries(t *testing.T) []query {
	t.Helper()
	rule, _ := shippedRule(t)
	var queries []query
	for _, group := range rule.Spec.Groups {
		for _, r := range group.Rules {
			queries = append(queries, query{where: "alert " + r.Alert, text: r.Expr, expr: r.Expr})
		}
	}
	if len(queries) == 0 {
		t.Fatal("config/prometheus/rules.yaml has no rules")
	}
	return queries
}

// dashboard is the part of a Grafana dashboard that holds queries.
type dashboard struct {
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name string `json:"name"`
			Type string `json:"type"`
			// A string, or an object with the string in "query" (newer Grafana).
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// grafanaIntervals stands in for Grafana's own range variables, so that the parser sees
// what Prometheus will.
var grafanaIntervals = strings.NewReplacer(
	"$__rate_interval", "5m", "${__rate_interval}", "5m",
	"$__interval", "1m", "${__interval}", "1m",
	"$__range", "6h", "${__range}", "6h",
)

// labelValues is a Grafana query variable's label_values(selector, label).
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

// dashboardQueries are the queries of config/grafana's dashboard: every panel's targets
// and every query variable's.
func dashboardQueries(t *testing.T) []query {
	t.Helper()
	const file = "config/grafana/vipps-token-operator.json"
	var d dashboard
	if err := json.Unmarshal(readRepoFile(t, file), &d); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var queries []query
	var walk func([]panel)
	walk = func(panels []panel) {
		for _, p := range panels {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no queries", file, p.Title)
			}
			for _, target := range p.Targets {
				where := fmt.Sprintf("panel %q, query %s", p.Title, target.RefID)
				if target.Expr == "" {
					t.Errorf("%s: %s has no expr", file, where)
				}
				queries = append(queries, query{where: where, text: target.Expr, expr: grafanaIntervals.Replace(target.Expr)})
			}
		}
	}
	walk(d.Panels)

	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		where := fmt.Sprintf("variable %q", v.Name)
		var text string
		if json.Unmarshal(v.Query, &text) != nil {
			var object struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &object); err != nil {
				t.Fatalf("%s: %s: %v", file, where, err)
			}
			text = object.Query
		}
		m := labelValues.FindStringSubmatch(strings.TrimSpace(text))
		if m == nil {
			t.Errorf("%s: %s: %q is not label_values(selector, label), which this test reads", file, where, text)
			continue
		}
		queries = append(queries, query{where: where, text: text, expr: m[1], label: m[2]})
	}
	if len(queries) == 0 {
		t.Fatalf("%s has no queries", file)
	}
	return queries
}
