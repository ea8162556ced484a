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

package v1alpha1

// Labels and annotations that the operator reads or writes.
const (
	// LabelManagedBy marks every target Secret; the operator caches only Secrets with it.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedByValue is the value of LabelManagedBy on target Secrets.
	ManagedByValue = "vipps-token-operator"

	// LabelClusterVippsToken on a VippsToken, and on the Secrets it writes, names the
	// ClusterVippsToken it was made for.
	LabelClusterVippsToken = "tokens.vippsoperator.dev/cluster-vipps-token"

	// AnnotationRefresh on a VippsToken or a ClusterVippsToken requests an immediate refresh; each new value
	// triggers one, e.g. kubectl annotate vippstoken NAME tokens.vippsoperator.dev/refresh="$(date +%s)" --overwrite.
	AnnotationRefresh = "tokens.vippsoperator.dev/refresh"
	// AnnotationExpiresAt on a target Secret is the token's expiry in RFC 3339.
	AnnotationExpiresAt = "tokens.vippsoperator.dev/expires-at"
	// AnnotationIssuedAt on a target Secret is when the operator sent the request that obtained
	// the token, in RFC 3339; with the expiry it gives the lifetime that the renewal time is a
	// share of. It is not the JWT's iat, which Vipps back-dates by about five minutes.
	AnnotationIssuedAt = "tokens.vippsoperator.dev/issued-at"
	// AnnotationDataHash on a target Secret is a hash of the data the operator wrote, so
	// that it can tell an edited Secret from its own and skip writes that change nothing.
	AnnotationDataHash = "tokens.vippsoperator.dev/data-hash"
	// AnnotationTokenInputsHash on a target Secret is a hash of everything that decided the
	// token (spec fields and credentials), so that a change to any of them brings a new token.
	AnnotationTokenInputsHash = "tokens.vippsoperator.dev/token-inputs-hash"
	// AnnotationRestartedAt on the pod template of a rolloutRestartTargets workload is when
	// the operator restarted it, in RFC 3339: as kubectl rollout restart's
	// kubectl.kubernetes.io/restartedAt, a change to it rolls the workload's Pods.
	AnnotationRestartedAt = "tokens.vippsoperator.dev/restarted-at"
)

// Keys of a target Secret's data.
const (
	// KeyAccessToken holds the raw access token.
	KeyAccessToken = "access-token"
	// KeyAuthorization holds the ready Authorization header value: "Bearer <token>".
	KeyAuthorization = "authorization"
	// KeyTokenType holds the token type Vipps returned, "Bearer".
	KeyTokenType = "token-type"
	// KeyExpiresAt holds the expiry in RFC 3339.
	KeyExpiresAt = "expires-at"
	// KeyExpiresAtUnix holds the expiry in Unix seconds.
	KeyExpiresAtUnix = "expires-at-unix"

	// The keys below are written only when the target sets includeRequestHeaders.

	// KeySubscriptionKey holds the Ocp-Apim-Subscription-Key (Standard and Legacy only).
	KeySubscriptionKey = "subscription-key"
	// KeyMerchantSerialNumber holds the Merchant-Serial-Number, when one is known.
	KeyMerchantSerialNumber = "merchant-serial-number"
	// KeySystemName holds Vipps-System-Name, when set.
	KeySystemName = "vipps-system-name"
	// KeySystemVersion holds Vipps-System-Version, when set.
	KeySystemVersion = "vipps-system-version"
	// KeySystemPluginName holds Vipps-System-Plugin-Name, when set.
	KeySystemPluginName = "vipps-system-plugin-name"
	// KeySystemPluginVersion holds Vipps-System-Plugin-Version, when set.
	KeySystemPluginVersion = "vipps-system-plugin-version"
)
