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
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

const redacted = "[redacted]"

// secretsOf lists the request's secrets in every form a server might echo them:
// raw, URL-encoded and inside the Basic credentials of a Partner request.
func secretsOf(r Request) []string {
	secrets := make([]string, 0, 5)
	for _, s := range []string{r.ClientSecret, r.SubscriptionKey} {
		if s != "" {
			secrets = append(secrets, s, url.QueryEscape(s))
		}
	}
	if r.ClientSecret != "" {
		secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(r.ClientID+":"+r.ClientSecret)))
	}
	return secrets
}

// redactSecrets replaces every occurrence of each secret in text. Apply it before
// shortening text, or a cut could leave a prefix of a secret that no longer matches.
func redactSecrets(text string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, redacted)
		}
	}
	return text
}

// redactedIfSet shows whether a secret is present without showing it.
func redactedIfSet(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}

// requestView is what a Request shows of itself to fmt, logr and slog: the Request's own
// fields, so that a field added to Request cannot be left out of it, with the secrets redacted.
type requestView struct {
	Type                 TokenType
	BaseURL              string
	ClientID             string
	ClientSecret         string
	SubscriptionKey      string
	MerchantSerialNumber string
	System               SystemInfo
	Resource             string
}

func (r Request) view() requestView {
	v := requestView(r)
	v.ClientSecret = redactedIfSet(r.ClientSecret)
	v.SubscriptionKey = redactedIfSet(r.SubscriptionKey)
	return v
}

// String prints the request with its secrets redacted.
func (r Request) String() string { return fmt.Sprintf("%+v", r.view()) }

// GoString prints the request with its secrets redacted.
func (r Request) GoString() string { return fmt.Sprintf("vipps.Request%+v", r.view()) }

// Format redacts for every verb, not only the ones that use String.
func (r Request) Format(f fmt.State, verb rune) { writeFormatted(f, verb, r.String(), r.GoString()) }

// MarshalLog is what logr sinks log instead of the request.
func (r Request) MarshalLog() any { return r.view() }

// LogValue is what slog handlers log instead of the request.
func (r Request) LogValue() slog.Value { return slog.AnyValue(r.view()) }

// writeFormatted writes the redacted form: Go syntax for %#v, the plain form otherwise.
func writeFormatted(f fmt.State, verb rune, plain, goSyntax string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, goSyntax)
		return
	}
	_, _ = fmt.Fprint(f, plain)
}
