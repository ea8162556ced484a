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
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// classifiedError is an error and the condition reason it must get.
type classifiedError struct {
	name string
	err  error
	want string
}

// failureCases are errors of every class, bare and as the reconciler wraps them.
func failureCases(t *testing.T) []classifiedError {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "shop-token", errors.New("denied by policy"))
	return []classifiedError{
		{"credentials not found", errCredentialsNotFound, tokensv1alpha1.ReasonCredentialsNotFound},
		{"credentials not found, wrapped", fmt.Errorf("%w: Secret payments/vipps has no key %q", errCredentialsNotFound, "client-id"),
			tokensv1alpha1.ReasonCredentialsNotFound},
		{"credentials invalid, wrapped", fmt.Errorf("%w: key %q of Secret payments/vipps is empty", errCredentialsInvalid, "client-id"),
			tokensv1alpha1.ReasonCredentialsInvalid},
		{"request refused by the client", fmt.Errorf("%w: clientID must not contain ':'", vipps.ErrInvalidRequest),
			tokensv1alpha1.ReasonCredentialsInvalid},
		{"endpoint not allowed", fmt.Errorf("%w: spec.endpoint https://evil.example.com", errEndpointNotAllowed),
			tokensv1alpha1.ReasonEndpointNotAllowed},
		{"target conflict", errTargetConflict, tokensv1alpha1.ReasonTargetConflict},
		{"target write refused", fmt.Errorf("%w %s: %w", errTargetWrite, "shop-token", forbidden), tokensv1alpha1.ReasonTargetWriteFailed},
		{"credentials rejected, wrapped", fmt.Errorf("fetching Standard token: %w", vipps.ErrCredentialsRejected),
			tokensv1alpha1.ReasonCredentialsRejected},
		{"credentials rejected, HTTP 403", vippsAPIError(t, http.StatusForbidden, ""), tokensv1alpha1.ReasonCredentialsRejected},
		{"rate limited, HTTP 429", vippsAPIError(t, http.StatusTooManyRequests, "30"), tokensv1alpha1.ReasonRateLimited},
		{"malformed response, wrapped", fmt.Errorf("HTTP 200: %w: no access_token", vipps.ErrMalformedResponse),
			tokensv1alpha1.ReasonMalformedResponse},
		{"unavailable, HTTP 502", vippsAPIError(t, http.StatusBadGateway, ""), tokensv1alpha1.ReasonVippsUnavailable},
		{"unavailable, wrapped", fmt.Errorf("fetching Partner token: %w: %w", vipps.ErrUnavailable, context.DeadlineExceeded),
			tokensv1alpha1.ReasonVippsUnavailable},
		{"unforeseen: cancelled", context.Canceled, tokensv1alpha1.ReasonVippsUnavailable},
	}
}

func TestFailureReason(t *testing.T) {
	for _, tt := range failureCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			if got := failureReason(tt.err); got != tt.want {
				t.Errorf("failureReason(%v) = %s, want %s", tt.err, got, tt.want)
			}
		})
	}
}

func TestFailureMessage(t *testing.T) {
	for _, tt := range failureCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			got := failureMessage(tt.err)
			if first := []rune(got)[0]; !unicode.IsUpper(first) {
				t.Errorf("failureMessage() = %q, want it to start with a capital", got)
			}
			if advice := adviceFor(tt.want); !strings.HasSuffix(got, ". "+advice) {
				t.Errorf("failureMessage() = %q, want it to end with the advice %q", got, advice)
			}
			if detail := strings.TrimRight(tt.err.Error(), ". ")[1:]; !strings.Contains(got, detail) {
				t.Errorf("failureMessage() = %q, want it to contain the error %q", got, detail)
			}
		})
	}
	exact := []classifiedError{
		{"capitalised, advice appended", fmt.Errorf("%w: Secret payments/vipps does not exist", errCredentialsNotFound),
			"Credentials not found: Secret payments/vipps does not exist. " +
				"Create the Secret or add the key; the operator retries as soon as it changes."},
		{"trailing full stop not doubled", errors.New("connection reset by peer. "),
			"Connection reset by peer. The operator retries with backoff; a token still valid stays in the targets."},
		{"already capitalised", fmt.Errorf("HTTP 200: %w", vipps.ErrMalformedResponse),
			"HTTP 200: malformed token response. The operator retries with backoff; a token still valid stays in the targets."},
	}
	for _, tt := range exact {
		t.Run(tt.name, func(t *testing.T) {
			if got := failureMessage(tt.err); got != tt.want {
				t.Errorf("failureMessage() = %q\nwant                %q", got, tt.want)
			}
		})
	}
}

func TestAdviceFor(t *testing.T) {
	// Each reason's advice names what to do about it.
	tests := []struct {
		reason, mentions string
	}{
		{tokensv1alpha1.ReasonCredentialsNotFound, "Create the Secret"},
		{tokensv1alpha1.ReasonCredentialsInvalid, "Fix the value in the credentials Secret"},
		{tokensv1alpha1.ReasonEndpointNotAllowed, "--allowed-endpoints"},
		{tokensv1alpha1.ReasonTargetConflict, "Rename the target"},
		{tokensv1alpha1.ReasonTargetWriteFailed, "RBAC"},
		{tokensv1alpha1.ReasonCredentialsRejected, "test keys do not work in Production"},
		{tokensv1alpha1.ReasonRateLimited, "--vipps-rate-limit"},
		{tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"},
		{tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got := adviceFor(tt.reason)
			if !strings.Contains(got, tt.mentions) || !strings.HasSuffix(got, ".") || !unicode.IsUpper([]rune(got)[0]) {
				t.Errorf("adviceFor(%s) = %q, want a sentence that mentions %q", tt.reason, got, tt.mentions)
			}
		})
	}
	t.Run("unknown reason: the retry advice", func(t *testing.T) {
		if got, want := adviceFor("SomethingNew"), adviceFor(tokensv1alpha1.ReasonVippsUnavailable); got != want {
			t.Errorf("adviceFor(SomethingNew) = %q, want %q", got, want)
		}
	})
}
