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
	"maps"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// plantedSecret is part of every credential value in these tests, valid or not: no error
// may contain it.
const plantedSecret = "PLANTEDs3cr3t"

var credentialsKey = types.NamespacedName{Namespace: "payments", Name: "vipps-credentials"}

// credentialsToken is a VippsToken of tokenType that reads the default keys, with merchantSerialNumber in its spec.
func credentialsToken(tokenType tokensv1alpha1.TokenType, merchantSerialNumber string) *tokensv1alpha1.VippsToken {
	return &tokensv1alpha1.VippsToken{Spec: tokensv1alpha1.VippsTokenSpec{
		TokenSettings: tokensv1alpha1.TokenSettings{Type: tokenType, MerchantSerialNumber: merchantSerialNumber},
		CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{
			Name:                    credentialsKey.Name,
			ClientIDKey:             "client-id",
			ClientSecretKey:         "client-secret",
			SubscriptionKeyKey:      "subscription-key",
			MerchantSerialNumberKey: "merchant-serial-number",
		},
	}}
}

// credentialsData is a valid credentials Secret's data changed by edits: a value to set,
// or nil to delete the key.
func credentialsData(edits map[string][]byte) map[string][]byte {
	data := map[string][]byte{
		"client-id":        []byte("id-" + plantedSecret),
		"client-secret":    []byte("secret-" + plantedSecret),
		"subscription-key": []byte("key-" + plantedSecret),
	}
	for key, value := range edits {
		if value == nil {
			delete(data, key)
			continue
		}
		data[key] = value
	}
	return data
}

func TestParseCredentials(t *testing.T) {
	standard, partner := tokensv1alpha1.TokenTypeStandard, tokensv1alpha1.TokenTypePartner
	valid := credentials{clientID: "id-" + plantedSecret, clientSecret: "secret-" + plantedSecret,
		subscriptionKey: "key-" + plantedSecret, resourceVersion: "42"}
	withMSN := func(c credentials, msn string) credentials { c.merchantSerialNumber = msn; return c }

	tests := []struct {
		name string
		tok  *tokensv1alpha1.VippsToken
		data map[string][]byte
		want credentials
		// wantErr is the error class, and wantMention a part of its message, when it fails.
		wantErr     error
		wantMention string
	}{
		{name: "Standard", tok: credentialsToken(standard, ""), data: credentialsData(nil), want: valid},
		{name: "Legacy", tok: credentialsToken(tokensv1alpha1.TokenTypeLegacy, ""), data: credentialsData(nil), want: valid},
		{name: "surrounding white space and newline trimmed", tok: credentialsToken(standard, ""), data: credentialsData(map[string][]byte{
			"client-id": []byte("  id-" + plantedSecret + "\n"), "client-secret": []byte("\tsecret-" + plantedSecret + "\r\n"),
		}), want: valid},
		{name: "Partner needs no subscription key", tok: credentialsToken(partner, ""),
			data: credentialsData(map[string][]byte{"subscription-key": nil}),
			want: credentials{clientID: valid.clientID, clientSecret: valid.clientSecret, resourceVersion: "42"}},
		{name: "Partner ignores a subscription key", tok: credentialsToken(partner, ""),
			data: credentialsData(map[string][]byte{"subscription-key": []byte("not checked " + plantedSecret)}),
			want: credentials{clientID: valid.clientID, clientSecret: valid.clientSecret, resourceVersion: "42"}},
		{name: "merchant serial number from the spec wins", tok: credentialsToken(standard, "123456"),
			data: credentialsData(map[string][]byte{"merchant-serial-number": []byte("654321")}), want: withMSN(valid, "123456")},
		{name: "merchant serial number from the spec: the Secret's is not checked", tok: credentialsToken(standard, "123456"),
			data: credentialsData(map[string][]byte{"merchant-serial-number": []byte("not a number")}), want: withMSN(valid, "123456")},
		{name: "merchant serial number from the Secret", tok: credentialsToken(standard, ""),
			data: credentialsData(map[string][]byte{"merchant-serial-number": []byte("654321\n")}), want: withMSN(valid, "654321")},
		{name: "merchant serial number of 4 digits", tok: credentialsToken(standard, ""),
			data: credentialsData(map[string][]byte{"merchant-serial-number": []byte("1234")}), want: withMSN(valid, "1234")},

		{name: "client id missing", tok: credentialsToken(standard, ""), data: credentialsData(map[string][]byte{"client-id": nil}),
			wantErr: errCredentialsNotFound, wantMention: `Secret payments/vipps-credentials has no key "client-id"`},
		{name: "client secret missing", tok: credentialsToken(partner, ""), data: credentialsData(map[string][]byte{"client-secret": nil}),
			wantErr: errCredentialsNotFound, wantMention: `has no key "client-secret"`},
		{name: "subscription key missing", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"subscription-key": nil}),
			wantErr: errCredentialsNotFound, wantMention: `has no key "subscription-key"`},
		{name: "empty", tok: credentialsToken(standard, ""), data: credentialsData(map[string][]byte{"client-secret": {}}),
			wantErr: errCredentialsInvalid, wantMention: `key "client-secret" of Secret payments/vipps-credentials is empty`},
		{name: "white space only", tok: credentialsToken(standard, ""), data: credentialsData(map[string][]byte{"client-id": []byte(" \n\t")}),
			wantErr: errCredentialsInvalid, wantMention: `key "client-id" of Secret payments/vipps-credentials is empty`},
		{name: "not UTF-8", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"subscription-key": []byte(plantedSecret + "\xff\xfe")}),
			wantErr: errCredentialsInvalid, wantMention: `key "subscription-key" of Secret payments/vipps-credentials is not valid UTF-8`},
		{name: "inner space", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"client-secret": []byte(plantedSecret + " " + plantedSecret)}),
			wantErr: errCredentialsInvalid, wantMention: `key "client-secret" of Secret payments/vipps-credentials contains white space`},
		{name: "inner newline", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"client-secret": []byte(plantedSecret + "\n" + plantedSecret)}),
			wantErr: errCredentialsInvalid, wantMention: "contains white space"},
		{name: "control character", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"client-id": []byte(plantedSecret + "\x00")}),
			wantErr: errCredentialsInvalid, wantMention: "contains white space, control or non-ASCII characters"},
		{name: "non-ASCII", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"client-id": []byte(plantedSecret + "æøå")}),
			wantErr: errCredentialsInvalid, wantMention: "contains white space, control or non-ASCII characters"},
		{name: "merchant serial number of 3 digits", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"merchant-serial-number": []byte("123")}),
			wantErr: errCredentialsInvalid, wantMention: `key "merchant-serial-number" of Secret payments/vipps-credentials is not 4 to 6 digits`},
		{name: "merchant serial number of 7 digits", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"merchant-serial-number": []byte("1234567")}),
			wantErr: errCredentialsInvalid, wantMention: "is not 4 to 6 digits"},
		{name: "merchant serial number not digits", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"merchant-serial-number": []byte(plantedSecret)}),
			wantErr: errCredentialsInvalid, wantMention: "is not 4 to 6 digits"},
		{name: "merchant serial number empty", tok: credentialsToken(standard, ""),
			data:    credentialsData(map[string][]byte{"merchant-serial-number": []byte("\n")}),
			wantErr: errCredentialsInvalid, wantMention: `key "merchant-serial-number" of Secret payments/vipps-credentials is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCredentials(tt.tok, credentialsKey, secretVersion{resourceVersion: "42", data: maps.Clone(tt.data)})
			if got != tt.want {
				t.Errorf("parseCredentials() = %+v, want %+v", got, tt.want)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("parseCredentials() error = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMention) {
				t.Fatalf("parseCredentials() error = %v, want %v mentioning %q", err, tt.wantErr, tt.wantMention)
			}
			if strings.Contains(err.Error(), plantedSecret) {
				t.Errorf("parseCredentials() error %q contains a value from the Secret", err)
			}
		})
	}
}

func TestParseCredentialValue(t *testing.T) {
	tests := []struct {
		name, raw, want string
		wantErr         string // the error, "" for none
	}{
		{"plain", "abc123", "abc123", ""},
		{"surrounding white space", " \tabc123 \r\n", "abc123", ""},
		{"ASCII punctuation", "a-b_c.d~e+f/g=", "a-b_c.d~e+f/g=", ""},
		{"empty", "", "", "is empty"},
		{"white space only", "\n \t", "", "is empty"},
		{"not UTF-8", "abc\xc3", "", "is not valid UTF-8"},
		{"inner space", "abc 123", "", "contains white space, control or non-ASCII characters"},
		{"inner tab", "abc\t123", "", "contains white space, control or non-ASCII characters"},
		{"DEL", "abc\x7f", "", "contains white space, control or non-ASCII characters"},
		{"NUL", "\x00abc", "", "contains white space, control or non-ASCII characters"},
		{"inner non-breaking space", "abc\u00a0123", "", "contains white space, control or non-ASCII characters"},
		{"non-ASCII letter", "blåbær", "", "contains white space, control or non-ASCII characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := credentialValue([]byte(tt.raw))
			if got != tt.want {
				t.Errorf("credentialValue(%q) = %q, want %q", tt.raw, got, tt.want)
			}
			if gotErr := errorText(err); gotErr != tt.wantErr {
				t.Errorf("credentialValue(%q) error = %q, want %q", tt.raw, gotErr, tt.wantErr)
			}
		})
	}
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
