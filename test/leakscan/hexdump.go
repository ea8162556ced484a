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
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
)

// hexDumpLine matches the start of a line of encoding/hex.Dump, found anywhere (a log
// prefix or indentation may come first): an eight-digit offset, two spaces, and up to 16
// bytes as hex pairs, an extra space after the eighth. The text column that follows is
// read separately: a dump truncated mid-line has none.
var hexDumpLine = regexp.MustCompile(`([0-9a-f]{8})  ((?:[0-9a-f]{2}  ?){0,15}[0-9a-f]{2})`)

// decodeHexDumps returns what the hex dumps in text encode: their bytes, and their text
// columns (the printable bytes, "." for the others). The lines of a dump are joined; a
// newline separates dumps, and a line that does not continue the one before it.
func decodeHexDumps(text string) (data, columns string) {
	var dataB, columnsB strings.Builder
	next := int64(-1) // the offset at which the previous line's dump continues
	for _, m := range hexDumpLine.FindAllStringSubmatchIndex(text, -1) {
		// The pattern has matched hex digits only: neither can fail.
		offset, _ := strconv.ParseInt(text[m[2]:m[3]], 16, 64)
		line, _ := hex.DecodeString(strings.ReplaceAll(text[m[4]:m[5]], " ", ""))
		if offset != next && next >= 0 {
			dataB.WriteByte('\n')
			columnsB.WriteByte('\n')
		}
		dataB.Write(line)
		columnsB.WriteString(textColumn(text[m[1]:], len(line)))
		next = offset + int64(len(line))
	}
	return dataB.String(), columnsB.String()
}

// textColumn is the text column at the start of rest, "  |" + n characters + "|", padded
// with spaces when the line is short; "" when rest does not hold one.
func textColumn(rest string, n int) string {
	rest = strings.TrimLeft(rest, " ")
	if len(rest) < n+2 || rest[0] != '|' || rest[n+1] != '|' {
		return ""
	}
	return rest[1 : n+1]
}
