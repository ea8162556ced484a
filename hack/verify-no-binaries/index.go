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
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// indexedFile is a blob that the Git index tracks, with what the check needs of it.
type indexedFile struct {
	path string
	size int64
	head []byte // the first headBytes bytes at most
}

// readIndex returns every blob in the Git index of the repository at dir. It reads the index,
// not the work tree, because the index is what the next commit records: a binary deleted from
// disk but still tracked is found, an untracked build output is not. One "git cat-file
// --batch" serves every blob, so that the check costs two processes, not two per file.
func readIndex(dir string) ([]indexedFile, error) {
	listing, err := git(dir, "ls-files", "--stage", "-z").Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	var paths, ids []string
	for entry := range strings.SplitSeq(strings.TrimSuffix(string(listing), "\x00"), "\x00") {
		if entry == "" {
			continue
		}
		// "<mode> <object> <stage>\t<path>"; mode 160000 is a submodule, a commit and not a blob.
		meta, path, _ := strings.Cut(entry, "\t")
		fields := strings.Fields(meta)
		if len(fields) != 3 {
			return nil, fmt.Errorf("git ls-files: unexpected entry %q", entry)
		}
		if fields[0] == "160000" {
			continue
		}
		paths = append(paths, path)
		ids = append(ids, fields[1])
	}

	cmd := git(dir, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	files := make([]indexedFile, 0, len(paths))
	out := bufio.NewReader(stdout)
	for _, path := range paths {
		file, err := readBlob(out, path)
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("git cat-file, %s: %w", path, err)
		}
		files = append(files, file)
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return files, nil
}

// readBlob reads one record of "git cat-file --batch": "<object> blob <size>\n<content>\n".
// It keeps the head of the content and skips the rest.
func readBlob(out *bufio.Reader, path string) (indexedFile, error) {
	header, err := out.ReadString('\n')
	if err != nil {
		return indexedFile{}, err
	}
	fields := strings.Fields(header)
	if len(fields) != 3 || fields[1] != "blob" {
		return indexedFile{}, fmt.Errorf("unexpected header %q", header)
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return indexedFile{}, fmt.Errorf("unexpected header %q", header)
	}
	var head bytes.Buffer
	if _, err := io.CopyN(&head, out, min(size, headBytes)); err != nil {
		return indexedFile{}, err
	}
	// The rest of the content and the record's closing newline.
	if _, err := io.CopyN(io.Discard, out, size-int64(head.Len())+1); err != nil {
		return indexedFile{}, err
	}
	return indexedFile{path: path, size: size, head: head.Bytes()}, nil
}

func git(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	return cmd
}
