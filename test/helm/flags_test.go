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

package helm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

var _ = Describe("The manager", func() {
	It("accepts every flag the chart passes it, with every manager value set", func() {
		args := render(allOn).manager().Args
		Expect(strings.Join(args, " ")).To(And(
			ContainSubstring("--allowed-endpoints="), ContainSubstring("--vipps-timeout="),
			ContainSubstring("--leader-election-namespace="), ContainSubstring("--enable-rollout-restarts"),
			ContainSubstring("--rollout-restart-min-interval="), ContainSubstring("--cluster-resource-namespace=")),
			"allOn sets every manager value")

		dir := GinkgoT().TempDir()
		manager := filepath.Join(dir, "manager")
		build := exec.Command("go", "build", "-o", manager, "./cmd")
		build.Dir = testenv.RepoRoot()
		out, err := build.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "go build ./cmd: %s", out)

		// The flags are parsed and checked (cmd/options.go's validate, the allowed endpoints)
		// before the manager loads its kubeconfig; an empty one makes it stop right there, so
		// reaching that error proves the flags were taken. A flag it refuses exits earlier.
		empty := filepath.Join(dir, "kubeconfig")
		Expect(os.WriteFile(empty, nil, 0o600)).To(Succeed())
		cmd := exec.Command(manager, args...)
		cmd.Env = []string{"HOME=" + dir, "KUBECONFIG=" + empty}
		out, err = cmd.CombinedOutput()
		GinkgoWriter.Printf("$ manager %v\n%s", args, out)
		Expect(err).To(HaveOccurred(), "the manager cannot run without a cluster")
		Expect(string(out)).To(ContainSubstring("loading the kubeconfig"))
	})
})
