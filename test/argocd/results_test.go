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
	"encoding/json"
	"fmt"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

// How Argo CD turns what a script returns into a health status, a list of actions or a
// patched object: argo-cd util/lua/lua.go, VM.ExecuteHealthLua, ExecuteResourceActionDiscovery
// and ExecuteResourceAction. Each goes through gopher-json's Encode, which is why an empty
// Lua table comes back as [] and Argo CD has to repair objects (cleanReturnedObj). Only the
// return types the scripts here produce are accepted; any other return is an error, which
// fails the test that ran the script.

// healthStatus is gitops-engine's health.HealthStatus.
type healthStatus struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

// validHealth are the statuses Argo CD accepts from a script; it shows any other as Unknown.
var validHealth = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

// resourceAction is argo-cd's v1alpha1.ResourceAction, what discovery offers.
type resourceAction struct {
	Name   string `json:"name,omitempty"`
	Params []struct {
		Name string `json:"name,omitempty"`
	} `json:"params,omitempty"`
	Disabled    bool   `json:"disabled,omitempty"`
	IconClass   string `json:"iconClass,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

func executeHealth(obj map[string]any, script string, openLibs bool) (healthStatus, error) {
	var hs healthStatus
	if err := runForJSON(obj, script, openLibs, &hs); err != nil {
		return healthStatus{}, err
	}
	if !validHealth[hs.Status] {
		return healthStatus{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	}
	return hs, nil
}

func executeDiscovery(obj map[string]any, script string, openLibs bool) ([]resourceAction, error) {
	var offered map[string]json.RawMessage
	if err := runForJSON(obj, script, openLibs, &offered); err != nil {
		return nil, err
	}
	actions := make([]resourceAction, 0, len(offered))
	for name, definition := range offered {
		action := resourceAction{Name: name}
		if err := json.Unmarshal(definition, &action); err != nil {
			return nil, fmt.Errorf("action %s: %w", name, err)
		}
		actions = append(actions, action)
	}
	return actions, nil
}

// executeAction returns the object an action returned, repaired as Argo CD repairs it
// before it patches the live object with the difference.
func executeAction(obj map[string]any, script string, openLibs bool) (map[string]any, error) {
	var returned map[string]any
	if err := runForJSON(obj, script, openLibs, &returned); err != nil {
		return nil, err
	}
	return cleanReturnedObj(returned, obj), nil
}

// runForJSON runs script and decodes the table it returned, through JSON, into out.
func runForJSON(obj map[string]any, script string, openLibs bool, out any) error {
	returned, err := runLua(obj, script, openLibs)
	if err != nil {
		return err
	}
	if returned.Type() != lua.LTTable {
		return fmt.Errorf("expect table output from Lua script, not %s", returned.Type())
	}
	encoded, err := luajson.Encode(returned)
	if err != nil {
		return err
	}
	return json.Unmarshal(encoded, out)
}
