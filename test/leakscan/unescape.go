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
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxNesting bounds how often unescape undoes escapes: a body quoted in a log line quoted
// in another is as deep as logs go.
const maxNesting = 4

// unescape undoes string escapes until none is left, or maxNesting times.
func unescape(s string) string {
	for range maxNesting {
		next := unescapeOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// unescapeOnce undoes one level of the escapes of JSON and Go's %q: \n \r \t \" \\ \/,
// \uXXXX and \xXX. Anything else is kept as written.
func unescapeOnce(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if replacement, width, ok := escapeAt(s[i+1:]); ok {
			b.WriteString(replacement)
			i += width
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapeAt decodes the escape whose backslash precedes rest: what it stands for and how
// many bytes of rest it takes.
func escapeAt(rest string) (replacement string, width int, ok bool) {
	switch rest[0] {
	case 'n':
		return "\n", 1, true
	case 'r':
		return "\r", 1, true
	case 't':
		return "\t", 1, true
	case '"', '\\', '/':
		return rest[:1], 1, true
	case 'u':
		if code, err := strconv.ParseUint(prefix(rest[1:], 4), 16, 32); err == nil && len(rest) >= 5 {
			return string(utf8.AppendRune(nil, rune(code))), 5, true
		}
	case 'x':
		if code, err := strconv.ParseUint(prefix(rest[1:], 2), 16, 8); err == nil && len(rest) >= 3 {
			return string([]byte{byte(code)}), 3, true
		}
	}
	return "", 0, false
}

// prefix is s's first n bytes, or all of s when shorter.
func prefix(s string, n int) string {
	return s[:min(n, len(s))]
}
