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
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
)

// manager is the manager binary and the settings it runs with.
type manager struct {
	binary string
	// flags are passed to every start of the manager (--operator-flags).
	flags    []string
	settings managerSettings
}

// managerSettings are the manager's tuning flags in effect: its defaults, overridden by
// --operator-flags. The baseline runs with the same client QPS, burst and parallelism.
type managerSettings struct {
	KubeAPIQPS     float64 `json:"kubeAPIQPS"`
	KubeAPIBurst   int     `json:"kubeAPIBurst"`
	MaxConcurrent  int     `json:"maxConcurrentReconciles"`
	VippsRateLimit float64 `json:"vippsRateLimit"`
	VippsRateBurst int     `json:"vippsRateBurst"`
}

func (s managerSettings) String() string {
	return fmt.Sprintf("--kube-api-qps=%g --kube-api-burst=%d --max-concurrent-reconciles=%d "+
		"--vipps-rate-limit=%g --vipps-rate-burst=%d",
		s.KubeAPIQPS, s.KubeAPIBurst, s.MaxConcurrent, s.VippsRateLimit, s.VippsRateBurst)
}

// buildManager builds the manager and learns its settings from its own -h, so that the
// benchmark follows the defaults in cmd/options.go wherever they go.
func buildManager(ctx context.Context, dir string, flags []string) (manager, error) {
	binary, err := localcluster.BuildOperator(ctx, dir)
	if err != nil {
		return manager{}, err
	}
	help, _ := exec.CommandContext(ctx, binary, "-h").CombinedOutput() // -h exits 0 or 2 by Go version
	values := flagDefaults(string(help))
	for _, f := range flags {
		name, value, ok := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if ok {
			values[name] = value
		}
	}
	var s managerSettings
	for name, into := range map[string]any{
		"kube-api-qps": &s.KubeAPIQPS, "kube-api-burst": &s.KubeAPIBurst,
		"max-concurrent-reconciles": &s.MaxConcurrent,
		"vipps-rate-limit":          &s.VippsRateLimit, "vipps-rate-burst": &s.VippsRateBurst,
	} {
		raw, ok := values[name]
		if !ok {
			return manager{}, fmt.Errorf("the manager has no flag --%s with a default", name)
		}
		switch v := into.(type) {
		case *float64:
			*v, err = strconv.ParseFloat(raw, 64)
		case *int:
			*v, err = strconv.Atoi(raw)
		}
		if err != nil {
			return manager{}, fmt.Errorf("--%s=%s: %w", name, raw, err)
		}
	}
	return manager{binary: binary, flags: flags, settings: s}, nil
}

// helpEntry matches one flag of Go's flag usage: "  -name type\n    \tusage (default x)".
var helpEntry = regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)[^\n]*\n((?:\s{4,}\t?[^\n]*\n?)*)`)

var defaultValue = regexp.MustCompile(`\(default "?([^")]*)"?\)\s*$`)

// flagDefaults reads each flag's default from a Go program's -h output.
func flagDefaults(help string) map[string]string {
	defaults := map[string]string{}
	for _, m := range helpEntry.FindAllStringSubmatch(help, -1) {
		if d := defaultValue.FindStringSubmatch(m[2]); d != nil {
			defaults[m[1]] = d[1]
		}
	}
	return defaults
}
