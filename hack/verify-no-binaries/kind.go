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
	"bytes"
	"encoding/binary"
)

// headBytes is how much of a file executableKind needs: the PE header's pointer to the "PE"
// signature is at 0x3c, and linkers place the signature itself within the first few hundred
// bytes.
const headBytes = 4096

// machOMagics start Mach-O files: 32- and 64-bit, in either byte order, and the universal
// ("fat") binaries that bundle several (0xcafebabe also starts a Java class file, which is a
// compiled binary too).
var machOMagics = [][]byte{
	{0xfe, 0xed, 0xfa, 0xce}, {0xce, 0xfa, 0xed, 0xfe},
	{0xfe, 0xed, 0xfa, 0xcf}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe}, {0xca, 0xfe, 0xba, 0xbf},
}

// executableKind names the kind of executable that a file starting with head is, or returns
// "" for anything else. It goes by magic bytes only, so that it needs no file(1).
func executableKind(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF executable"
	case isMachO(head):
		return "Mach-O executable"
	case isPE(head):
		return "PE executable"
	}
	return ""
}

func isMachO(head []byte) bool {
	for _, magic := range machOMagics {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	return false
}

// isPE also checks the "PE\0\0" signature that the DOS header points to, because "MZ" alone
// also starts ordinary text.
func isPE(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("MZ")) || len(head) < 0x40 {
		return false
	}
	offset := int(binary.LittleEndian.Uint32(head[0x3c:]))
	return offset+4 <= len(head) && bytes.Equal(head[offset:offset+4], []byte("PE\x00\x00"))
}
