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

package argocd

import (
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// The customization lives in argocd/resource_customizations/<group>/<Kind>, the layout of
// argo-cd's resource_customizations directory, so that it can be copied there as it is.
// Argo CD keys health checks by group and kind, so ClusterVippsToken has a directory of its
// own, with the same health.lua (TestClusterVippsTokenHealthIsVippsTokens) and captures of
// its own; it has no actions.

const (
	group            = "tokens.vippsoperator.dev"
	tokenKind        = "VippsToken"
	clusterTokenKind = "ClusterVippsToken"
)

// healthKinds are the kinds with a health check: health.lua, health_test.yaml and testdata/.
var healthKinds = []string{tokenKind, clusterTokenKind}

// customizationDir is the directory of the customization of kind.
func customizationDir(kind string) string {
	return filepath.Join(testenv.RepoRoot(), "argocd", "resource_customizations", group, kind)
}

// Paths of the scripts and the upstream-format test files, relative to customizationDir.
// Only VippsToken has the actions.
const (
	healthScript    = "health.lua"
	healthTests     = "health_test.yaml"
	discoveryScript = "actions/discovery.lua"
	refreshScript   = "actions/refresh/action.lua"
	actionTests     = "actions/action_test.yaml"
)

// readCustomization reads a file of the customization of kind.
func readCustomization(kind, path string) (string, error) {
	contents, err := os.ReadFile(filepath.Join(customizationDir(kind), path))
	return string(contents), err
}

// readObject reads a YAML object as Argo CD's tests do: through JSON, so numbers are float64.
func readObject(path string) (map[string]any, error) {
	contents, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	obj := map[string]any{}
	return obj, yaml.Unmarshal(contents, &obj)
}

// healthTestFile is the format of health_test.yaml (argo-cd util/lua/health_test.go).
type healthTestFile struct {
	Tests []healthTest `json:"tests"`
}

type healthTest struct {
	HealthStatus healthStatus `json:"healthStatus"`
	InputPath    string       `json:"inputPath"`
}

// actionTestFile is the format of action_test.yaml (argo-cd util/lua/custom_actions_test.go),
// without the fields for action parameters and expected errors, which refresh has no use for.
type actionTestFile struct {
	DiscoveryTests []struct {
		InputPath string           `json:"inputPath"`
		Result    []resourceAction `json:"result"`
	} `json:"discoveryTests"`
	ActionTests []struct {
		Action             string `json:"action"`
		InputPath          string `json:"inputPath"`
		ExpectedOutputPath string `json:"expectedOutputPath"`
	} `json:"actionTests"`
}

// readTestFile reads an upstream-format test file of the customization of kind into out.
func readTestFile(kind, path string, out any) error {
	contents, err := os.ReadFile(filepath.Join(customizationDir(kind), path))
	if err != nil {
		return err
	}
	return yaml.UnmarshalStrict(contents, out)
}
