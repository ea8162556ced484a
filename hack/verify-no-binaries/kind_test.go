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

package main

import (
	"encoding/binary"
	"testing"
)

// pe is the smallest head of a PE file: the DOS header's "MZ", at 0x3c the offset of the
// "PE\0\0" signature, and the signature there.
func pe() []byte {
	head := make([]byte, 0x84)
	copy(head, "MZ")
	binary.LittleEndian.PutUint32(head[0x3c:], 0x80)
	copy(head[0x80:], "PE\x00\x00")
	return head
}

func TestExecutableKind(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
		want string
	}{
		{"ELF", []byte("\x7fELF\x02\x01\x01\x00"), "ELF executable"},
		{"Mach-O 64-bit little-endian", []byte{0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00}, "Mach-O executable"},
		{"Mach-O 32-bit big-endian", []byte{0xfe, 0xed, 0xfa, 0xce}, "Mach-O executable"},
		{"Mach-O universal", []byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x02}, "Mach-O executable"},
		{"PE", pe(), "PE executable"},
		{"text that starts with MZ", []byte("MZ is a file that is not a program, and says so at length here........"), ""},
		{"MZ pointing past its head", pe()[:0x60], ""},
		{"Go source", []byte("package main\n"), ""},
		{"shell script", []byte("#!/usr/bin/env bash\n"), ""},
		{"empty", nil, ""},
		{"shorter than any magic", []byte("\x7fEL"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := executableKind(tc.head); got != tc.want {
				t.Errorf("executableKind(%q) = %q, want %q", tc.head, got, tc.want)
			}
		})
	}
}
