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
	"strings"
	"unicode"
)

// view is one reading of the scanned text.
type view struct {
	name, text string
}

// views are the readings of text that Scan searches:
//   - "as written": the text itself;
//   - "unescaped": string escapes undone as deep as they nest (a JSON body quoted in a
//     JSON log line), which also turns an escaped multi-line value back into lines;
//   - "hex-dump bytes": the bytes that the hex dumps in it encode, each dump's lines joined;
//   - "hex-dump text": the text columns of those dumps, each dump's lines joined;
//   - "unwrapped": the unescaped text without whitespace, which joins a value wrapped
//     over lines.
func views(text string) []view {
	unescaped := unescape(text)
	data, columns := decodeHexDumps(unescaped)
	return []view{
		{name: "as written", text: text},
		{name: "unescaped", text: unescaped},
		{name: "hex-dump bytes", text: data},
		{name: "hex-dump text", text: columns},
		{name: "unwrapped", text: withoutSpace(unescaped)},
	}
}

func withoutSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
