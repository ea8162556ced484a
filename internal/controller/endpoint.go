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
	"fmt"
	"slices"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// DefaultAllowedEndpoints are the two official Vipps MobilePay hosts.
var DefaultAllowedEndpoints = []string{vipps.TestBaseURL, vipps.ProductionBaseURL}

// EndpointAllowList holds the base URLs that a VippsToken's spec.endpoint may name. Without
// it, anybody who may create a VippsToken could point the operator at a server of their own
// and harvest a credentials Secret that they cannot read.
type EndpointAllowList struct{ allowed []string }

// NewEndpointAllowList normalises and checks the allowed base URLs.
func NewEndpointAllowList(baseURLs []string) (EndpointAllowList, error) {
	list := EndpointAllowList{}
	for _, raw := range baseURLs {
		normal, err := vipps.NormaliseBaseURL(raw)
		if err != nil {
			return EndpointAllowList{}, fmt.Errorf("allowed endpoint %q: %w", raw, err)
		}
		list.allowed = append(list.allowed, normal)
	}
	return list, nil
}

// baseURL is where the VippsToken's token is fetched: its environment's host, or its
// endpoint override when the allow-list permits it.
func (l EndpointAllowList) baseURL(spec *tokensv1alpha1.VippsTokenSpec) (string, error) {
	if spec.Endpoint == "" {
		if spec.Environment == tokensv1alpha1.EnvironmentProduction {
			return vipps.ProductionBaseURL, nil
		}
		return vipps.TestBaseURL, nil
	}
	normal, err := vipps.NormaliseBaseURL(spec.Endpoint)
	if err != nil || !slices.Contains(l.allowed, normal) {
		return "", fmt.Errorf("%w: spec.endpoint %s is not in the operator's allow-list, so nothing was sent to it",
			errEndpointNotAllowed, spec.Endpoint)
	}
	return normal, nil
}
