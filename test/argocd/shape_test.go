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
	"maps"
	"path/filepath"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// expectSameShape compares the committed capture at path, of the customization of kind,
// with its live counterpart.
func expectSameShape(kind, path string, captured map[string]any) {
	GinkgoHelper()
	committed, err := readObject(filepath.Join(customizationDir(kind), path))
	Expect(err).NotTo(HaveOccurred(), "run with %s=1 to capture it", updateEnv)
	Expect(shapeOf(committed)).To(Equal(shapeOf(captured)),
		"%s no longer looks like the live %s of its phase; run with %s=1 to capture it again", path, kind, updateEnv)
}

// shape is what a capture must keep of its phase: which status fields are set, each
// condition's status and reason, whether the status is behind the spec, and deletion.
type shape struct {
	StatusFields []string
	Conditions   []string
	Behind       bool
	Deleting     bool
}

func shapeOf(obj map[string]any) shape {
	GinkgoHelper()
	status, _ := obj["status"].(map[string]any)
	tok := common(obj)
	s := shape{
		StatusFields: slices.Sorted(maps.Keys(status)),
		Behind:       tok.Status.ObservedGeneration < tok.Generation,
		Deleting:     tok.DeletionTimestamp != nil,
	}
	for _, c := range tok.Status.Conditions {
		s.Conditions = append(s.Conditions, fmt.Sprintf("%s=%s/%s", c.Type, c.Status, c.Reason))
	}
	slices.Sort(s.Conditions)
	return s
}
