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

// Package leakscan finds secrets in text that should hold none: logs, events, status,
// metrics. It looks for every run of WindowSize characters of each secret, not only the
// whole value, and looks in the text as written and as a log takes a value apart: string
// escapes (JSON, %q), hex dumps (client-go logs protobuf bodies with hex.Dump, sixteen bytes
// a line) and values wrapped over lines. A Finding says where a secret is, never what it is.
package leakscan

import "fmt"

// WindowSize is how many consecutive characters of a secret count as a leak: more than
// anyone guesses of a random value, and fewer than a hex dump line shows of one.
const WindowSize = 12

// Secret is a value that must not appear in the text.
type Secret struct {
	// Name says which secret a Finding is about, e.g. "client secret".
	Name  string
	Value string
}

// Finding is where windows of one secret, in one form, appear in one view of the text.
type Finding struct {
	Secret string // the Secret's Name
	Form   string // how the value was written: "plain" or "base64"
	View   string // how the text was read; see views
	Count  int    // how many windows were found
	// FirstWindow is which window of the form was found first (0 is the form's first
	// WindowSize characters), and FirstOffset where in the view.
	FirstWindow, FirstOffset int
}

// String describes the finding without any of the secret.
func (f Finding) String() string {
	return fmt.Sprintf("%s (%s): %d windows in the %s view, the first (window %d) at offset %d",
		f.Secret, f.Form, f.Count, f.View, f.FirstWindow, f.FirstOffset)
}

// Scan returns a Finding for each secret, form and view in which any window of the secret
// appears: none when the text holds no WindowSize characters of any secret.
func Scan(text string, secrets []Secret) []Finding {
	windows := windowsOf(secrets)
	readings := views(text)
	findings := make([]Finding, 0, len(readings))
	for _, v := range readings {
		findings = append(findings, windows.find(v)...)
	}
	return findings
}
