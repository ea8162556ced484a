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
	"errors"
	"net/url"
	"strings"
)

// The Vipps MobilePay hosts. Both serve every market.
const (
	TestBaseURL       = "https://apitest.vipps.no"
	ProductionBaseURL = "https://api.vipps.no"
)

// tokenPath is the endpoint of each token type, relative to the base URL.
func tokenPath(t TokenType) string {
	switch t {
	case TokenTypePartner:
		return "/miami/v1/token"
	case TokenTypeLegacy:
		return "/api/access-token/jwt-token"
	default:
		return "/accesstoken/get"
	}
}

// parseBaseURL checks a base URL. Its errors never quote the URL, which could
// carry a password in its user information.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return nil, errors.New("baseURL is required")
	case err != nil:
		return nil, errors.New("baseURL is not a valid URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("baseURL must start with https:// or http://")
	case u.Host == "":
		return nil, errors.New("baseURL has no host")
	case u.User != nil:
		return nil, errors.New("baseURL must not contain user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("baseURL must not have a query or fragment")
	}
	return u, nil
}

// NormaliseBaseURL checks a base URL as FetchToken does, and makes equal ones compare equal:
// lower-case scheme and host, no trailing slash. Like FetchToken's, its errors never quote
// the URL.
func NormaliseBaseURL(raw string) (string, error) {
	u, err := parseBaseURL(raw)
	if err != nil {
		return "", err
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/"), nil
}

// endpointURL appends the token type's path to the base URL, keeping any prefix.
func endpointURL(base *url.URL, t TokenType) string {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + tokenPath(t)
	u.RawPath = ""
	return u.String()
}
