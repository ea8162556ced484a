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

package leakscan

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Planted values, shaped like the real ones: a client secret with base64's punctuation, a
// subscription key of hex digits, and the payload and signature of a JWT access token.
const (
	clientSecret    = "cGxhbnRlZC1zZWNyZXQ+a9x2mq7ch1/=="
	subscriptionKey = "5ec7e7000000000000018a3f29c0d4e1b7"
	tokenBody       = "eyJhdWQiOiJmYWtlIiwianRpIjoiOWYxYzJkIn0.Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
	htmlSecret      = "client>secret<with&0123456789"
)

var planted = []Secret{
	{Name: "client secret", Value: clientSecret},
	{Name: "subscription key", Value: subscriptionKey},
	{Name: "access token", Value: tokenBody},
	{Name: "html secret", Value: htmlSecret},
}

// protobuf is a body as client-go logs it in a hex dump: binary framing around value.
func protobuf(value string) []byte {
	return append(append([]byte("k8s\x00\n\x0c\n\x02v1\x12\x06Secret\x12\x8f\x02\n\x05"), value...), "\x1a\x04\x08\x01"...)
}

// hexDumpLineLen is the length of a full line of hex.Dump, its newline included.
const hexDumpLineLen = 79

// jsonLogLine is a log line as controller-runtime's zap writes it.
func jsonLogLine(msg string, keysAndValues ...string) string {
	fields := map[string]string{"level": "debug", "msg": msg}
	for i := 0; i+1 < len(keysAndValues); i += 2 {
		fields[keysAndValues[i]] = keysAndValues[i+1]
	}
	line, _ := json.Marshal(fields)
	return string(line) + "\n"
}

// wrap breaks s into lines of width characters, indented.
func wrap(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + "\n    ")
		s = s[width:]
	}
	return b.String() + s
}

func TestScan(t *testing.T) {
	dump := hex.Dump(protobuf(subscriptionKey))
	tests := []struct {
		name string
		text string
		want []string // the names of the secrets found
	}{
		{
			name: "a whole value in a log line",
			text: jsonLogLine("Fetched", "key", subscriptionKey),
			want: []string{"subscription key"},
		},
		{
			name: "one window of a value",
			text: "prefix " + clientSecret[7:7+WindowSize] + " suffix",
			want: []string{"client secret"},
		},
		{
			name: "a value split over hex dump lines in a JSON log line",
			text: jsonLogLine("Response Body", "body", dump),
			want: []string{"subscription key"},
		},
		{
			name: "a hex dump that klog's text format indents",
			text: "I0101 12:00:00.000000 1 request.go:1298] \"Response Body\" body=<\n\t" +
				strings.ReplaceAll(strings.TrimSuffix(dump, "\n"), "\n", "\n\t") + "\n >\n",
			want: []string{"subscription key"},
		},
		{
			// The secret starts 3 bytes before the third line; the cut leaves 13 of its bytes
			// there, in hex only.
			name: "a hex dump truncated mid-line",
			text: jsonLogLine("Response Body", "body",
				hex.Dump(protobuf(clientSecret))[:2*hexDumpLineLen+50]+" [truncated 99 chars]"),
			want: []string{"client secret"},
		},
		{
			name: "a token base64-encoded behind a prefix, as a Secret's data in JSON",
			text: jsonLogLine("Request Body", "body", `{"data":{"authorization":"`+
				base64.StdEncoding.EncodeToString([]byte("Bearer eyJhbGciOiJIUzI1NiJ9."+tokenBody))+`"}}`),
			want: []string{"access token"},
		},
		{
			name: "a value that JSON escapes, quoted twice",
			text: jsonLogLine("Request Body", "body", jsonLogLine("inner", "value", htmlSecret)),
			want: []string{"html secret"},
		},
		{
			name: "a value wrapped over lines",
			text: "token:\n    " + wrap(tokenBody, 10) + "\n",
			want: []string{"access token"},
		},
		{
			name: "every secret at once",
			text: clientSecret + subscriptionKey + tokenBody + htmlSecret,
			want: []string{"client secret", "subscription key", "access token", "html secret"},
		},
		{
			name: "eleven characters are not a leak",
			text: clientSecret[:WindowSize-1] + " " + subscriptionKey[3:3+WindowSize-1],
		},
		{
			name: "unrelated text, hex dumps and tokens",
			text: jsonLogLine("Response Body", "body", hex.Dump(protobuf("another-secret-value-0123456789"))) +
				jsonLogLine("Reconciled", "uid", "4e3f9a2b-8c1d-4f6e-9a0b-1c2d3e4f5a6b", "resourceVersion", "123456") +
				jsonLogLine("Request Body", "body",
					`{"data":{"access-token":"ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKdmRHaGxjaUk2ZEhKMVpYMA=="}}`) +
				"00000000  de ad be ef  |....|\nsubscription-key: [redacted]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings := Scan(tt.text, planted)
			var found []string
			for _, f := range findings {
				if !slices.Contains(found, f.Secret) {
					found = append(found, f.Secret)
				}
			}
			slices.Sort(found)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(found, want) {
				t.Errorf("found %v, want %v: %v", found, want, findings)
			}
		})
	}
}

func TestScanIgnoresWhatSecretsShare(t *testing.T) {
	// Two tokens of one issuer: the same claims first, then their own.
	shared := "eyJhdWQiOiJodHRwczovL2FwaS52aXBwcy5ubyIsImlzcyI6"
	first, second := shared+"MTc2NDQzMjAwMCJ9.c2lnbmF0dXJlLW9uZQ", shared+"MTc2NDQzNTYwMCJ9.c2lnbmF0dXJlLXR3bw"
	tokens := []Secret{{Name: "first", Value: first}, {Name: "second", Value: second}, {Name: "again", Value: first}}
	if findings := Scan("a token from the same issuer: "+shared+"b3RoZXI", tokens); len(findings) > 0 {
		t.Errorf("the claims the tokens share count as a leak: %v", findings)
	}
	findings := Scan("the first token: "+first, tokens)
	if len(findings) == 0 {
		t.Fatal("the first token is not found")
	}
	for _, f := range findings {
		if f.Secret != "first" {
			t.Errorf("the first token is found as the %s", f.Secret)
		}
	}
}

func TestScanFindsWhatASubstringSearchMisses(t *testing.T) {
	text := jsonLogLine("Response Body", "body", hex.Dump(protobuf(subscriptionKey)))
	if strings.Contains(text, subscriptionKey) {
		t.Fatal("the hex dump holds the whole key on one line: the test proves nothing")
	}
	views := map[string]bool{}
	for _, f := range Scan(text, planted) {
		views[f.View] = true
	}
	for _, want := range []string{"hex-dump bytes", "hex-dump text"} {
		if !views[want] {
			t.Errorf("nothing found in the %s view; found in %v", want, views)
		}
	}
}

func TestFindingsDoNotRepeatTheSecret(t *testing.T) {
	findings := Scan(clientSecret+" "+jsonLogLine("Response Body", "body", hex.Dump(protobuf(tokenBody))), planted)
	if len(findings) == 0 {
		t.Fatal("nothing found")
	}
	for _, f := range findings {
		if again := Scan(f.String(), planted); len(again) > 0 {
			t.Errorf("the description of a finding holds a secret: %v", again)
		}
	}
}

func TestBase64Core(t *testing.T) {
	value := "Bearer-token-value-0123456789"
	for _, before := range []string{"", "a", "ab", "abc", "abcd", "\x00\xff"} {
		for _, after := range []string{"", "z", "yz", "xyz"} {
			encoded := base64.StdEncoding.EncodeToString([]byte(before + value + after))
			core := base64Core(value, len(before)%3)
			if len(core) < len(value) || !strings.Contains(encoded, core) {
				t.Errorf("base64 of %q+value+%q does not hold the core of alignment %d", before, after, len(before)%3)
			}
		}
	}
}

func TestDecodeHexDumps(t *testing.T) {
	first, second := protobuf("first body, longer than one line"), []byte("second\x01")
	text := jsonLogLine("Request Body", "body", hex.Dump(first)) + jsonLogLine("Response Body", "body", hex.Dump(second))
	data, columns := decodeHexDumps(unescape(text))
	if want := string(first) + "\n" + string(second); data != want {
		t.Errorf("bytes: got %q, want %q", data, want)
	}
	if want := printable(first) + "\n" + printable(second); columns != want {
		t.Errorf("text columns: got %q, want %q", columns, want)
	}
}

// printable is b as a hex dump's text column shows it.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 32 || r > 126 {
			return '.'
		}
		return r
	}, string(b))
}
