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
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// textOf is data as strings, for comparing and printing.
func textOf(data map[string][]byte) map[string]string {
	text := make(map[string]string, len(data))
	for k, v := range data {
		text[k] = string(v)
	}
	return text
}

// withEntries is base with extra merged over it, in a new map.
func withEntries(base, extra map[string]string) map[string]string {
	merged := maps.Clone(base)
	maps.Copy(merged, extra)
	return merged
}

// sameText reports how got differs from want, naming what was compared.
func sameText(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s = %q\nwant %q", what, got, want)
	}
}

// The data of a token issued at heldIssuedAt that lives an hour, and the request headers of fullRequest.
var (
	oneHourTokenData = map[string]string{
		tokensv1alpha1.KeyAccessToken:   "eyJ0eXAiOiJKV1QifQ.e30.c2ln",
		tokensv1alpha1.KeyAuthorization: "Bearer eyJ0eXAiOiJKV1QifQ.e30.c2ln",
		tokensv1alpha1.KeyTokenType:     "Bearer",
		tokensv1alpha1.KeyExpiresAt:     "2026-03-01T13:00:00Z",
		tokensv1alpha1.KeyExpiresAtUnix: "1772370000",
	}
	fullRequestPartnerHeaders = map[string]string{
		tokensv1alpha1.KeyMerchantSerialNumber: "123456",
		tokensv1alpha1.KeySystemName:           "shop",
		tokensv1alpha1.KeySystemVersion:        "1.2.3",
		tokensv1alpha1.KeySystemPluginName:     "checkout",
		tokensv1alpha1.KeySystemPluginVersion:  "4.5.6",
	}
	fullRequestHeaders = withEntries(fullRequestPartnerHeaders,
		map[string]string{tokensv1alpha1.KeySubscriptionKey: "subscription-key-value"})
)

func TestTokenData(t *testing.T) {
	token := vipps.Token{AccessToken: "eyJ0eXAiOiJKV1QifQ.e30.c2ln", TokenType: "Bearer",
		RequestedAt: heldIssuedAt, ExpiresAt: heldIssuedAt.Add(time.Hour)}
	tests := []struct {
		name string
		edit func(*vipps.Token)
		want map[string]string
	}{
		{"Bearer token", func(*vipps.Token) {}, oneHourTokenData},
		{"no token type: Bearer", func(tok *vipps.Token) { tok.TokenType = "" }, oneHourTokenData},
		{"expiry in another zone: written in UTC", func(tok *vipps.Token) {
			tok.ExpiresAt = tok.ExpiresAt.In(time.FixedZone("CET", 3600))
		}, oneHourTokenData},
		{"another expiry", func(tok *vipps.Token) { tok.ExpiresAt = tok.ExpiresAt.Add(23 * time.Hour) },
			withEntries(oneHourTokenData, map[string]string{
				tokensv1alpha1.KeyExpiresAt: "2026-03-02T12:00:00Z", tokensv1alpha1.KeyExpiresAtUnix: "1772452800",
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := token
			tt.edit(&tok)
			sameText(t, "tokenData()", textOf(tokenData(tok)), tt.want)
		})
	}
}

func TestRequestHeaderData(t *testing.T) {
	minimal := vipps.Request{ClientID: "client-id-value", ClientSecret: "client-secret-value", SubscriptionKey: "subscription-key-value"}
	tests := []struct {
		name      string
		tokenType tokensv1alpha1.TokenType
		req       vipps.Request
		want      map[string]string
	}{
		{"Standard", tokensv1alpha1.TokenTypeStandard, fullRequest, fullRequestHeaders},
		{"Legacy", tokensv1alpha1.TokenTypeLegacy, fullRequest, fullRequestHeaders},
		{"Partner: no subscription key", tokensv1alpha1.TokenTypePartner, fullRequest, fullRequestPartnerHeaders},
		{"Standard, only credentials: the subscription key", tokensv1alpha1.TokenTypeStandard, minimal,
			map[string]string{tokensv1alpha1.KeySubscriptionKey: "subscription-key-value"}},
		{"Partner, only credentials: nothing", tokensv1alpha1.TokenTypePartner, minimal, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameText(t, "requestHeaderData()", textOf(requestHeaderData(tt.tokenType, tt.req)), tt.want)
		})
	}
}

func TestDesiredTarget(t *testing.T) {
	token := issuedToken{
		Token: vipps.Token{AccessToken: "eyJ0eXAiOiJKV1QifQ.e30.c2ln", TokenType: "Bearer",
			RequestedAt: heldIssuedAt, ExpiresAt: heldIssuedAt.Add(time.Hour)},
		inputsHash: "0123456789abcdef0123456789abcdef",
	}
	managedBy := map[string]string{tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue}
	own := map[string]string{"team": "payments"}
	tests := []struct {
		name            string
		tokenType       tokensv1alpha1.TokenType
		target          tokensv1alpha1.TargetSecret
		wantData        map[string]string
		wantLabels      map[string]string
		wantAnnotations map[string]string // besides the operator's
	}{
		{"token only", tokensv1alpha1.TokenTypeStandard, tokensv1alpha1.TargetSecret{Name: "shop-token"},
			oneHourTokenData, managedBy, map[string]string{}},
		{"the target's labels and annotations kept", tokensv1alpha1.TokenTypeStandard,
			tokensv1alpha1.TargetSecret{Name: "shop-token", Labels: own, Annotations: own},
			oneHourTokenData, withEntries(own, managedBy), own},
		{"Standard with request headers", tokensv1alpha1.TokenTypeStandard,
			tokensv1alpha1.TargetSecret{Name: "shop-token", IncludeRequestHeaders: true},
			withEntries(oneHourTokenData, fullRequestHeaders), managedBy, map[string]string{}},
		{"Partner with request headers: no subscription key", tokensv1alpha1.TokenTypePartner,
			tokensv1alpha1.TargetSecret{Name: "shop-token", IncludeRequestHeaders: true},
			withEntries(oneHourTokenData, fullRequestPartnerHeaders), managedBy, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := &tokensv1alpha1.VippsToken{
				ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "payments"},
				Spec:       tokensv1alpha1.VippsTokenSpec{TokenSettings: tokensv1alpha1.TokenSettings{Type: tt.tokenType}},
			}
			got := desiredTarget(tok, tt.target, token, fullRequest)
			if got.Name != "shop-token" || got.Namespace != "payments" || got.Type != corev1.SecretTypeOpaque {
				t.Errorf("desiredTarget() is %s/%s of type %s, want payments/shop-token of type Opaque", got.Namespace, got.Name, got.Type)
			}
			sameText(t, "data", textOf(got.Data), tt.wantData)
			sameText(t, "labels", got.Labels, tt.wantLabels)
			sameText(t, "annotations", got.Annotations, withEntries(tt.wantAnnotations, map[string]string{
				tokensv1alpha1.AnnotationExpiresAt:       "2026-03-01T13:00:00Z",
				tokensv1alpha1.AnnotationIssuedAt:        "2026-03-01T12:00:00Z",
				tokensv1alpha1.AnnotationDataHash:        dataHash(got.Data),
				tokensv1alpha1.AnnotationTokenInputsHash: "0123456789abcdef0123456789abcdef",
			}))
			if len(own) != 1 {
				t.Errorf("desiredTarget() changed the target's own labels or annotations: %q", own)
			}
		})
	}
}
