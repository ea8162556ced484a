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

// Command selectors parses PromQL expressions with Prometheus's own parser and prints the
// metrics and labels each one selects, for test/monitoring to check against what the
// operator exports. It is a module of its own so that the operator's go.mod does not take
// on Prometheus's requirements, which would raise shared dependencies of the manager.
//
// It reads a JSON array of expressions on stdin and writes a JSON array of results, one
// per expression, in the same order.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/promql/parser"
)

// result is what one expression selects, or why it does not parse.
type result struct {
	Error     string     `json:"error,omitempty"`
	Selectors []selector `json:"selectors,omitempty"`
	Groupings []grouping `json:"groupings,omitempty"`
}

// selector is one vector selector: a metric name and its label matchers. Metric is empty
// when the name is not given plainly (a regular expression on __name__, for example).
type selector struct {
	Metric   string    `json:"metric"`
	Matchers []matcher `json:"matchers"`
}

type matcher struct {
	Label string `json:"label"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

// grouping is the labels of an aggregation's by (or without) clause and the metrics it
// aggregates, whose labels they should be.
type grouping struct {
	Labels  []string `json:"labels"`
	Metrics []string `json:"metrics"`
}

func main() {
	var exprs []string
	if err := json.NewDecoder(os.Stdin).Decode(&exprs); err != nil {
		fmt.Fprintln(os.Stderr, "selectors: reading a JSON array of expressions:", err)
		os.Exit(2)
	}
	// The defaults are what a Prometheus without feature flags accepts.
	p := parser.NewParser(parser.Options{})
	results := make([]result, 0, len(exprs))
	for _, expr := range exprs {
		results = append(results, inspect(p, expr))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "selectors:", err)
		os.Exit(1)
	}
}

func inspect(p parser.Parser, expr string) result {
	ast, err := p.ParseExpr(expr)
	if err != nil {
		return result{Error: err.Error()}
	}
	var r result
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			r.Selectors = append(r.Selectors, selectorOf(n))
		case *parser.AggregateExpr:
			if len(n.Grouping) > 0 {
				r.Groupings = append(r.Groupings, grouping{Labels: n.Grouping, Metrics: metricsIn(n.Expr)})
			}
		}
		return nil
	})
	return r
}

func selectorOf(vs *parser.VectorSelector) selector {
	s := selector{Metric: vs.Name}
	for _, m := range vs.LabelMatchers {
		if m.Name == "__name__" && m.Value == vs.Name {
			continue // the name itself
		}
		s.Matchers = append(s.Matchers, matcher{Label: m.Name, Op: m.Type.String(), Value: m.Value})
	}
	return s
}

// metricsIn names the metrics that expr selects.
func metricsIn(expr parser.Expr) []string {
	var names []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}
