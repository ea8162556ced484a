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
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// desiredTarget is the target Secret as the operator wants it: the token, and the request
// headers when the target asks for them, with the operator's label and bookkeeping
// annotations on top of the target's own.
func desiredTarget(tok *tokensv1alpha1.VippsToken, target tokensv1alpha1.TargetSecret, token issuedToken,
	req vipps.Request) *corev1.Secret {
	data := tokenData(token.Token)
	if target.IncludeRequestHeaders {
		maps.Copy(data, requestHeaderData(tok.Spec.Type, req))
	}

	labels := maps.Clone(target.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[tokensv1alpha1.LabelManagedBy] = tokensv1alpha1.ManagedByValue

	annotations := maps.Clone(target.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[tokensv1alpha1.AnnotationExpiresAt] = formatTime(token.ExpiresAt)
	annotations[tokensv1alpha1.AnnotationIssuedAt] = formatTime(token.RequestedAt)
	annotations[tokensv1alpha1.AnnotationDataHash] = dataHash(data)
	annotations[tokensv1alpha1.AnnotationTokenInputsHash] = token.inputsHash

	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: target.Name, Namespace: tok.Namespace, Labels: labels, Annotations: annotations,
		},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
}

// tokenData is what every target holds.
func tokenData(token vipps.Token) map[string][]byte {
	tokenType := token.TokenType
	if tokenType == "" {
		tokenType = "Bearer"
	}
	return map[string][]byte{
		tokensv1alpha1.KeyAccessToken:   []byte(token.AccessToken),
		tokensv1alpha1.KeyAuthorization: []byte("Bearer " + token.AccessToken),
		tokensv1alpha1.KeyTokenType:     []byte(tokenType),
		tokensv1alpha1.KeyExpiresAt:     []byte(formatTime(token.ExpiresAt)),
		tokensv1alpha1.KeyExpiresAtUnix: []byte(strconv.FormatInt(token.ExpiresAt.Unix(), 10)),
	}
}

// requestHeaderData is what a workload needs besides the token to call Vipps itself. Partner
// tokens need no subscription key, so none is written for them.
func requestHeaderData(tokenType tokensv1alpha1.TokenType, req vipps.Request) map[string][]byte {
	data := map[string][]byte{}
	set := func(key, value string) {
		if value != "" {
			data[key] = []byte(value)
		}
	}
	if tokenType != tokensv1alpha1.TokenTypePartner {
		set(tokensv1alpha1.KeySubscriptionKey, req.SubscriptionKey)
	}
	set(tokensv1alpha1.KeyMerchantSerialNumber, req.MerchantSerialNumber)
	set(tokensv1alpha1.KeySystemName, req.System.Name)
	set(tokensv1alpha1.KeySystemVersion, req.System.Version)
	set(tokensv1alpha1.KeySystemPluginName, req.System.PluginName)
	set(tokensv1alpha1.KeySystemPluginVersion, req.System.PluginVersion)
	return data
}
