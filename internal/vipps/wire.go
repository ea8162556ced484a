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

package vipps

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// newHTTPRequest builds the POST for the request's token type, the way Vipps
// documents each endpoint. It assumes the request is valid.
func newHTTPRequest(ctx context.Context, r Request, endpoint string) (*http.Request, error) {
	body, contentType, err := requestBody(r)
	if err != nil {
		return nil, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, body)
	if err != nil {
		return nil, err
	}
	h := httpReq.Header
	h.Set("Accept", "application/json")
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	switch r.Type {
	case TokenTypeStandard:
		h.Set("client_id", r.ClientID)
		h.Set("client_secret", r.ClientSecret)
		h.Set("Ocp-Apim-Subscription-Key", r.SubscriptionKey)
	case TokenTypePartner:
		// Never a subscription key: the partner endpoint answers invalid_client.
		httpReq.SetBasicAuth(r.ClientID, r.ClientSecret)
	case TokenTypeLegacy:
		h.Set("Ocp-Apim-Subscription-Key", r.SubscriptionKey)
	}
	if r.MerchantSerialNumber != "" {
		h.Set("Merchant-Serial-Number", r.MerchantSerialNumber)
	}
	for _, field := range r.System.fields() {
		if field.value != "" {
			h.Set(field.header, field.value)
		}
	}
	return httpReq, nil
}

// requestBody is empty for Standard (the credentials travel in headers), the
// client-credentials form for Partner and the credentials as JSON for Legacy.
func requestBody(r Request) (io.Reader, string, error) {
	switch r.Type {
	case TokenTypePartner:
		return strings.NewReader("grant_type=client_credentials"), "application/x-www-form-urlencoded; charset=utf-8", nil
	case TokenTypeLegacy:
		body, err := json.Marshal(struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			Resource     string `json:"resource"`
		}{r.ClientID, r.ClientSecret, r.Resource})
		return bytes.NewReader(body), "application/json", err
	default:
		return http.NoBody, "", nil
	}
}
