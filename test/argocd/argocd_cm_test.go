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
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// docs/argocd.md shows the argocd-cm keys that install the customization without a new Argo
// CD release. The block is generated from the scripts, so that it cannot drift from them:
// this test fails when it differs, and rewrites it with UPDATE_ARGOCD_TESTDATA=1.

const (
	docsBegin = "<!-- BEGIN argocd-cm: generated from argocd/resource_customizations by test/argocd -->\n"
	docsEnd   = "<!-- END argocd-cm -->\n"
)

// argocdCMKey is the <group>_<kind> suffix of the argocd-cm keys of the customization of kind.
func argocdCMKey(kind string) string { return group + "_" + kind }

func TestArgoCDConfigMapInDocs(t *testing.T) {
	configMap := argocdConfigMap(t)
	checkConfigMap(t, configMap)

	path := filepath.Join(testenv.RepoRoot(), "docs", "argocd.md")
	contents, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(contents)
	begin, end := strings.Index(doc, docsBegin), strings.Index(doc, docsEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the markers %q and %q", path, docsBegin, docsEnd)
	}
	block := docsBegin + "```yaml\n" + configMap + "```\n"
	if doc[begin:end] == block {
		return
	}
	if !updating() {
		t.Fatalf("the argocd-cm block of %s differs from the scripts; run with %s=1 to regenerate it", path, updateEnv)
	}
	if err := os.WriteFile(path, []byte(doc[:begin]+block+doc[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
}

// argocdConfigMap is the argocd-cm with the customizations' keys: VippsToken's health check
// and actions, and ClusterVippsToken's health check.
func argocdConfigMap(t *testing.T) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
  labels:
    app.kubernetes.io/name: argocd-cm
    app.kubernetes.io/part-of: argocd
data:
  resource.customizations.health.%[1]s: |
%[2]s  resource.customizations.actions.%[1]s: |
    discovery.lua: |
%[3]s    definitions:
      - name: refresh
        action.lua: |
%[4]s  resource.customizations.health.%[5]s: |
%[6]s`, argocdCMKey(tokenKind),
		indent(mustRead(t, tokenKind, healthScript), 4), indent(mustRead(t, tokenKind, discoveryScript), 6),
		indent(mustRead(t, tokenKind, refreshScript), 10),
		argocdCMKey(clusterTokenKind), indent(mustRead(t, clusterTokenKind, healthScript), 4))
}

// indent indents every line of script that is not empty by n spaces.
func indent(script string, n int) string {
	lines := strings.SplitAfter(script, "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) != "" {
			lines[i] = strings.Repeat(" ", n) + line
		}
	}
	return strings.Join(lines, "")
}

// checkConfigMap reads configMap as Argo CD's settings manager reads argocd-cm
// (util/settings/settings.go, appendResourceOverridesFromSplitKeys) and checks that it
// gives back the scripts: health and actions for VippsToken, health for ClusterVippsToken.
func checkConfigMap(t *testing.T, configMap string) {
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(configMap), &cm); err != nil {
		t.Fatal(err)
	}
	want := []string{"health/" + tokenKind, "actions/" + tokenKind, "health/" + clusterTokenKind}
	var got []string
	for key, value := range cm.Data {
		// resource.customizations.<type>.<group>_<kind>, and <group>_<kind> becomes <group>/<kind>.
		parts := strings.SplitN(key, ".", 4)
		groupKind := strings.SplitN(strings.ReplaceAll(parts[len(parts)-1], "_", "/"), "/", 2)
		if len(parts) != 4 || len(groupKind) != 2 || groupKind[0] != group {
			t.Errorf("key %s is not for a kind of %s", key, group)
			continue
		}
		kind := groupKind[1]
		got = append(got, parts[2]+"/"+kind)
		switch parts[2] {
		case "health":
			expectScript(t, key, value, kind, healthScript)
		case "actions":
			var actions struct {
				DiscoveryLua string `json:"discovery.lua"`
				Definitions  []struct {
					Name      string `json:"name"`
					ActionLua string `json:"action.lua"`
				} `json:"definitions"`
			}
			if err := yaml.UnmarshalStrict([]byte(value), &actions); err != nil {
				t.Fatal(err)
			}
			expectScript(t, key+" discovery.lua", actions.DiscoveryLua, kind, discoveryScript)
			if len(actions.Definitions) != 1 || actions.Definitions[0].Name != "refresh" {
				t.Fatalf("%s defines %+v, want refresh alone", key, actions.Definitions)
			}
			expectScript(t, key+" refresh", actions.Definitions[0].ActionLua, kind, refreshScript)
		default:
			t.Errorf("key %s is no health or actions customization", key)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("argocd-cm customizes %v, want %v", got, want)
	}
}

// expectScript expects got to be the script at path of the customization of kind.
func expectScript(t *testing.T, what, got, kind, path string) {
	t.Helper()
	if want := mustRead(t, kind, path); got != want {
		t.Errorf("%s is\n%s\nwant %s:\n%s", what, got, path, want)
	}
}
