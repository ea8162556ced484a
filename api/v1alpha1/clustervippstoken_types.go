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

// MaxFailingNamespaces bounds status.failingNamespaces of a ClusterVippsToken, so that its
// status stays small however many namespaces fail; status.namespaces.failing counts them all.
const MaxFailingNamespaces = 10

// ClusterVippsTokenSpec describes which token to fetch, once, and the Secret to write it
// into in every selected namespace.
type ClusterVippsTokenSpec struct {
	// TokenSettings say which token to request and when to renew it.
	TokenSettings `json:",inline"`

	// credentialsSecretRef names the Secret that holds the API keys, in the operator's
	// cluster resource namespace (its --cluster-resource-namespace flag; by default the
	// namespace the operator runs in). Its values never leave that namespace, except the
	// subscription key and the merchant serial number when target.includeRequestHeaders asks
	// for them.
	// +required
	CredentialsSecretRef CredentialsSecretReference `json:"credentialsSecretRef"`

	// namespaceSelector selects the namespaces that receive the target. An empty selector
	// ({}) selects every namespace but the cluster resource namespace, which never receives
	// one.
	// +required
	NamespaceSelector metav1.LabelSelector `json:"namespaceSelector"`

	// target is the Secret written into every selected namespace. The operator creates and
	// owns it; where a Secret of that name exists that it does not own, it leaves it alone
	// and reports the namespace.
	// +required
	Target TargetSecret `json:"target"`

	// rolloutRestartTargets are Deployments, StatefulSets and DaemonSets, each in a selected
	// namespace, that read the token once and see a new one only when they restart. After a
	// new token has reached a workload's namespace, the operator restarts the workload once,
	// as kubectl rollout restart does, when it was started with --enable-rollout-restarts.
	// +optional
	// +listType=map
	// +listMapKey=namespace
	// +listMapKey=kind
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=64
	RolloutRestartTargets []NamespacedRolloutRestartTarget `json:"rolloutRestartTargets,omitempty"`
}

// NamespacedRolloutRestartTarget names a workload in a namespace that a ClusterVippsToken
// selects.
type NamespacedRolloutRestartTarget struct {
	// namespace of the workload.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace"`

	// RolloutRestartTarget is the workload's kind and name.
	RolloutRestartTarget `json:",inline"`
}

// NamespaceCounts count the namespaces of a ClusterVippsToken.
type NamespaceCounts struct {
	// selected is the number of namespaces that the namespaceSelector selects.
	// +optional
	Selected int32 `json:"selected"`

	// ready is the number of selected namespaces whose target holds the current token.
	// +optional
	Ready int32 `json:"ready"`

	// failing is the number of selected namespaces whose target could not be written.
	// +optional
	Failing int32 `json:"failing"`
}

// NamespaceFailure says why a namespace does not hold the token.
type NamespaceFailure struct {
	// namespace that does not hold the token.
	// +required
	Namespace string `json:"namespace"`

	// reason is a CamelCase word: TargetConflict or TargetWriteFailed.
	// +required
	Reason string `json:"reason"`

	// message says what happened, for a person.
	// +required
	Message string `json:"message"`
}

// ClusterVippsTokenStatus is what the operator observed. It never holds a token or a
// credential.
type ClusterVippsTokenStatus struct {
	// conditions: Ready, Refreshed, Reconciling and Stalled as for a VippsToken. Ready is
	// True while the token is valid, and then names failing namespaces in its reason.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// observedGeneration is the spec generation that the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// TokenStatus is what the status of its VippsToken says of the token.
	TokenStatus `json:",inline"`

	// namespaces counts the selected namespaces, those that hold the token and those failing.
	// +optional
	Namespaces NamespaceCounts `json:"namespaces,omitzero"`

	// lastRolloutRestart records the restart of the rolloutRestartTargets for a token, so that
	// a resync, a retry or a restart of the operator never restarts them again for it.
	// +optional
	LastRolloutRestart *RolloutRestartStatus `json:"lastRolloutRestart,omitempty"`

	// failingNamespaces are the first failing namespaces in alphabetical order, at most ten.
	// +optional
	// +listType=map
	// +listMapKey=namespace
	// +kubebuilder:validation:MaxItems=10
	FailingNamespaces []NamespaceFailure `json:"failingNamespaces,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=cvt;cvtoken,categories=vipps
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Environment",type=string,JSONPath=`.spec.environment`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Namespaces",type=integer,JSONPath=`.status.namespaces.selected`,description="Namespaces that the namespaceSelector selects."
// +kubebuilder:printcolumn:name="Holding",type=integer,JSONPath=`.status.namespaces.ready`,description="Selected namespaces whose target holds the current token."
// +kubebuilder:printcolumn:name="Failing",type=integer,JSONPath=`.status.namespaces.failing`,description="Selected namespaces whose target could not be written."
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.status.expiresAt`,description="When the token expires."
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Renews",type=string,JSONPath=`.status.renewalTime`,priority=1,description="When the operator requests the next token."
// +kubebuilder:printcolumn:name="Failures",type=integer,JSONPath=`.status.failureCount`,priority=1,description="Token requests that failed in a row."
// +kubebuilder:printcolumn:name="Next Retry",type=string,JSONPath=`.status.nextRetryTime`,priority=1,description="When a failed token request is retried."
// The name becomes the name of a VippsToken and of a Secret "<name>-token" in the cluster
// resource namespace.
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 63",message="the name of a ClusterVippsToken must be at most 63 characters: it names a VippsToken and a Secret in the cluster resource namespace"

// ClusterVippsToken keeps one Vipps MobilePay access token fresh in a Secret of every
// namespace its namespaceSelector selects, from credentials that only the cluster resource
// namespace holds.
type ClusterVippsToken struct {
	metav1.TypeMeta `json:",inline"`

	// metadata is standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// spec says which token to fetch and where to write it.
	// +required
	Spec ClusterVippsTokenSpec `json:"spec"`

	// status is what the operator observed.
	// +optional
	Status ClusterVippsTokenStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// ClusterVippsTokenList contains a list of ClusterVippsToken.
type ClusterVippsTokenList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []ClusterVippsToken `json:"items"`
}

func init() {
	SchemeBuilder.Register(func(s *runtime.Scheme) error {
		s.AddKnownTypes(SchemeGroupVersion, &ClusterVippsToken{}, &ClusterVippsTokenList{})
		return nil
	})
}
