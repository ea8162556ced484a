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

package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestKeepIdentityDropsAllButIdentityAndVersion: the metadata cache of every Secret in the
// cluster must cost a few strings per Secret, whatever its labels, annotations and history.
func TestKeepIdentityDropsAllButIdentityAndVersion(t *testing.T) {
	full := &metav1.PartialObjectMetadata{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "big", Namespace: "apps", UID: types.UID("u-1"), ResourceVersion: "42",
			Labels:        map[string]string{"app": "x"},
			Annotations:   map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{...}"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
			Finalizers:    []string{"f"},
		},
	}
	got, err := keepIdentity(full)
	if err != nil {
		t.Fatal(err)
	}
	want := &metav1.PartialObjectMetadata{
		TypeMeta:   full.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: "apps", UID: types.UID("u-1"), ResourceVersion: "42"},
	}
	if g := got.(*metav1.PartialObjectMetadata); g.String() != want.String() {
		t.Fatalf("kept %v, want %v", g, want)
	}
}
