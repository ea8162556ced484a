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
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// prometheusOperator is the Go module whose example/prometheus-operator-crd/ holds the
// ServiceMonitor and PrometheusRule CRDs. The Go module proxy serves it like any module, so
// the suite needs no other download; go.mod does not list it, because no code imports it.
const prometheusOperator = "github.com/prometheus-operator/prometheus-operator@v0.85.0"

// monitoringCRDs returns the files of the ServiceMonitor and PrometheusRule CRDs, from the
// module cache, downloading the module into it the first time.
func monitoringCRDs() []string {
	cmd := exec.Command("go", "mod", "download", "-json", prometheusOperator)
	// Outside this module, so that its go.mod and go.sum stay as they are.
	cmd.Dir = GinkgoT().TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.Stderr = GinkgoWriter
	out, err := cmd.Output()
	var module struct{ Dir, Error string }
	Expect(json.Unmarshal(out, &module)).To(Succeed(), "go mod download %s: %v\n%s", prometheusOperator, err, out)
	Expect(module.Error).To(BeEmpty(), "go mod download %s", prometheusOperator)
	Expect(err).NotTo(HaveOccurred(), "go mod download %s", prometheusOperator)

	dir := filepath.Join(module.Dir, "example", "prometheus-operator-crd")
	files := []string{
		filepath.Join(dir, "monitoring.coreos.com_servicemonitors.yaml"),
		filepath.Join(dir, "monitoring.coreos.com_prometheusrules.yaml"),
	}
	for _, file := range files {
		Expect(file).To(BeAnExistingFile())
	}
	return files
}
