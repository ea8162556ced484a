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
	"slices"
)

// form is one way a secret's value may be written.
type form struct {
	name, text string
}

// formsOf is how a value may appear: as it is, and base64-encoded as a Secret's data is in
// JSON. A value that base64 encodes inside a longer one ("Bearer " + token) starts at any of
// three alignments, and the characters it shares with its neighbours differ with them; so
// each alignment counts, without those shared characters.
func formsOf(value string) []form {
	forms := make([]form, 0, 4)
	forms = append(forms, form{name: "plain", text: value})
	for shift := range 3 {
		forms = append(forms, form{name: "base64", text: base64Core(value, shift)})
	}
	return forms
}

// base64Core is the part of the base64 encoding of value, preceded by shift other bytes,
// that value alone decides: every character whose six bits all come from value.
func base64Core(value string, shift int) string {
	encoded := base64.StdEncoding.EncodeToString(append(make([]byte, shift), value...))
	first := (8*shift + 5) / 6          // the first character with no bit of the bytes before
	end := 8 * (shift + len(value)) / 6 // past the last character with no bit of those after
	if first >= end {
		return ""
	}
	return encoded[first:end]
}

// window is one run of WindowSize characters of a secret's form.
type window struct {
	secret, form string
	index        int
}

// windowSet indexes every window of every secret by its text.
type windowSet struct {
	byText  map[string][]window
	lengths []int // the window lengths in byText: WindowSize, or shorter for a shorter value
}

// windowsOf indexes the windows of the secrets' forms, but for those that more than one
// value has: what secrets share is structure, such as the claims that every token of an
// issuer starts with, not a secret; and finding it would blame each secret for the others.
// A value planted twice counts once, under its first name.
func windowsOf(secrets []Secret) windowSet {
	set := windowSet{byText: map[string][]window{}}
	seen := map[string]bool{}
	for _, s := range secrets {
		if seen[s.Value] {
			continue
		}
		seen[s.Value] = true
		for _, f := range formsOf(s.Value) {
			size := min(WindowSize, len(f.text))
			if size == 0 {
				continue
			}
			if !slices.Contains(set.lengths, size) {
				set.lengths = append(set.lengths, size)
			}
			for i := 0; i+size <= len(f.text); i++ {
				text := f.text[i : i+size]
				set.byText[text] = append(set.byText[text], window{secret: s.Name, form: f.name, index: i})
			}
		}
	}
	for text, windows := range set.byText {
		if slices.ContainsFunc(windows, func(w window) bool { return w.secret != windows[0].secret }) {
			delete(set.byText, text)
		}
	}
	return set
}

// find returns a Finding for each secret and form with windows in v, in the order found.
func (set windowSet) find(v view) []Finding {
	type key struct{ secret, form string }
	var order []key
	found := map[key]*Finding{}
	for offset := range len(v.text) {
		for _, size := range set.lengths {
			if offset+size > len(v.text) {
				continue
			}
			for _, w := range set.byText[v.text[offset:offset+size]] {
				k := key{w.secret, w.form}
				if found[k] == nil {
					found[k] = &Finding{Secret: w.secret, Form: w.form, View: v.name, FirstWindow: w.index, FirstOffset: offset}
					order = append(order, k)
				}
				found[k].Count++
			}
		}
	}
	findings := make([]Finding, 0, len(order))
	for _, k := range order {
		findings = append(findings, *found[k])
	}
	return findings
}
