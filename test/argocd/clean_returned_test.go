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

// cleanReturnedObj and cleanReturnedArray are argo-cd util/lua/lua.go's: Lua cannot tell an
// empty object from an empty array, and gopher-json encodes both as [], so wherever the
// object the action was given had an empty object, Argo CD puts one back. Without this an
// action on a VippsToken with, say, systemInfo: {} would patch systemInfo to [].

func cleanReturnedObj(newObj, obj map[string]any) map[string]any {
	for key, oldValue := range obj {
		switch newValue := newObj[key].(type) {
		case map[string]any:
			if oldMap, ok := oldValue.(map[string]any); ok {
				newObj[key] = cleanReturnedObj(newValue, oldMap)
			}
		case []any:
			switch old := oldValue.(type) {
			case map[string]any:
				if len(newValue) == 0 {
					newObj[key] = map[string]any{}
				}
			case []any:
				newObj[key] = cleanReturnedArray(newValue, old)
			}
		}
	}
	return newObj
}

func cleanReturnedArray(newArray, array []any) []any {
	for i := range newArray {
		if i >= len(array) {
			break
		}
		switch newValue := newArray[i].(type) {
		case map[string]any:
			if oldMap, ok := array[i].(map[string]any); ok {
				newArray[i] = cleanReturnedObj(newValue, oldMap)
			}
		case []any:
			if oldArray, ok := array[i].([]any); ok {
				newArray[i] = cleanReturnedArray(newValue, oldArray)
			}
		}
	}
	return newArray
}
