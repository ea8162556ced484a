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

import "errors"

// The reconciler's own classes of error; failure.go turns each into a condition reason.
// Their messages name Secrets, keys and URLs, never a value read from a Secret. The errors of
// token requests are internal/vipps's.
var (
	// Found before anything is sent to Vipps.
	errCredentialsNotFound = errors.New("credentials not found")
	errCredentialsInvalid  = errors.New("credentials invalid")
	errEndpointNotAllowed  = errors.New("endpoint not allowed")

	// errTargetConflict: a target exists and belongs to somebody else.
	errTargetConflict = errors.New("target conflict")
	// errNamespaceSelectorInvalid: a ClusterVippsToken's namespaceSelector does not parse.
	errNamespaceSelectorInvalid = errors.New("namespaceSelector invalid")
	// errTargetWrite: the API server refused a write to a target Secret.
	errTargetWrite = errors.New("writing target Secret")
)
