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
	"strings"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// failureReason is the condition reason for an error from reading credentials, resolving
// the endpoint, fetching a token or writing targets.
func failureReason(err error) string {
	switch {
	case errors.Is(err, errCredentialsNotFound):
		return tokensv1alpha1.ReasonCredentialsNotFound
	case errors.Is(err, errCredentialsInvalid), errors.Is(err, vipps.ErrInvalidRequest):
		return tokensv1alpha1.ReasonCredentialsInvalid
	case errors.Is(err, errEndpointNotAllowed):
		return tokensv1alpha1.ReasonEndpointNotAllowed
	case errors.Is(err, errTargetConflict):
		return tokensv1alpha1.ReasonTargetConflict
	case errors.Is(err, errNamespaceSelectorInvalid):
		return tokensv1alpha1.ReasonNamespaceSelectorInvalid
	case errors.Is(err, errTargetWrite):
		return tokensv1alpha1.ReasonTargetWriteFailed
	case errors.Is(err, vipps.ErrCredentialsRejected):
		return tokensv1alpha1.ReasonCredentialsRejected
	case errors.Is(err, vipps.ErrRateLimited):
		return tokensv1alpha1.ReasonRateLimited
	case errors.Is(err, vipps.ErrMalformedResponse):
		return tokensv1alpha1.ReasonMalformedResponse
	default:
		// Unavailable, and anything unforeseen such as a cancelled request: worth a retry.
		return tokensv1alpha1.ReasonVippsUnavailable
	}
}

// failureMessage says what went wrong and what to do about it, as sentences: the advice of
// the error's reason, unless the error knows better (an adviser).
func failureMessage(err error) string {
	advice := adviceFor(failureReason(err))
	if a, ok := errors.AsType[adviser](err); ok {
		advice = a.advice()
	}
	return fmt.Sprintf("%s. %s", capitalise(strings.TrimRight(err.Error(), ". ")), advice)
}

// adviser is an error that says what to do about it better than its reason's advice does.
type adviser interface {
	error
	advice() string
}

func adviceFor(reason string) string {
	switch reason {
	case tokensv1alpha1.ReasonCredentialsNotFound:
		return "Create the Secret or add the key; the operator retries as soon as it changes."
	case tokensv1alpha1.ReasonCredentialsInvalid:
		return "Fix the value in the credentials Secret; the operator retries as soon as it changes."
	case tokensv1alpha1.ReasonEndpointNotAllowed:
		return "Remove spec.endpoint, or ask the operator's administrator to add it to --allowed-endpoints."
	case tokensv1alpha1.ReasonTargetConflict:
		return "Rename the target, or delete the existing Secret so that the operator can create it."
	case tokensv1alpha1.ReasonNamespaceSelectorInvalid:
		return "Fix spec.namespaceSelector of the ClusterVippsToken."
	case tokensv1alpha1.ReasonTargetWriteFailed:
		return "The operator retries with backoff; check its RBAC and any admission policy on Secrets."
	case tokensv1alpha1.ReasonCredentialsRejected:
		return "Check that the client ID, client secret and subscription key belong to one sales unit " +
			"and to this environment (test keys do not work in Production); the operator retries at " +
			"once when the credentials Secret changes, and otherwise backs off up to an hour."
	case tokensv1alpha1.ReasonRateLimited:
		return "The operator backs off and honours Retry-After; lower the operator's --vipps-rate-limit if this persists."
	default:
		return "The operator retries with backoff; a token still valid stays in the targets."
	}
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
