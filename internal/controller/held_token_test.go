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
	"regexp"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

var heldIssuedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fullRequest is a Standard request with every field that can reach a target set.
var fullRequest = vipps.Request{
	Type: vipps.TokenTypeStandard, BaseURL: vipps.TestBaseURL,
	ClientID: "client-id-value", ClientSecret: "client-secret-value", SubscriptionKey: "subscription-key-value",
	MerchantSerialNumber: "123456",
	System:               vipps.SystemInfo{Name: "shop", Version: "1.2.3", PluginName: "checkout", PluginVersion: "4.5.6"},
}

// heldTokenFor is a token issued at heldIssuedAt that lives lifetime; accessToken tells tokens apart.
func heldTokenFor(accessToken string, lifetime time.Duration) *heldToken {
	return &heldToken{
		Token: vipps.Token{AccessToken: accessToken, TokenType: "Bearer", RequestedAt: heldIssuedAt,
			ExpiresAt: heldIssuedAt.Add(lifetime)},
		inputsHash: tokenInputsHash(fullRequest),
	}
}

// writtenTarget is the target Secret the operator writes for held, with the request headers.
func writtenTarget(held *heldToken) *corev1.Secret {
	tok := &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "payments"},
		Spec:       tokensv1alpha1.VippsTokenSpec{TokenSettings: tokensv1alpha1.TokenSettings{Type: tokensv1alpha1.TokenTypeStandard}},
	}
	target := tokensv1alpha1.TargetSecret{Name: "shop-token", IncludeRequestHeaders: true}
	return desiredTarget(tok, target, issuedToken(*held), fullRequest)
}

// edited is secret after edit; with rehash its data-hash annotation is brought up to date,
// as if the operator had written the edited data.
func edited(secret *corev1.Secret, rehash bool, edit func(*corev1.Secret)) *corev1.Secret {
	secret = secret.DeepCopy()
	edit(secret)
	if rehash {
		secret.Annotations[tokensv1alpha1.AnnotationDataHash] = dataHash(secret.Data)
	}
	return secret
}

// sameHeldToken reports how got differs from want.
func sameHeldToken(t *testing.T, got, want *heldToken) {
	t.Helper()
	switch {
	case got == nil || want == nil:
		if got != want {
			t.Errorf("held token = %+v, want %+v", got, want)
		}
	case got.AccessToken != want.AccessToken || got.TokenType != want.TokenType || got.inputsHash != want.inputsHash ||
		!got.RequestedAt.Equal(want.RequestedAt) || !got.ExpiresAt.Equal(want.ExpiresAt):
		t.Errorf("held token = %+v, want %+v", *got, *want)
	}
}

func TestReadHeldToken(t *testing.T) {
	held := heldTokenFor("token-a", time.Hour)
	written := writtenTarget(held)
	otherInputs := *held
	otherInputs.inputsHash = "0123456789abcdef0123456789abcdef"
	setData := func(key, value string) func(*corev1.Secret) {
		return func(s *corev1.Secret) { s.Data[key] = []byte(value) }
	}
	setAnnotation := func(key, value string) func(*corev1.Secret) {
		return func(s *corev1.Secret) { s.Annotations[key] = value }
	}

	tests := []struct {
		name   string
		secret *corev1.Secret
		want   *heldToken // nil when the Secret is not to be trusted
	}{
		{"as written: the same token", written, held},
		{"labels and annotations added by others", edited(written, false, func(s *corev1.Secret) {
			s.Labels["team"] = "payments"
			s.Annotations["reloader.stakater.com/match"] = "true"
		}), held},
		{"written for other inputs", edited(written, false,
			setAnnotation(tokensv1alpha1.AnnotationTokenInputsHash, otherInputs.inputsHash)), &otherInputs},
		{"access token edited", edited(written, false, setData(tokensv1alpha1.KeyAccessToken, "token-b")), nil},
		{"expiry edited", edited(written, false, setData(tokensv1alpha1.KeyExpiresAtUnix, "4102444800")), nil},
		{"key added", edited(written, false, setData("extra", "value")), nil},
		{"key removed", edited(written, false, func(s *corev1.Secret) { delete(s.Data, tokensv1alpha1.KeySystemName) }), nil},
		{"data-hash annotation removed", edited(written, false,
			func(s *corev1.Secret) { delete(s.Annotations, tokensv1alpha1.AnnotationDataHash) }), nil},
		{"data-hash annotation edited", edited(written, false,
			setAnnotation(tokensv1alpha1.AnnotationDataHash, "0123456789abcdef0123456789abcdef")), nil},
		{"issued-at annotation removed", edited(written, false,
			func(s *corev1.Secret) { delete(s.Annotations, tokensv1alpha1.AnnotationIssuedAt) }), nil},
		{"issued-at annotation unreadable", edited(written, false,
			setAnnotation(tokensv1alpha1.AnnotationIssuedAt, "yesterday")), nil},
		{"expiry not a number", edited(written, true, setData(tokensv1alpha1.KeyExpiresAtUnix, "soon")), nil},
		{"no access token", edited(written, true, setData(tokensv1alpha1.KeyAccessToken, "")), nil},
		{"no data at all", &corev1.Secret{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := readHeldToken(tt.secret)
			if ok != (tt.want != nil) {
				t.Errorf("readHeldToken() ok = %t, want %t", ok, tt.want != nil)
			}
			sameHeldToken(t, got, tt.want)
		})
	}
}

func TestHeldTokenOf(t *testing.T) {
	now := heldIssuedAt.Add(30 * time.Minute)
	oneHour, twoHours := heldTokenFor("one-hour", time.Hour), heldTokenFor("two-hours", 2*time.Hour)
	target := func(held *heldToken) corev1.Secret { return *writtenTarget(held) }
	expired := target(heldTokenFor("expired", 20*time.Minute))
	expiresNow := target(heldTokenFor("expires-now", 30*time.Minute))
	// A 15-minute token requested after a 2-hour one: inputs that give shorter tokens.
	requestedLater := requestedAt(heldTokenFor("requested-later", 15*time.Minute), heldIssuedAt.Add(20*time.Minute))
	fromTheFuture, fromTheFutureAsNow := heldTokenFor("from-the-future", 3*time.Hour), heldTokenFor("from-the-future", 3*time.Hour)
	fromTheFuture.RequestedAt, fromTheFutureAsNow.RequestedAt = now.Add(240*time.Hour), now
	tampered := *edited(writtenTarget(heldTokenFor("tampered", 3*time.Hour)), false, func(s *corev1.Secret) {
		s.Data[tokensv1alpha1.KeyAccessToken] = []byte("forged")
	})

	tests := []struct {
		name  string
		owned []corev1.Secret
		want  *heldToken
	}{
		{"no targets", nil, nil},
		{"one target", []corev1.Secret{target(oneHour)}, oneHour},
		{"requested together: the latest expiry wins", []corev1.Secret{target(oneHour), target(twoHours)}, twoHours},
		{"requested together: the latest expiry wins, in any order", []corev1.Secret{target(twoHours), target(oneHour)}, twoHours},
		{"the latest request wins over a later expiry", []corev1.Secret{target(twoHours), target(requestedLater)}, requestedLater},
		{"a request time in the future is taken as now", []corev1.Secret{target(fromTheFuture)}, fromTheFutureAsNow},
		{"expired: skipped", []corev1.Secret{expired}, nil},
		{"expiring now: skipped", []corev1.Secret{expiresNow}, nil},
		{"expired beside a valid one", []corev1.Secret{expired, target(oneHour), expiresNow}, oneHour},
		{"edited: not trusted, even with a later expiry", []corev1.Secret{target(oneHour), tampered}, oneHour},
		{"only edited", []corev1.Secret{tampered}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameHeldToken(t, heldTokenOf(tt.owned, now), tt.want)
		})
	}
}

// requestedAt is held requested at another time, with its expiry as long after it as before.
func requestedAt(held *heldToken, at time.Time) *heldToken {
	moved := *held
	moved.ExpiresAt = at.Add(held.ExpiresAt.Sub(held.RequestedAt))
	moved.RequestedAt = at
	return &moved
}

func TestTokenInputsHash(t *testing.T) {
	base := tokenInputsHash(fullRequest)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(base) {
		t.Fatalf("tokenInputsHash() = %q, want 32 hex digits", base)
	}
	tests := []struct {
		name    string
		edit    func(*vipps.Request)
		changes bool
	}{
		{"nothing", func(*vipps.Request) {}, false},
		{"type", func(r *vipps.Request) { r.Type = vipps.TokenTypePartner }, true},
		{"base URL", func(r *vipps.Request) { r.BaseURL = vipps.ProductionBaseURL }, true},
		{"client id", func(r *vipps.Request) { r.ClientID = "client-id-other" }, true},
		{"client secret", func(r *vipps.Request) { r.ClientSecret = "client-secret-other" }, true},
		{"subscription key", func(r *vipps.Request) { r.SubscriptionKey = "subscription-key-other" }, true},
		{"merchant serial number", func(r *vipps.Request) { r.MerchantSerialNumber = "654321" }, true},
		{"resource", func(r *vipps.Request) { r.Resource = "https://testapivipps.no/vippsas/invoice-isp-service" }, true},
		{"value moved between fields", func(r *vipps.Request) {
			r.ClientID, r.ClientSecret = r.ClientID+r.ClientSecret, ""
		}, true},
		{"system name", func(r *vipps.Request) { r.System.Name = "other" }, false},
		{"system version", func(r *vipps.Request) { r.System.Version = "9.9.9" }, false},
		{"system plugin", func(r *vipps.Request) { r.System.PluginName, r.System.PluginVersion = "", "" }, false},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := fullRequest
			tt.edit(&req)
			got := tokenInputsHash(req)
			if changed := got != base; changed != tt.changes {
				t.Errorf("tokenInputsHash() changed = %t, want %t", changed, tt.changes)
			}
			if other, ok := seen[got]; ok && tt.changes {
				t.Errorf("tokenInputsHash() is the same as after changing %s", other)
			}
			seen[got] = tt.name
		})
	}
}

func TestDataHash(t *testing.T) {
	base := map[string][]byte{"access-token": []byte("abc"), "token-type": []byte("Bearer")}
	tests := []struct {
		name string
		data map[string][]byte
		same bool
	}{
		{"same data, another map", map[string][]byte{"token-type": []byte("Bearer"), "access-token": []byte("abc")}, true},
		{"a value changed", map[string][]byte{"access-token": []byte("abd"), "token-type": []byte("Bearer")}, false},
		{"a key renamed", map[string][]byte{"access-token": []byte("abc"), "token_type": []byte("Bearer")}, false},
		{"a key added", map[string][]byte{"access-token": []byte("abc"), "token-type": []byte("Bearer"), "x": nil}, false},
		{"a key removed", map[string][]byte{"access-token": []byte("abc")}, false},
		{"a value moved into the key", map[string][]byte{"access-tokenabc": nil, "token-type": []byte("Bearer")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if same := dataHash(tt.data) == dataHash(base); same != tt.same {
				t.Errorf("dataHash() same = %t, want %t", same, tt.same)
			}
		})
	}
	t.Run("nil and empty", func(t *testing.T) {
		if a, b := dataHash(nil), dataHash(map[string][]byte{}); a != b || a != hashOf() {
			t.Errorf("dataHash(nil) = %q, dataHash({}) = %q, want both %q", a, b, hashOf())
		}
	})
}

func TestHashOf(t *testing.T) {
	tests := []struct {
		name  string
		parts []string
		want  string
	}{
		// sha256("1:a") and sha256("5:hello0:"), the first 32 hex digits.
		{"one part", []string{"a"}, "4162fddd39a3e4225e8e2392eced237f"},
		{"an empty part counts", []string{"hello", ""}, "c4ac1b34d8d4b902c29f9f3f70100ed7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hashOf(tt.parts...); got != tt.want {
				t.Errorf("hashOf(%q) = %q, want %q", tt.parts, got, tt.want)
			}
		})
	}
	distinct := []struct {
		name string
		a, b []string
	}{
		{"split elsewhere", []string{"ab", "c"}, []string{"a", "bc"}},
		{"no parts and one empty part", nil, []string{""}},
		{"length prefix cannot be forged", []string{"1:a"}, []string{"a"}},
		{"order", []string{"a", "b"}, []string{"b", "a"}},
	}
	for _, tt := range distinct {
		t.Run(tt.name, func(t *testing.T) {
			if hashOf(tt.a...) == hashOf(tt.b...) {
				t.Errorf("hashOf(%q) == hashOf(%q)", tt.a, tt.b)
			}
		})
	}
}
