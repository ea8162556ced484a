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

// Condition types of a VippsToken.
const (
	// ConditionReady summarises the VippsToken: True while every target holds a token that
	// has not expired. Its reason names the most pressing problem, also while a still-valid
	// token lets it stay True.
	ConditionReady = "Ready"
	// ConditionRefreshed tells how the last token request went: True when Vipps issued a
	// token (which the targets hold unless Ready says a write to them failed), False with the
	// failure's reason.
	ConditionRefreshed = "Refreshed"
	// ConditionReconciling is True, with Ready's reason, while the targets hold no valid
	// token and the operator is still working on one by itself: waiting for the first token,
	// or retrying after a failure that may pass. Absent otherwise. kstatus (Flux, kubectl
	// wait-style tools) reads it as "in progress".
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True, with the failure's reason, while the targets hold no valid
	// token and the failure needs a person: missing, invalid or rejected credentials, an
	// endpoint not allowed, or a target owned by somebody else. Absent otherwise. kstatus
	// reads it as "failed", so a GitOps pipeline fails instead of waiting for its timeout.
	ConditionStalled = "Stalled"
	// ConditionRolloutRestarted is present while spec.rolloutRestartTargets names workloads:
	// True when they were restarted for the token the targets hold, False when one could not
	// be (ReasonRestartFailed), when the next restart waits for the minimum interval
	// (ReasonRestartPending), or when the operator was not started with
	// --enable-rollout-restarts (ReasonRestartsDisabled). It does not affect Ready.
	ConditionRolloutRestarted = "RolloutRestarted"
)

// Reasons of the RolloutRestarted condition.
const (
	// ReasonRestarted: every workload was restarted for the token the targets hold.
	ReasonRestarted = "Restarted"
	// ReasonRestartFailed: a workload is missing, paused, or its patch was refused; it is not
	// retried for this token.
	ReasonRestartFailed = "RestartFailed"
	// ReasonRestartPending: a new token waits for the minimum interval since the last restart.
	ReasonRestartPending = "RestartPending"
	// ReasonRestartsDisabled: the operator was not started with --enable-rollout-restarts.
	ReasonRestartsDisabled = "RestartsDisabled"
)

// Reasons of the Ready and Refreshed conditions. Each failure class has its own, so that
// alerts and runbooks can tell them apart.
const (
	// ReasonTokenValid: every target holds a token that has not expired.
	ReasonTokenValid = "TokenValid"
	// ReasonTokenIssued: the last token request succeeded.
	ReasonTokenIssued = "TokenIssued"
	// ReasonProgressing: the first token has not been written yet.
	ReasonProgressing = "Progressing"
	// ReasonCredentialsNotFound: the credentials Secret or one of its keys is missing.
	ReasonCredentialsNotFound = "CredentialsNotFound"
	// ReasonCredentialsInvalid: a credential is empty or malformed, so no request is sent.
	ReasonCredentialsInvalid = "CredentialsInvalid"
	// ReasonCredentialsRejected: Vipps rejected the credentials (HTTP 400, 401 or 403).
	ReasonCredentialsRejected = "CredentialsRejected"
	// ReasonRateLimited: Vipps answered 429.
	ReasonRateLimited = "RateLimited"
	// ReasonVippsUnavailable: Vipps answered 5xx, timed out or could not be reached.
	ReasonVippsUnavailable = "VippsUnavailable"
	// ReasonMalformedResponse: Vipps answered 200 with something that is not a usable token.
	ReasonMalformedResponse = "MalformedResponse"
	// ReasonEndpointNotAllowed: spec.endpoint is not in the operator's allow-list; nothing is sent.
	ReasonEndpointNotAllowed = "EndpointNotAllowed"
	// ReasonTargetConflict: a target Secret exists and is not owned by this VippsToken.
	ReasonTargetConflict = "TargetConflict"
	// ReasonTargetWriteFailed: the API server refused a write to a target Secret.
	ReasonTargetWriteFailed = "TargetWriteFailed"
	// ReasonNamespacesFailing: the token is valid, but some namespaces that a ClusterVippsToken
	// selects do not hold it (status.failingNamespaces says why).
	ReasonNamespacesFailing = "NamespacesFailing"
	// ReasonNamespaceSelectorInvalid: a ClusterVippsToken's namespaceSelector does not parse.
	ReasonNamespaceSelectorInvalid = "NamespaceSelectorInvalid"
	// ReasonTokenExpired: the token in the targets has expired and no new one could be had.
	ReasonTokenExpired = "TokenExpired"
)
