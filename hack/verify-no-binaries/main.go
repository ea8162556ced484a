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

// Command verify-no-binaries fails when the Git index holds an executable binary (ELF,
// Mach-O, PE) or a file over 1 MiB. A program built by accident in a package directory
// ("go build" writes it next to the source) bloats every clone for good and cannot be
// reviewed. make verify runs it: go run ./hack/verify-no-binaries.
package main

import (
	"fmt"
	"os"
)

// maxBytes is the largest file the repository may track. The largest legitimate files, the
// generated CRD and go.sum, are a few tens of kilobytes.
const maxBytes = 1 << 20

func main() {
	files, err := readIndex(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "verify-no-binaries:", err)
		os.Exit(2)
	}
	problems := check(files)
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, "verify-no-binaries:", problem)
	}
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "verify-no-binaries: untrack each with 'git rm --cached PATH' and ignore it in .gitignore")
		os.Exit(1)
	}
	fmt.Printf("verify-no-binaries: %d tracked files, no executable binary, none over %d bytes\n", len(files), maxBytes)
}

// check says what is wrong with each file that must not be tracked.
func check(files []indexedFile) []string {
	var problems []string
	for _, file := range files {
		if file.size > maxBytes {
			problems = append(problems, fmt.Sprintf("%s: %d bytes, over the limit of %d", file.path, file.size, maxBytes))
		}
		if kind := executableKind(file.head); kind != "" {
			problems = append(problems, fmt.Sprintf("%s: %s", file.path, kind))
		}
	}
	return problems
}
