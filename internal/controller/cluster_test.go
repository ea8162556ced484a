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
	"maps"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func TestClusterReadyCondition(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	valid := &metav1.Time{Time: now.Add(time.Hour)}
	expired := &metav1.Time{Time: now.Add(-time.Minute)}
	childReady := func(status metav1.ConditionStatus, reason, message string) []metav1.Condition {
		return []metav1.Condition{{Type: tokensv1alpha1.ConditionReady, Status: status, Reason: reason, Message: message}}
	}
	holdingAll := fanOut{selected: 2, holds: map[string]bool{"shop": true, "blog": true}}
	conflict := tokensv1alpha1.NamespaceFailure{Namespace: "shop", Reason: tokensv1alpha1.ReasonTargetConflict}
	tests := []struct {
		name     string
		child    tokensv1alpha1.VippsTokenStatus
		childErr error
		fanned   fanOut
		want     metav1.Condition
	}{
		{"the VippsToken's place is taken", tokensv1alpha1.VippsTokenStatus{},
			&childConflictError{child: desiredChild(&tokensv1alpha1.ClusterVippsToken{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, "vipps")},
			fanOut{}, metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonTargetConflict,
				Message: "Target conflict: VippsToken vipps/shop exists and is not owned by this ClusterVippsToken, so it " +
					"was left alone. Rename the ClusterVippsToken, or delete that VippsToken so that the operator can create it."}},
		{"no token yet", tokensv1alpha1.VippsTokenStatus{}, nil, fanOut{selected: 2},
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonProgressing, Message: "Waiting for the first token."}},
		{"the VippsToken is not ready: its reason", tokensv1alpha1.VippsTokenStatus{
			Conditions: childReady(metav1.ConditionFalse, tokensv1alpha1.ReasonCredentialsNotFound, "Credentials not found.")},
			nil, fanOut{selected: 2}, metav1.Condition{Status: metav1.ConditionFalse,
				Reason: tokensv1alpha1.ReasonCredentialsNotFound, Message: "Credentials not found."}},
		{"ready, but expired since", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt: expired,
			},
			Conditions: childReady(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid, "valid"),
		}, nil, holdingAll,
			metav1.Condition{Status: metav1.ConditionFalse, Reason: tokensv1alpha1.ReasonTokenExpired,
				Message: "The token expired at 2026-03-01T11:59:00Z."}},
		{"valid, every namespace holds it", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt: valid,
			},
			Conditions: childReady(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid, "The targets hold a token."),
		},
			nil, holdingAll, metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonTokenValid,
				Message: "All 2 selected namespaces hold the token. The targets hold a token."}},
		{"valid, a refresh failed: the VippsToken's reason", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt: valid,
			},
			Conditions: childReady(metav1.ConditionTrue, tokensv1alpha1.ReasonVippsUnavailable, "Still valid."),
		},
			nil, holdingAll, metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonVippsUnavailable,
				Message: "All 2 selected namespaces hold the token. Still valid."}},
		{"valid, some namespaces failing: still Ready, the reason says so", tokensv1alpha1.VippsTokenStatus{
			TokenStatus: tokensv1alpha1.TokenStatus{
				ExpiresAt: valid,
			},
			Conditions: childReady(metav1.ConditionTrue, tokensv1alpha1.ReasonTokenValid, "valid"),
		}, nil,
			fanOut{selected: 6, holds: map[string]bool{"a": true}, failures: []tokensv1alpha1.NamespaceFailure{conflict,
				{Namespace: "b", Reason: "TargetWriteFailed"}, {Namespace: "c", Reason: "X"}, {Namespace: "d", Reason: "X"},
				{Namespace: "e", Reason: "X"}}},
			metav1.Condition{Status: metav1.ConditionTrue, Reason: tokensv1alpha1.ReasonNamespacesFailing,
				Message: "The token is valid until 2026-03-01T13:00:00Z, but 5 of 6 selected namespaces do not hold it: " +
					"shop (TargetConflict), b (TargetWriteFailed), c (X), and 2 more."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clusterReadyCondition(now, &tt.child, tt.childErr, tt.fanned)
			tt.want.Type = tokensv1alpha1.ConditionReady
			sameCondition(t, got, tt.want)
		})
	}
}

func TestNamespaceReceives(t *testing.T) {
	deleting := metav1.Now()
	namespace := func(name string, deletion *metav1.Time) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name, DeletionTimestamp: deletion}}
	}
	tests := []struct {
		name    string
		ns      *metav1.PartialObjectMetadata
		watched []string
		want    bool
	}{
		{"an application namespace", namespace("shop", nil), nil, true},
		{"the cluster resource namespace never", namespace("vipps", nil), nil, false},
		{"a namespace being deleted refuses new Secrets", namespace("shop", &deleting), nil, false},
		{"a watched namespace", namespace("shop", nil), []string{"vipps", "shop"}, true},
		{"a namespace the operator does not watch", namespace("blog", nil), []string{"vipps", "shop"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := namespaceReceives(tt.ns, "vipps", tt.watched); got != tt.want {
				t.Errorf("namespaceReceives() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDesiredFanOutTarget(t *testing.T) {
	cvt := &tokensv1alpha1.ClusterVippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: "webshop"},
		Spec: tokensv1alpha1.ClusterVippsTokenSpec{Target: tokensv1alpha1.TargetSecret{
			Name: "vipps-token", Labels: map[string]string{"team": "payments"},
			Annotations: map[string]string{"reloader.stakater.com/match": "true"},
		}},
	}
	source := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
			tokensv1alpha1.AnnotationExpiresAt: "2026-03-01T13:00:00Z", tokensv1alpha1.AnnotationIssuedAt: "2026-03-01T12:00:00Z",
			tokensv1alpha1.AnnotationDataHash: "abc", tokensv1alpha1.AnnotationTokenInputsHash: "derived-from-credentials",
		}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{tokensv1alpha1.KeyAccessToken: []byte("token")},
	}
	got := desiredFanOutTarget(cvt, "shop", source)
	if got.Name != "vipps-token" || got.Namespace != "shop" || string(got.Data[tokensv1alpha1.KeyAccessToken]) != "token" {
		t.Errorf("target = %s/%s with %v", got.Namespace, got.Name, got.Data)
	}
	wantLabels := map[string]string{"team": "payments", tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue,
		tokensv1alpha1.LabelClusterVippsToken: "webshop"}
	if !maps.Equal(got.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", got.Labels, wantLabels)
	}
	if _, ok := got.Annotations[tokensv1alpha1.AnnotationTokenInputsHash]; ok {
		t.Error("the hash of the token's inputs, derived from the credentials, left the cluster resource namespace")
	}
	if got.Annotations["reloader.stakater.com/match"] != "true" || got.Annotations[tokensv1alpha1.AnnotationIssuedAt] == "" {
		t.Errorf("annotations = %v", got.Annotations)
	}
}

func TestDesiredChild(t *testing.T) {
	cvt := &tokensv1alpha1.ClusterVippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: "webshop", Annotations: map[string]string{tokensv1alpha1.AnnotationRefresh: "1"}},
		Spec: tokensv1alpha1.ClusterVippsTokenSpec{
			TokenSettings:        tokensv1alpha1.TokenSettings{Type: tokensv1alpha1.TokenTypePartner},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
			Target:               tokensv1alpha1.TargetSecret{Name: "vipps-token", Labels: map[string]string{"team": "x"}, IncludeRequestHeaders: true},
		},
	}
	child := desiredChild(cvt, "vipps")
	if child.Namespace != "vipps" || child.Name != "webshop" || child.Spec.Type != tokensv1alpha1.TokenTypePartner {
		t.Errorf("child = %s/%s of type %s", child.Namespace, child.Name, child.Spec.Type)
	}
	if child.Annotations[tokensv1alpha1.AnnotationRefresh] != "1" {
		t.Error("a refresh requested on the ClusterVippsToken does not reach its VippsToken")
	}
	source := child.Spec.Targets[0]
	if source.Name != "webshop-token" || !source.IncludeRequestHeaders || source.Labels["team"] != "" {
		t.Errorf("source target = %+v: want webshop-token, request headers as asked, none of the namespaces' labels", source)
	}
}

func TestFanOutNotHolding(t *testing.T) {
	fanned := fanOut{holds: map[string]bool{"shop": true},
		failures: []tokensv1alpha1.NamespaceFailure{{Namespace: "blog", Reason: tokensv1alpha1.ReasonTargetConflict}}}
	for namespace, want := range map[string]string{
		"shop":  "",
		"blog":  "is in namespace blog, which does not hold the token (TargetConflict)",
		"other": "is in namespace other, which the namespaceSelector does not select",
	} {
		if got := fanned.notHolding(namespace); got != want {
			t.Errorf("notHolding(%s) = %q, want %q", namespace, got, want)
		}
	}
}
