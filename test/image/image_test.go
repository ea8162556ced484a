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

// Package image checks the image `make image` builds without Docker against the Dockerfile's:
// the same entrypoint, user, working directory and arguments, and the files a distroless
// image would give the manager.
package image

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// runSettings is what decides how a container of the image runs.
type runSettings struct {
	Entrypoint []string
	Cmd        []string
	User       string
	WorkingDir string
}

func TestImageRunsAsTheDockerfileSays(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "image.tar")
	build := exec.Command("make", "--no-print-directory", "image",
		"IMAGE_ARCHIVE="+archive, "IMG=example.com/vipps-token-operator:test")
	build.Dir = testenv.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}

	config, files := readArchive(t, archive)
	want := dockerfileSettings(t, filepath.Join(testenv.RepoRoot(), "Dockerfile"))
	got := config.Config
	if !slices.Equal(got.Entrypoint, want.Entrypoint) || !slices.Equal(got.Cmd, want.Cmd) ||
		got.User != want.User || got.WorkingDir != want.WorkingDir {
		t.Errorf("make image runs %+v; the Dockerfile's image runs %+v", got, want)
	}
	if config.OS != "linux" {
		t.Errorf("os = %q, want linux", config.OS)
	}

	for path, mode := range map[string]int64{
		"manager": 0o755, "etc/ssl/certs/ca-certificates.crt": 0o644, "etc/passwd": 0o644, "tmp/": 0o1777,
	} {
		header, ok := files[path]
		if !ok {
			t.Errorf("the image holds no /%s", path)
			continue
		}
		if header.Mode != mode {
			t.Errorf("/%s has mode %o, want %o", path, header.Mode, mode)
		}
	}
	if !strings.Contains(files["etc/passwd"].content, ":65532:65532:") {
		t.Errorf("/etc/passwd names no user 65532: %q", files["etc/passwd"].content)
	}
}

type imageConfig struct {
	OS     string      `json:"os"`
	Config runSettings `json:"config"`
}

type layerFile struct {
	*tar.Header
	content string
}

// readArchive reads an archive in the layout of `docker save`, which `docker load` and
// `ctr images import` take: manifest.json names the config and the layers.
func readArchive(t *testing.T, path string) (imageConfig, map[string]layerFile) {
	t.Helper()
	entries := tarEntries(t, openFile(t, path))
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(entries["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("manifest.json: %v %q", err, entries["manifest.json"])
	}
	if !slices.Equal(manifest[0].RepoTags, []string{"example.com/vipps-token-operator:test"}) {
		t.Errorf("tags %v, want the IMG given", manifest[0].RepoTags)
	}
	var config imageConfig
	if err := json.Unmarshal(entries[manifest[0].Config], &config); err != nil {
		t.Fatalf("the image's config: %v", err)
	}
	files := map[string]layerFile{}
	for _, layer := range manifest[0].Layers {
		gz, err := gzip.NewReader(strings.NewReader(string(entries[layer])))
		if err != nil {
			t.Fatalf("layer %s: %v", layer, err)
		}
		reader := tar.NewReader(gz)
		for {
			header, err := reader.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			content, _ := io.ReadAll(reader)
			files[header.Name] = layerFile{Header: header, content: string(content)}
		}
	}
	return config, files
}

func openFile(t *testing.T, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func tarEntries(t *testing.T, r io.Reader) map[string][]byte {
	t.Helper()
	entries := map[string][]byte{}
	reader := tar.NewReader(r)
	for {
		header, err := reader.Next()
		if errors.Is(err, io.EOF) {
			return entries
		}
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(reader)
		if err != nil {
			t.Fatal(err)
		}
		entries[header.Name] = content
	}
}

// dockerfileSettings reads the final stage of the Dockerfile: its ENTRYPOINT and CMD (in JSON
// form), USER and WORKDIR. A stage inherits none of these from distroless/static except its
// user, which the Dockerfile sets.
func dockerfileSettings(t *testing.T, path string) runSettings {
	t.Helper()
	var settings runSettings
	scanner := bufio.NewScanner(openFile(t, path))
	for scanner.Scan() {
		instruction, argument, _ := strings.Cut(strings.TrimSpace(scanner.Text()), " ")
		switch strings.ToUpper(instruction) {
		case "FROM":
			settings = runSettings{}
		case "ENTRYPOINT":
			settings.Entrypoint = jsonArray(t, argument)
		case "CMD":
			settings.Cmd = jsonArray(t, argument)
		case "USER":
			settings.User = argument
		case "WORKDIR":
			settings.WorkingDir = argument
		}
	}
	return settings
}

func jsonArray(t *testing.T, s string) []string {
	t.Helper()
	var array []string
	if err := json.Unmarshal([]byte(s), &array); err != nil {
		t.Fatalf("%q is not in JSON form: %v", s, err)
	}
	return array
}
