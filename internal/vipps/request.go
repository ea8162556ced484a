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
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// TokenType selects the token endpoint and how the credentials are sent.
type TokenType string

const (
	// TokenTypeStandard is POST /accesstoken/get with the credentials in headers.
	TokenTypeStandard TokenType = "Standard"
	// TokenTypePartner is POST /miami/v1/token, OAuth2 client credentials with Basic auth.
	TokenTypePartner TokenType = "Partner"
	// TokenTypeLegacy is POST /api/access-token/jwt-token with the credentials in a JSON body.
	TokenTypeLegacy TokenType = "Legacy"
)

// SystemInfo identifies the calling system to Vipps in the Vipps-System-* headers.
// Empty fields are not sent.
type SystemInfo struct {
	Name, Version, PluginName, PluginVersion string
}

// Request is everything needed to fetch one token.
type Request struct {
	Type TokenType
	// BaseURL is scheme://host[:port][/prefix], e.g. TestBaseURL. Which base URLs are
	// allowed is the caller's policy; this package only checks that it is well formed.
	BaseURL string

	ClientID        string
	ClientSecret    string
	SubscriptionKey string // required for Standard and Legacy; never sent for Partner

	MerchantSerialNumber string     // optional
	System               SystemInfo // optional
	Resource             string     // required for Legacy, ignored otherwise
}

// merchantSerialNumberPattern accepts 4 to 7 digits: the spec's pattern says 4 to 6,
// one spec page says up to 7 characters, and rejecting a number Vipps accepts is worse
// than letting Vipps reject one.
var merchantSerialNumberPattern = regexp.MustCompile(`^[0-9]{4,7}$`)

// maxSystemFieldLength is the documented limit of each Vipps-System-* header.
const maxSystemFieldLength = 30

// Validate reports every configuration problem that would make the request fail
// before anything is sent. The error wraps ErrInvalidRequest and names the fields
// at fault, never the value of a secret.
func (r Request) Validate() error {
	var problems []string
	add := func(problem string) { problems = append(problems, problem) }

	switch r.Type {
	case TokenTypeStandard, TokenTypePartner, TokenTypeLegacy:
	default:
		add(fmt.Sprintf("type %q is not Standard, Partner or Legacy", r.Type))
	}
	if _, err := parseBaseURL(r.BaseURL); err != nil {
		add(err.Error())
	}

	add(headerValueProblem("clientID", r.ClientID, true))
	if r.Type == TokenTypePartner && strings.Contains(r.ClientID, ":") {
		// Basic auth cannot carry a user name with a colon (RFC 7617).
		add("clientID must not contain ':' for Partner tokens")
	}
	add(headerValueProblem("clientSecret", r.ClientSecret, true))
	add(headerValueProblem("subscriptionKey", r.SubscriptionKey, r.Type != TokenTypePartner))

	if r.MerchantSerialNumber != "" && !merchantSerialNumberPattern.MatchString(r.MerchantSerialNumber) {
		add("merchantSerialNumber must be 4 to 7 digits")
	}
	for _, field := range r.System.fields() {
		add(headerValueProblem(field.name, field.value, false))
		if len(field.value) > maxSystemFieldLength {
			add(fmt.Sprintf("%s must be at most %d characters", field.name, maxSystemFieldLength))
		}
	}
	if r.Type == TokenTypeLegacy && r.Resource == "" {
		add("resource is required for Legacy tokens")
	}

	// Checks report "" for "fine".
	problems = slices.DeleteFunc(problems, func(p string) bool { return p == "" })
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidRequest, strings.Join(problems, "; "))
}

// headerValueProblem describes what is wrong with a value that goes into an HTTP
// header, or returns "". It never quotes the value, which may be a secret.
func headerValueProblem(name, value string, required bool) string {
	switch {
	case value == "" && required:
		return name + " is required"
	case strings.IndexFunc(value, isControl) >= 0:
		return name + " contains control characters"
	}
	return ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

type namedValue struct{ name, value, header string }

// fields lists the system fields with their names in error messages and their headers.
func (s SystemInfo) fields() []namedValue {
	return []namedValue{
		{"system.name", s.Name, "Vipps-System-Name"},
		{"system.version", s.Version, "Vipps-System-Version"},
		{"system.pluginName", s.PluginName, "Vipps-System-Plugin-Name"},
		{"system.pluginVersion", s.PluginVersion, "Vipps-System-Plugin-Version"},
	}
}
