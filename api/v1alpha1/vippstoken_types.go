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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// TokenType selects which Vipps MobilePay token endpoint issues the token.
// +kubebuilder:validation:Enum=Standard;Partner;Legacy
type TokenType string

const (
	// TokenTypeStandard is the access token of almost every integration: POST /accesstoken/get.
	TokenTypeStandard TokenType = "Standard"
	// TokenTypePartner is the partner specialised token: POST /miami/v1/token (OAuth2 client
	// credentials, no subscription key, 15 minutes).
	TokenTypePartner TokenType = "Partner"
	// TokenTypeLegacy is the 2018 Invoice-era token: POST /api/access-token/jwt-token.
	TokenTypeLegacy TokenType = "Legacy"
)

// Environment selects the Vipps MobilePay host.
// +kubebuilder:validation:Enum=Test;Production
type Environment string

const (
	// EnvironmentTest is https://apitest.vipps.no; standard tokens live 1 hour.
	EnvironmentTest Environment = "Test"
	// EnvironmentProduction is https://api.vipps.no; standard tokens live 24 hours.
	EnvironmentProduction Environment = "Production"
)

// VippsTokenSpec describes which token to fetch and where to write it.
// +kubebuilder:validation:XValidation:rule="self.targets.all(t, t.name != self.credentialsSecretRef.name)",message="a target must not be the credentials Secret: the operator would overwrite the credentials with the token"
type VippsTokenSpec struct {
	// TokenSettings say which token to request and when to renew it.
	TokenSettings `json:",inline"`

	// credentialsSecretRef names the Secret, in the same namespace, that holds the API
	// keys. The operator reads it when it fetches a token and never copies its values
	// anywhere but into the targets that ask for them.
	// +required
	CredentialsSecretRef CredentialsSecretReference `json:"credentialsSecretRef"`

	// targets are the Secrets, in the same namespace, that receive the token. The operator
	// creates and owns them; it never touches an existing Secret that it does not own.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Targets []TargetSecret `json:"targets"`

	// rolloutRestartTargets are Deployments, StatefulSets and DaemonSets in the VippsToken's
	// namespace that read the token once, from an environment variable, and see a new one
	// only when they restart. After a new token has been written into the targets, the
	// operator restarts each of them once, as kubectl rollout restart does, when it was
	// started with --enable-rollout-restarts. A workload that mounts a target Secret sees
	// every renewal without a restart: prefer that.
	// +optional
	// +listType=map
	// +listMapKey=kind
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	RolloutRestartTargets []RolloutRestartTarget `json:"rolloutRestartTargets,omitempty"`
}

// TokenSettings are what a VippsToken and a ClusterVippsToken share: which token to request,
// from where, and when to renew it.
// +kubebuilder:validation:XValidation:rule="self.type != 'Legacy' || has(self.resource)",message="resource is required when type is Legacy"
// +kubebuilder:validation:XValidation:rule="self.type == 'Legacy' || !has(self.resource)",message="resource is only allowed when type is Legacy"
type TokenSettings struct {
	// type selects the token endpoint: Standard (POST /accesstoken/get), Partner
	// (POST /miami/v1/token) or Legacy (POST /api/access-token/jwt-token, needs resource).
	// +required
	Type TokenType `json:"type"`

	// environment selects the Vipps MobilePay host: Test (apitest.vipps.no) or
	// Production (api.vipps.no). It selects the host and nothing else.
	// +required
	Environment Environment `json:"environment"`

	// merchantSerialNumber is sent as the Merchant-Serial-Number header: 4 to 6 digits.
	// When it is unset, the credentials Secret's merchant serial number key is used if present.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]{4,6}$`
	MerchantSerialNumber string `json:"merchantSerialNumber,omitempty"`

	// systemInfo fills the four Vipps-System-* headers that Vipps recommends every
	// integration sends.
	// +optional
	SystemInfo *SystemInfo `json:"systemInfo,omitempty"`

	// resource is the resource the Legacy endpoint issues a token for, for example
	// https://testapivipps.no/vippsas/invoice-isp-service. Required for Legacy, forbidden otherwise.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Resource string `json:"resource,omitempty"`

	// endpoint overrides the environment's host with another base URL, for a proxy or a
	// test server (scheme://host[:port][/path], no query or fragment). The operator sends
	// nothing to it unless its --allowed-endpoints flag permits that exact base URL.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHostname() != ''",message="endpoint must be an absolute http or https URL, like https://vipps-proxy.example.com"
	// +kubebuilder:validation:XValidation:rule="!self.contains('?') && !self.contains('#')",message="endpoint must not contain a query or a fragment"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[a-zA-Z]+://[^/]*@')",message="endpoint must not contain a user name or password: it would show in status and events"
	Endpoint string `json:"endpoint,omitempty"`

	// refreshPolicy says when a token is renewed. By default the operator renews when a
	// third of the token's lifetime remains.
	// +optional
	RefreshPolicy *RefreshPolicy `json:"refreshPolicy,omitempty"`
}

// WorkloadKind is a kind of workload that the operator can restart.
// +kubebuilder:validation:Enum=Deployment;StatefulSet;DaemonSet
type WorkloadKind string

// The kinds of workload that the operator can restart.
const (
	WorkloadDeployment  WorkloadKind = "Deployment"
	WorkloadStatefulSet WorkloadKind = "StatefulSet"
	WorkloadDaemonSet   WorkloadKind = "DaemonSet"
)

// RolloutRestartTarget names a workload in the VippsToken's namespace.
type RolloutRestartTarget struct {
	// kind of the workload: Deployment, StatefulSet or DaemonSet.
	// +required
	Kind WorkloadKind `json:"kind"`

	// name of the workload.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// CredentialsSecretReference names the credentials Secret and the keys within it.
type CredentialsSecretReference struct {
	// name of the Secret in the VippsToken's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// clientIDKey is the key that holds the client_id. Defaults to client-id.
	// +optional
	// +kubebuilder:default=client-id
	ClientIDKey SecretKey `json:"clientIDKey,omitempty"`

	// clientSecretKey is the key that holds the client_secret. Defaults to client-secret.
	// +optional
	// +kubebuilder:default=client-secret
	ClientSecretKey SecretKey `json:"clientSecretKey,omitempty"`

	// subscriptionKeyKey is the key that holds the Ocp-Apim-Subscription-Key. Defaults to
	// subscription-key. Standard and Legacy tokens need it; Partner tokens never send it.
	// +optional
	// +kubebuilder:default=subscription-key
	SubscriptionKeyKey SecretKey `json:"subscriptionKeyKey,omitempty"`

	// merchantSerialNumberKey is the key that may hold the merchant serial number; it is
	// read only when spec.merchantSerialNumber is unset, and may be absent. Defaults to
	// merchant-serial-number.
	// +optional
	// +kubebuilder:default=merchant-serial-number
	MerchantSerialNumberKey SecretKey `json:"merchantSerialNumberKey,omitempty"`
}

// SecretKey is a key in a Secret's data.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
type SecretKey string

// SystemInfo describes the calling system for the Vipps-System-* headers. Each value is
// sent as a header, so it may hold no control character (a newline from a YAML block scalar).
type SystemInfo struct {
	// name is sent as Vipps-System-Name, for example acme-webshop.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=30
	// +kubebuilder:validation:Pattern=`^[^\x00-\x1f\x7f]+$`
	Name string `json:"name,omitempty"`

	// version is sent as Vipps-System-Version.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=30
	// +kubebuilder:validation:Pattern=`^[^\x00-\x1f\x7f]+$`
	Version string `json:"version,omitempty"`

	// pluginName is sent as Vipps-System-Plugin-Name.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=30
	// +kubebuilder:validation:Pattern=`^[^\x00-\x1f\x7f]+$`
	PluginName string `json:"pluginName,omitempty"`

	// pluginVersion is sent as Vipps-System-Plugin-Version.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=30
	// +kubebuilder:validation:Pattern=`^[^\x00-\x1f\x7f]+$`
	PluginVersion string `json:"pluginVersion,omitempty"`
}

// TargetSecret is a Secret that the operator writes the token into.
// +kubebuilder:validation:XValidation:rule="!has(self.labels) || !('app.kubernetes.io/managed-by' in self.labels)",message="labels must not set app.kubernetes.io/managed-by: the operator sets it to find its Secrets"
// +kubebuilder:validation:XValidation:rule="!has(self.annotations) || self.annotations.all(k, !k.startsWith('tokens.vippsoperator.dev/'))",message="annotations must not use the tokens.vippsoperator.dev/ prefix: the operator keeps its own bookkeeping there"
type TargetSecret struct {
	// name of the Secret in the VippsToken's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// labels are added to the Secret, for example to let a tool select it.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	Labels map[string]string `json:"labels,omitempty"`

	// annotations are added to the Secret, for example a reloader's annotation.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	Annotations map[string]string `json:"annotations,omitempty"`

	// includeRequestHeaders also writes what a workload needs for its own Vipps calls
	// besides the token: the subscription key (Standard and Legacy), the merchant serial
	// number and the system headers, so that one mounted Secret is enough to call Vipps.
	// +optional
	IncludeRequestHeaders bool `json:"includeRequestHeaders,omitempty"`
}

// RefreshPolicy says when a token is renewed: when a share of its lifetime remains
// (renewBeforePercentage) or a fixed time before it expires (renewBefore), not both.
// +kubebuilder:validation:XValidation:rule="!(has(self.renewBefore) && has(self.renewBeforePercentage))",message="set either renewBefore or renewBeforePercentage, not both"
type RefreshPolicy struct {
	// renewBeforePercentage renews the token when this share of its lifetime remains.
	// Defaults to 33 (a third) when renewBefore is unset. A share suits every lifetime:
	// 5 minutes before a 15-minute partner token expires, 8 hours before a 24-hour one.
	// +optional
	// +kubebuilder:validation:Minimum=5
	// +kubebuilder:validation:Maximum=90
	RenewBeforePercentage *int32 `json:"renewBeforePercentage,omitempty"`

	// renewBefore renews the token this long before it expires, for example 10m. When it is
	// as long as the token's lifetime or longer, the renewal falls back to a third of the lifetime.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="renewBefore must be at least 1s: a token renewed only when it expires lapses every time"
	RenewBefore *metav1.Duration `json:"renewBefore,omitempty"`

	// minimumInterval is the shortest time between two token requests for this VippsToken,
	// whatever the lifetime Vipps returns; it prevents a hot loop against Vipps. Defaults to 30s.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('1h')",message="minimumInterval must be between 1s and 1h"
	MinimumInterval *metav1.Duration `json:"minimumInterval,omitempty"`
}

// VippsTokenStatus is what the operator observed. It never holds a token or a credential.
type VippsTokenStatus struct {
	// conditions: Ready summarises whether the targets hold a valid token; Refreshed tells
	// how the last token request went; Reconciling and Stalled, present only while True,
	// say whether a VippsToken without a valid token is still in progress or needs a person
	// (the kstatus conventions that Flux and kubectl-wait-style tools read).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the spec generation that the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// TokenStatus is what the status says of the token in the targets.
	TokenStatus `json:",inline"`

	// credentialsResourceVersion is the resourceVersion of the credentials Secret that the last
	// token request used; it tells a changed Secret from the one that failed.
	// +optional
	CredentialsResourceVersion string `json:"credentialsResourceVersion,omitempty"`

	// lastRefreshRequest is the value of the tokens.vippsoperator.dev/refresh annotation that
	// the operator last acted on, so that each new value triggers exactly one refresh.
	// +optional
	LastRefreshRequest string `json:"lastRefreshRequest,omitempty"`

	// lastRolloutRestart records the restart of the rolloutRestartTargets for a token, so
	// that a resync, a retry or a restart of the operator never restarts them again for it.
	// +optional
	LastRolloutRestart *RolloutRestartStatus `json:"lastRolloutRestart,omitempty"`
}

// TokenStatus is what a VippsToken and a ClusterVippsToken say of their token: when it
// expires, when it is renewed, and how its requests went.
type TokenStatus struct {
	// expiresAt is when the token in the targets expires.
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`

	// renewalTime is when the operator will request the next token. It is chosen once per
	// token, jitter included, so a restart of the operator does not move it.
	// +optional
	RenewalTime *metav1.Time `json:"renewalTime,omitempty"`

	// lastRefreshTime is when the operator sent the request that obtained the current token.
	// The token's lifetime and the minimum interval count from here.
	// +optional
	LastRefreshTime *metav1.Time `json:"lastRefreshTime,omitempty"`

	// failureCount is the number of token requests that failed in a row; 0 after a success.
	// +optional
	FailureCount int32 `json:"failureCount,omitempty"`

	// lastFailureTime is when the last token request failed.
	// +optional
	LastFailureTime *metav1.Time `json:"lastFailureTime,omitempty"`

	// nextRetryTime is when a failed token request is retried, unless the spec or the
	// credentials Secret changes before then, which retries at once.
	// +optional
	NextRetryTime *metav1.Time `json:"nextRetryTime,omitempty"`
}

// RolloutRestartStatus is the last restart of a VippsToken's rolloutRestartTargets.
type RolloutRestartStatus struct {
	// tokenRefreshTime identifies the token the restart was for: the lastRefreshTime of
	// that token.
	// +required
	TokenRefreshTime metav1.Time `json:"tokenRefreshTime"`

	// time is when the operator restarted the workloads, or found that it could not.
	// +required
	Time metav1.Time `json:"time"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=vt;vtoken,categories=vipps
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Environment",type=string,JSONPath=`.spec.environment`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// The times in status are columns of type string, printed as the RFC 3339 timestamps they are:
// kubectl prints a column of type date as the time elapsed since it, which for a time in the
// future, the expiry of every valid token, is "<invalid>". Age is in the past, as date expects.
// The default view says whether the token is valid and until when; -o wide (priority 1) adds
// when the operator acts next and how its retries stand.
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.status.expiresAt`,description="When the token in the targets expires."
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Renews",type=string,JSONPath=`.status.renewalTime`,priority=1,description="When the operator requests the next token."
// +kubebuilder:printcolumn:name="Failures",type=integer,JSONPath=`.status.failureCount`,priority=1,description="Token requests that failed in a row."
// +kubebuilder:printcolumn:name="Next Retry",type=string,JSONPath=`.status.nextRetryTime`,priority=1,description="When a failed token request is retried."

// VippsToken keeps a Vipps MobilePay access token fresh in one or more Secrets.
type VippsToken struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec says which token to fetch and where to write it.
	// +required
	Spec VippsTokenSpec `json:"spec"`

	// status is what the operator observed.
	// +optional
	Status VippsTokenStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// VippsTokenList contains a list of VippsToken.
type VippsTokenList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []VippsToken `json:"items"`
}

func init() {
	SchemeBuilder.Register(func(s *runtime.Scheme) error {
		s.AddKnownTypes(SchemeGroupVersion, &VippsToken{}, &VippsTokenList{})
		return nil
	})
}
