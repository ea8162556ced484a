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
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// These tests run health_test.yaml and actions/action_test.yaml as argo-cd's own tests run
// every customization's (util/lua/health_test.go TestLuaHealthScript, custom_actions_test.go
// TestLuaResourceActionsScript), on the replica of Argo CD's VM. They compare more strictly:
// health and discovery in both library modes, discovery results as whole sets, and action
// output equal to the expected object rather than argo-cd's diff, which ignores fields the
// expected object lacks.

// libModes are the two ways Argo CD runs a health or discovery script: built in (argo-cd's
// resource_customizations, standard libraries open) and from argocd-cm (closed by default).
var libModes = []struct {
	name     string
	openLibs bool
}{{"built-in", true}, {"argocd-cm", false}}

func TestHealthTestYAML(t *testing.T) {
	for _, kind := range healthKinds {
		script := mustRead(t, kind, healthScript)
		var file healthTestFile
		if err := readTestFile(kind, healthTests, &file); err != nil {
			t.Fatal(err)
		}
		if len(file.Tests) == 0 {
			t.Errorf("%s of %s has no tests", healthTests, kind)
		}
		for _, test := range file.Tests {
			obj := mustReadObject(t, filepath.Join(customizationDir(kind), test.InputPath))
			if obj["kind"] != kind {
				t.Errorf("%s of %s is a %v", test.InputPath, kind, obj["kind"])
			}
			for _, mode := range libModes {
				t.Run(kind+"/"+test.InputPath+"/"+mode.name, func(t *testing.T) {
					got, err := executeHealth(obj, script, mode.openLibs)
					if err != nil {
						t.Fatal(err)
					}
					if got != test.HealthStatus {
						t.Errorf("health.lua returned %+v, health_test.yaml expects %+v", got, test.HealthStatus)
					}
				})
			}
		}
	}
}

// TestEveryCaptureIsTested keeps testdata/ and health_test.yaml in step.
func TestEveryCaptureIsTested(t *testing.T) {
	for _, kind := range healthKinds {
		var file healthTestFile
		if err := readTestFile(kind, healthTests, &file); err != nil {
			t.Fatal(err)
		}
		captures, err := filepath.Glob(filepath.Join(customizationDir(kind), "testdata", "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, capture := range captures {
			inputPath := "testdata/" + filepath.Base(capture)
			if !slices.ContainsFunc(file.Tests, func(test healthTest) bool { return test.InputPath == inputPath }) {
				t.Errorf("%s of %s has no test in %s", inputPath, kind, healthTests)
			}
		}
	}
}

// TestClusterVippsTokenHealthIsVippsTokens: Argo CD reads a ClusterVippsToken as it reads a
// VippsToken, whose status follows the same conventions, with the same script.
func TestClusterVippsTokenHealthIsVippsTokens(t *testing.T) {
	if mustRead(t, clusterTokenKind, healthScript) != mustRead(t, tokenKind, healthScript) {
		t.Errorf("the health.lua of %s differs from that of %s; they must be the same script", clusterTokenKind, tokenKind)
	}
}

func TestActionTestYAML(t *testing.T) {
	var file actionTestFile
	if err := readTestFile(tokenKind, actionTests, &file); err != nil {
		t.Fatal(err)
	}
	actionsDir := filepath.Join(customizationDir(tokenKind), "actions")
	discovery := mustRead(t, tokenKind, discoveryScript)
	for _, test := range file.DiscoveryTests {
		obj := mustReadObject(t, filepath.Join(actionsDir, test.InputPath))
		for _, mode := range libModes {
			t.Run("discovery/"+test.InputPath+"/"+mode.name, func(t *testing.T) {
				got, err := executeDiscovery(obj, discovery, mode.openLibs)
				if err != nil {
					t.Fatal(err)
				}
				if !sameActions(got, test.Result) {
					t.Errorf("discovery.lua offered %+v, action_test.yaml expects %+v", got, test.Result)
				}
			})
		}
	}
	for _, test := range file.ActionTests {
		t.Run("actions/"+test.Action+"/"+test.InputPath, func(t *testing.T) {
			script := mustRead(t, tokenKind, filepath.Join("actions", test.Action, "action.lua"))
			// The API server runs actions with the standard libraries closed, from argocd-cm
			// and built in alike.
			got, err := executeAction(mustReadObject(t, filepath.Join(actionsDir, test.InputPath)), script, false)
			if err != nil {
				t.Fatal(err)
			}
			checkRefreshValue(t, got)
			want := mustReadObject(t, filepath.Join(actionsDir, test.ExpectedOutputPath))
			if !reflect.DeepEqual(normalize(got), normalize(want)) {
				t.Errorf("action %s returned\n%s\nwant (%s)\n%s",
					test.Action, toYAML(t, got), test.ExpectedOutputPath, toYAML(t, want))
			}
		})
	}
}

// TestReplicaOffersOsOnlyThroughRequire checks the replica on what the action depends on:
// require("os") gives os.date but not os.getenv, and closed libraries leave no global os.
func TestReplicaOffersOsOnlyThroughRequire(t *testing.T) {
	script := `local os = require("os")
return {global = _G.os ~= nil, date = os.date ~= nil, getenv = os.getenv ~= nil}`
	for _, mode := range libModes {
		var got map[string]bool
		if err := runForJSON(map[string]any{}, script, mode.openLibs, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"global": mode.openLibs, "date": true, "getenv": false}
		if !maps.Equal(got, want) {
			t.Errorf("%s: os offers %v, want %v", mode.name, got, want)
		}
	}
}

// placeholderRefresh stands for the refresh annotation's value, which is the time the action
// ran: argo-cd's test normalizer does the same for ExternalSecret's force-sync annotation.
const placeholderRefresh = "0001-01-01T00:00:00Z"

// normalize replaces the refresh annotation's value, if any, with placeholderRefresh.
func normalize(obj map[string]any) map[string]any {
	annotations, _ := obj["metadata"].(map[string]any)["annotations"].(map[string]any)
	if _, ok := annotations[tokensv1alpha1.AnnotationRefresh]; ok {
		annotations[tokensv1alpha1.AnnotationRefresh] = placeholderRefresh
	}
	return obj
}

// checkRefreshValue checks what normalize hides: the action wrote the current time, in UTC.
func checkRefreshValue(t *testing.T, obj map[string]any) {
	t.Helper()
	annotations, _ := obj["metadata"].(map[string]any)["annotations"].(map[string]any)
	value, _ := annotations[tokensv1alpha1.AnnotationRefresh].(string)
	written, err := time.Parse(time.RFC3339, value)
	if err != nil || !strings.HasSuffix(value, "Z") || time.Since(written).Abs() > time.Minute {
		t.Errorf("the refresh annotation is %q, want the current time in RFC 3339, UTC", value)
	}
}

func sameActions(got, want []resourceAction) bool {
	byName := func(a, b resourceAction) int { return strings.Compare(a.Name, b.Name) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byName)
	slices.SortFunc(want, byName)
	return reflect.DeepEqual(got, want)
}

func mustRead(t *testing.T, kind, path string) string {
	t.Helper()
	contents, err := readCustomization(kind, path)
	if err != nil {
		t.Fatal(err)
	}
	return contents
}

func mustReadObject(t *testing.T, path string) map[string]any {
	t.Helper()
	obj, err := readObject(path)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	encoded, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(encoded)
}
