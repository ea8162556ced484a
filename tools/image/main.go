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

// Command image builds a container image from static binaries without a Docker daemon: one
// layer holding the binaries, CA certificates and the /etc/passwd of a non-root user, the same
// things the Dockerfile's distroless image holds. It writes an archive that `docker load` and
// `ctr images import` accept, and pushes to a registry when asked.
//
//	go run ./tools/image --tag controller:latest --output bin/image.tar --file bin/linux/manager=/manager
//
// `make image` builds the operator's image with it; the end-to-end tests build the fake Vipps
// server's and their own helper images the same way.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The operator's entrypoint and user, as the Dockerfile sets them; image_test.go holds the two
// together so that an image built either way runs the same.
const (
	managerEntrypoint = "/manager"
	nonRootUser       = "65532:65532"
)

type fileFlags []layerFile

func (f *fileFlags) String() string { return fmt.Sprint(*f) }

func (f *fileFlags) Set(value string) error {
	source, destination, ok := strings.Cut(value, "=")
	if !ok || source == "" || !strings.HasPrefix(destination, "/") {
		return fmt.Errorf("want SOURCE=/DESTINATION, got %q", value)
	}
	*f = append(*f, layerFile{source: source, destination: destination})
	return nil
}

func main() {
	var (
		files  fileFlags
		tag    = flag.String("tag", "controller:latest", "the image's name and tag")
		output = flag.String("output", "",
			"write the image to this file, as an archive that docker load and ctr images import take")
		push = flag.Bool("push", false,
			"push the image to the registry that --tag names (credentials from the Docker config)")
		entrypoint = flag.String("entrypoint", managerEntrypoint,
			"the image's entrypoint, a path in the image; arguments follow it, comma-separated")
		user     = flag.String("user", nonRootUser, "the UID:GID the image runs as")
		caBundle = flag.String("ca-certificates", "/etc/ssl/certs/ca-certificates.crt",
			"the CA bundle to copy into the image")
	)
	flag.Var(&files, "file", "SOURCE=/DESTINATION: a file to put into the image, executable (repeatable)")
	flag.Parse()

	if err := run(*tag, *output, *push, files, *caBundle, imageSettings{
		entrypoint: strings.Split(*entrypoint, ","),
		user:       *user,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(tag, output string, push bool, files []layerFile, caBundle string, settings imageSettings) error {
	if output == "" && !push {
		return fmt.Errorf("nothing to do: give --output, --push or both")
	}
	ref, err := name.ParseReference(tag)
	if err != nil {
		return fmt.Errorf("--tag: %w", err)
	}
	img, err := buildImage(files, caBundle, settings)
	if err != nil {
		return err
	}
	if output != "" {
		if err := tarball.WriteToFile(output, ref, img); err != nil {
			return fmt.Errorf("writing %s: %w", output, err)
		}
		fmt.Printf("wrote %s to %s\n", ref, output)
	}
	if push {
		if err := remote.Write(ref, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return fmt.Errorf("pushing %s: %w", ref, err)
		}
		fmt.Printf("pushed %s\n", ref)
	}
	return nil
}

// imageSettings is what the image's configuration says about how it runs.
type imageSettings struct {
	entrypoint []string
	user       string
}

func buildImage(files []layerFile, caBundle string, settings imageSettings) (v1.Image, error) {
	layer, err := newLayer(files, caBundle, settings.user)
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	cfg.Config.Entrypoint = settings.entrypoint
	cfg.Config.User = settings.user
	cfg.Config.WorkingDir = "/"
	// As in distroless: Go's crypto/x509 finds the bundle at this path on its own; the variable
	// says so to anything else in the image.
	cfg.Config.Env = []string{"SSL_CERT_FILE=" + caBundlePath}
	return mutate.ConfigFile(img, cfg)
}
