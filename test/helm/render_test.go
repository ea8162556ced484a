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
	"fmt"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// rendering is the output of `helm template`, or of `kustomize build`: a file of objects.
type rendering struct{ *installtest.Manifest }

// valuesArgs writes each YAML document of values to a file and returns the -f flags that
// pass them to helm, in order.
func valuesArgs(values []string) []string {
	dir := GinkgoT().TempDir()
	args := make([]string, 0, 2*len(values))
	for i, doc := range values {
		path := filepath.Join(dir, fmt.Sprintf("values-%d.yaml", i))
		Expect(os.WriteFile(path, []byte(doc), 0o600)).To(Succeed())
		args = append(args, "-f", path)
	}
	return args
}

// helmTemplate runs `helm template` for the release in its namespace, and returns what it
// printed; err is helm's failure, if it failed.
func helmTemplate(values ...string) (stdout, stderr string, err error) {
	args := append([]string{"template", release, chart, "--namespace", namespace}, valuesArgs(values)...)
	return installtest.Run(helm, args...)
}

// render renders the chart with values, which must succeed.
func render(values ...string) *rendering {
	stdout, stderr, err := helmTemplate(values...)
	Expect(err).NotTo(HaveOccurred(), stderr)
	return &rendering{installtest.WriteManifest(filepath.Join(GinkgoT().TempDir(), "rendering.yaml"), stdout)}
}

// names returns "Kind name" of every object.
func (r *rendering) names() []string {
	names := make([]string, 0, len(r.Objects))
	for _, obj := range r.Objects {
		names = append(names, obj.GetKind()+" "+obj.GetName())
	}
	return names
}

// deployment returns the rendering's only Deployment.
func (r *rendering) deployment() *appsv1.Deployment {
	deployments := r.All("Deployment")
	Expect(deployments).To(HaveLen(1))
	deploy := &appsv1.Deployment{}
	installtest.FromUnstructured(deployments[0], deploy)
	return deploy
}

// manager returns the manager's container.
func (r *rendering) manager() corev1.Container {
	for _, c := range r.deployment().Spec.Template.Spec.Containers {
		if c.Name == "manager" {
			return c
		}
	}
	Fail("the Deployment has no container manager")
	return corev1.Container{}
}
