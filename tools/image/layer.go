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
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const caBundlePath = "/etc/ssl/certs/ca-certificates.crt"

// layerFile is a file of the build machine and where it goes in the image.
type layerFile struct {
	source      string
	destination string
}

// layerEntry is one entry of the layer's tar stream. Every entry has the zero modification
// time, so the same inputs give the same layer digest.
type layerEntry struct {
	name    string
	mode    int64
	content []byte
	dir     bool
}

// newLayer holds the given executables, the CA bundle, and /etc/passwd and /etc/group naming
// the user the image runs as, which is what distroless/static:nonroot holds besides tzdata.
func newLayer(files []layerFile, caBundle, user string) (v1.Layer, error) {
	uid, gid, _ := strings.Cut(user, ":")
	if gid == "" {
		gid = uid
	}
	entries := []layerEntry{
		{name: "tmp", mode: 0o1777, dir: true},
		{name: "home/nonroot", mode: 0o700, dir: true},
		{name: "etc/passwd", mode: 0o644, content: fmt.Appendf(nil,
			"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n", uid, gid)},
		{name: "etc/group", mode: 0o644, content: fmt.Appendf(nil, "root:x:0:\nnonroot:x:%s:\n", gid)},
	}
	bundle, err := os.ReadFile(caBundle)
	if err != nil {
		return nil, fmt.Errorf("reading the CA bundle: %w", err)
	}
	entries = append(entries, layerEntry{name: strings.TrimPrefix(caBundlePath, "/"), mode: 0o644, content: bundle})
	for _, f := range files {
		content, err := os.ReadFile(f.source)
		if err != nil {
			return nil, err
		}
		entries = append(entries, layerEntry{name: strings.TrimPrefix(f.destination, "/"), mode: 0o755, content: content})
	}

	archive, err := tarOf(withParentDirectories(entries))
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(archive)), nil
	})
}

// withParentDirectories adds the directories the entries sit in, which container runtimes
// would otherwise create with whatever mode they choose, and sorts parents before children.
func withParentDirectories(entries []layerEntry) []layerEntry {
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.name] = true
	}
	all := entries
	for _, e := range entries {
		for dir := path.Dir(e.name); dir != "."; dir = path.Dir(dir) {
			if !seen[dir] {
				seen[dir] = true
				all = append(all, layerEntry{name: dir, mode: 0o755, dir: true})
			}
		}
	}
	slices.SortFunc(all, func(a, b layerEntry) int { return strings.Compare(a.name, b.name) })
	return all
}

func tarOf(entries []layerEntry) ([]byte, error) {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, e := range entries {
		header := &tar.Header{
			Name: e.name, Mode: e.mode, Size: int64(len(e.content)), Typeflag: tar.TypeReg, Format: tar.FormatPAX,
		}
		if e.dir {
			header.Name, header.Typeflag, header.Size = e.name+"/", tar.TypeDir, 0
		}
		if err := w.WriteHeader(header); err != nil {
			return nil, err
		}
		if _, err := w.Write(e.content); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
