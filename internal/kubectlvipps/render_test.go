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

package kubectlvipps

import (
	"bytes"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var now = time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)

func at(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }

func TestExpiresIn(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt *metav1.Time
		want      string
	}{
		{"unset", nil, "-"},
		{"seconds left", at(90 * time.Second), "90s"},
		{"minutes left", at(41*time.Minute + 20*time.Second), "41m"},
		{"hours left", at(23*time.Hour + 59*time.Minute), "23h"},
		{"expires now", at(0), "expired 0s ago"},
		{"expired", at(-3 * time.Minute), "expired 3m ago"},
		{"long expired", at(-50 * time.Hour), "expired 2d2h ago"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expiresIn(now, tt.expiresAt); got != tt.want {
				t.Errorf("expiresIn() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRenewsIn(t *testing.T) {
	tests := []struct {
		name  string
		token tokenSummary
		want  string
	}{
		{"no token yet", tokenSummary{}, "-"},
		{"renewal ahead", tokenSummary{renewalTime: at(5*time.Minute + 7*time.Second)}, "5m7s"},
		{"renewal passed and not acted on", tokenSummary{renewalTime: at(-2 * time.Minute)}, "overdue 2m"},
		{"retry ahead", tokenSummary{renewalTime: at(-time.Minute), nextRetryTime: at(45 * time.Second), failures: 1},
			"retry in 45s (1 failure)"},
		{"retry passed", tokenSummary{nextRetryTime: at(-10 * time.Second), failures: 3}, "retry 10s ago (3 failures)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renewsIn(now, tt.token); got != tt.want {
				t.Errorf("renewsIn() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrintStatus(t *testing.T) {
	// A list of several kinds names each row's kind.
	tokens := []tokenSummary{
		{kind: &vippsTokenKind, namespace: "shop", name: "webshop", ready: "True", reason: "TokenValid",
			expiresAt: at(41 * time.Minute), renewalTime: at(21 * time.Minute), targets: "vipps-token"},
		{kind: &clusterVippsTokenKind, name: "shared", ready: "False", reason: "TokenExpired",
			expiresAt: at(-3 * time.Minute), targets: "vipps-token"},
	}
	tests := []struct {
		name          string
		tokens        []tokenSummary
		allNamespaces bool
		want          string
	}{
		{"one kind", tokens[:1], false, "" +
			"NAME      READY   REASON       EXPIRES IN   RENEWS IN   TARGETS\n" +
			"webshop   True    TokenValid   41m          21m         vipps-token\n"},
		{"all namespaces, several kinds", tokens, true, "" +
			"NAMESPACE   NAME                       READY   REASON         EXPIRES IN       RENEWS IN   TARGETS\n" +
			"shop        vippstoken/webshop         True    TokenValid     41m              21m         vipps-token\n" +
			"-           clustervippstoken/shared   False   TokenExpired   expired 3m ago   -           vipps-token\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := printStatus(&out, now, tt.tokens, tt.allNamespaces); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("printStatus() printed\n%s\nwant\n%s", out.String(), tt.want)
			}
		})
	}
}

func TestParseTokenRef(t *testing.T) {
	tests := []struct {
		ref      string
		wantKind *tokenKind
		wantName string
		wantErr  string
	}{
		{ref: "webshop", wantKind: &vippsTokenKind, wantName: "webshop"},
		{ref: "vippstoken/webshop", wantKind: &vippsTokenKind, wantName: "webshop"},
		{ref: "VippsToken/webshop", wantKind: &vippsTokenKind, wantName: "webshop"},
		{ref: "vt/webshop", wantKind: &vippsTokenKind, wantName: "webshop"},
		{ref: "clustervippstoken/shared", wantKind: &clusterVippsTokenKind, wantName: "shared"},
		{ref: "ClusterVippsToken/shared", wantKind: &clusterVippsTokenKind, wantName: "shared"},
		{ref: "cvt/shared", wantKind: &clusterVippsTokenKind, wantName: "shared"},
		{ref: "cvtoken/shared", wantKind: &clusterVippsTokenKind, wantName: "shared"},
		{ref: "secret/webshop", wantErr: `"secret" is not a kind of token; the kinds are vippstoken, clustervippstoken`},
		{ref: "vippstoken/", wantErr: `"vippstoken/" names no token: write NAME or KIND/NAME`},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			kind, name, err := parseTokenRef(tt.ref)
			switch {
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("parseTokenRef() error = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("parseTokenRef() error = %v", err)
			case kind != tt.wantKind || name != tt.wantName:
				t.Errorf("parseTokenRef() = %s %q, want %s %q", kind.kind, name, tt.wantKind.kind, tt.wantName)
			}
		})
	}
}

func TestPrintInspectionOfAnExpiredJWT(t *testing.T) {
	issued, expiry := now.Add(-63*time.Minute), now.Add(-3*time.Minute)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "vipps-token"},
		Data:       map[string][]byte{"access-token": nil, "authorization": nil},
	}
	claims := tokenClaims{algorithm: "RS256", issuer: "https://login.example/", subject: "app",
		audience: []string{"a", "b"}, issuedAt: &issued, expiry: &expiry}
	var out bytes.Buffer
	if err := printInspection(&out, now, secret, claims, true); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Secret:               shop/vipps-token\n" +
		"Managed by:           not vipps-token-operator (no app.kubernetes.io/managed-by=vipps-token-operator label)\n" +
		"Data keys:            access-token, authorization\n" +
		"Token:                JWT signed with RS256; the token and its signature are not shown\n" +
		"Issuer:               https://login.example/\n" +
		"Audience:             a, b\n" +
		"Subject:              app\n" +
		"Issued at:            2026-11-29T16:57:00Z (63m ago)\n" +
		"Not before:           -\n" +
		"Expires:              2026-11-29T17:57:00Z (expired 3m ago)\n" +
		"Operator's expiry:    - (no tokens.vippsoperator.dev/expires-at annotation)\n" +
		"Operator's request:   - (no tokens.vippsoperator.dev/issued-at annotation)\n"
	if out.String() != want {
		t.Errorf("printInspection() printed\n%s\nwant\n%s", out.String(), want)
	}
}
