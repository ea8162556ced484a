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
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestUpToDate(t *testing.T) {
	desired := writtenTarget(heldTokenFor("token-a", time.Hour))
	// As the API server returns it: with the metadata it adds.
	stored := edited(desired, false, func(s *corev1.Secret) {
		s.ResourceVersion, s.UID = "7", "9d2e4f1a-0c3b-4e5d-8f6a-7b8c9d0e1f2a"
		s.OwnerReferences = []metav1.OwnerReference{{Kind: "VippsToken", Name: "shop"}}
	})
	tests := []struct {
		name     string
		existing *corev1.Secret
		want     bool
	}{
		{"as desired", stored, true},
		{"labels and annotations added by others", edited(stored, false, func(s *corev1.Secret) {
			s.Labels["team"] = "payments"
			s.Annotations["reloader.stakater.com/match"] = "true"
		}), true},
		{"a value edited", edited(stored, false, func(s *corev1.Secret) { s.Data[tokensv1alpha1.KeyAccessToken] = []byte("token-b") }), false},
		{"a key added", edited(stored, false, func(s *corev1.Secret) { s.Data["extra"] = []byte("x") }), false},
		{"a key removed", edited(stored, false, func(s *corev1.Secret) { delete(s.Data, tokensv1alpha1.KeySubscriptionKey) }), false},
		{"no data", edited(stored, false, func(s *corev1.Secret) { s.Data = nil }), false},
		{"type changed", edited(stored, false, func(s *corev1.Secret) { s.Type = corev1.SecretTypeDockerConfigJson }), false},
		{"managed-by label removed", edited(stored, false, func(s *corev1.Secret) {
			delete(s.Labels, tokensv1alpha1.LabelManagedBy)
		}), false},
		{"managed-by label changed", edited(stored, false, func(s *corev1.Secret) {
			s.Labels[tokensv1alpha1.LabelManagedBy] = "helm"
		}), false},
		{"an operator annotation changed", edited(stored, false, func(s *corev1.Secret) {
			s.Annotations[tokensv1alpha1.AnnotationTokenInputsHash] = "0123456789abcdef0123456789abcdef"
		}), false},
		{"an operator annotation removed", edited(stored, false, func(s *corev1.Secret) {
			delete(s.Annotations, tokensv1alpha1.AnnotationExpiresAt)
		}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := upToDate(tt.existing, desired); got != tt.want {
				t.Errorf("upToDate() = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestMapContainsAll(t *testing.T) {
	have := map[string]string{"a": "1", "b": "2", "empty": ""}
	tests := []struct {
		name       string
		have, want map[string]string
		result     bool
	}{
		{"nothing wanted", have, nil, true},
		{"nothing wanted of nothing", nil, map[string]string{}, true},
		{"one wanted of nothing", nil, map[string]string{"a": "1"}, false},
		{"a subset", have, map[string]string{"a": "1"}, true},
		{"all", have, maps.Clone(have), true},
		{"an empty value", have, map[string]string{"empty": ""}, true},
		{"a different value", have, map[string]string{"a": "2"}, false},
		{"a missing key", have, map[string]string{"c": "3"}, false},
		{"a missing key with an empty value", have, map[string]string{"c": ""}, false},
		{"one of two missing", have, map[string]string{"a": "1", "c": "3"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := containsAll(tt.have, tt.want); got != tt.result {
				t.Errorf("containsAll(%q, %q) = %t, want %t", tt.have, tt.want, got, tt.result)
			}
		})
	}
}

func TestMergedInto(t *testing.T) {
	tests := []struct {
		name          string
		base, overlay map[string]string
		want          map[string]string
	}{
		{"into nothing", nil, map[string]string{"a": "1"}, map[string]string{"a": "1"}},
		{"nothing into nothing", nil, nil, map[string]string{}},
		{"nothing into something", map[string]string{"a": "1"}, nil, map[string]string{"a": "1"}},
		{"others' entries kept", map[string]string{"team": "payments"}, map[string]string{"a": "1"},
			map[string]string{"team": "payments", "a": "1"}},
		{"the overlay wins", map[string]string{"a": "0", "b": "2"}, map[string]string{"a": "1"},
			map[string]string{"a": "1", "b": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			overlay := maps.Clone(tt.overlay)
			got := mergedInto(maps.Clone(tt.base), tt.overlay)
			sameText(t, "mergedInto()", got, tt.want)
			if !maps.Equal(tt.overlay, overlay) {
				t.Errorf("mergedInto() changed the overlay to %q", tt.overlay)
			}
		})
	}
}

func TestEveryTargetTaken(t *testing.T) {
	tok := &tokensv1alpha1.VippsToken{Spec: tokensv1alpha1.VippsTokenSpec{
		Targets: []tokensv1alpha1.TargetSecret{{Name: "a"}, {Name: "b"}},
	}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"one of two taken", targetConflict(tok, []string{"a"}), false},
		{"both taken", targetConflict(tok, []string{"a", "b"}), true},
		{"both taken, wrapped", fmt.Errorf("syncing: %w", targetConflict(tok, []string{"a", "b"})), true},
		{"a refused write", fmt.Errorf("%w a: forbidden", errTargetWrite), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := everyTargetTaken(tok, tt.err); got != tt.want {
				t.Errorf("everyTargetTaken() = %t, want %t", got, tt.want)
			}
		})
	}
	if !errors.Is(targetConflict(tok, []string{"a"}), errTargetConflict) {
		t.Error("a target conflict is not errTargetConflict")
	}
}
