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

// Package installtest helps the suites that install the operator as its users do:
// test/install with dist/install.yaml as kustomize builds it, test/helm with the chart as helm
// renders it (and test/rbac, which reads config/rbac with it). It builds and reads those
// manifests, and hands them to envtest's kubectl as a cluster admin, with a server-side dry
// run, so that the API server checks every object as on a real install and stores none.
//
// Its helpers fail the spec that calls them, and report the failure at the caller's line.
package installtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	// The Ginkgo and Gomega DSL, dot-imported as in the suites these helpers are part of.
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck
	. "github.com/onsi/gomega"    //nolint:staticcheck
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// Run runs a command and returns its stdout and stderr apart. Both go to GinkgoWriter too,
// so that a failed spec shows what the command said.
func Run(name string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	GinkgoWriter.Printf("$ %s %v\n%s%s", filepath.Base(name), args, out.String(), errOut.String())
	return out.String(), errOut.String(), err
}

// FindKustomize returns $KUSTOMIZE, or bin/kustomize after `make kustomize` made sure it
// is there at the Makefile's pinned version.
func FindKustomize() string {
	GinkgoHelper()
	if path := os.Getenv("KUSTOMIZE"); path != "" {
		return path
	}
	cmd := exec.Command("make", "--no-print-directory", "kustomize")
	cmd.Dir = testenv.RepoRoot()
	cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
	Expect(cmd.Run()).To(Succeed(), "make kustomize")
	return filepath.Join(testenv.RepoRoot(), "bin", "kustomize")
}

// Manifest is a file of objects, as `kubectl apply -f` takes it: dist/install.yaml, or what
// `helm template` renders.
type Manifest struct {
	Path    string
	Objects []*unstructured.Unstructured
}

// ReadManifest reads the objects of a YAML file, which must hold at least one.
func ReadManifest(path string) *Manifest {
	GinkgoHelper()
	contents, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	m := &Manifest{Path: path}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(contents), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := decoder.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		Expect(err).NotTo(HaveOccurred(), path)
		if len(obj.Object) > 0 {
			m.Objects = append(m.Objects, obj)
		}
	}
	Expect(m.Objects).NotTo(BeEmpty(), "%s holds no object", path)
	return m
}

// WriteManifest writes contents, the output of kustomize or helm, to path, for kubectl to
// apply, and reads its objects.
func WriteManifest(path, contents string) *Manifest {
	GinkgoHelper()
	Expect(os.WriteFile(path, []byte(contents), 0o600)).To(Succeed())
	return ReadManifest(path)
}

// All returns the objects of a kind.
func (m *Manifest) All(kind string) []*unstructured.Unstructured {
	var found []*unstructured.Unstructured
	for _, obj := range m.Objects {
		if obj.GetKind() == kind {
			found = append(found, obj)
		}
	}
	return found
}

// Object returns the object of the kind and name, failing the spec when there is none.
func (m *Manifest) Object(kind, name string) *unstructured.Unstructured {
	GinkgoHelper()
	for _, obj := range m.All(kind) {
		if obj.GetName() == name {
			return obj
		}
	}
	Fail(fmt.Sprintf("%s holds no %s %s", m.Path, kind, name))
	return nil
}

// Edit replaces Old with Replacement in a file of the copy of config/ an installer is built
// from; File is relative to config/.
type Edit struct{ File, Old, Replacement string }

// EnableComponent is the Edit that uncomments an optional component (network-policy,
// prometheus, grafana, rollout-restart) in config/default/kustomization.yaml, as its comment
// tells users to.
func EnableComponent(name string) Edit {
	return Edit{File: "default/kustomization.yaml", Old: "#- ../" + name, Replacement: "- ../" + name}
}

// BuildInstaller builds config/default with kustomize as `make build-installer` does, from a
// copy of config/ with the edits made, so that the working tree is never changed.
func BuildInstaller(kustomize string, edits ...Edit) *Manifest {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	config := filepath.Join(dir, "config")
	Expect(os.CopyFS(config, os.DirFS(filepath.Join(testenv.RepoRoot(), "config")))).To(Succeed())
	for _, e := range edits {
		path := filepath.Join(config, e.File)
		contents, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(contents)).To(ContainSubstring(e.Old), "config/%s no longer holds the line the test enables", e.File)
		Expect(os.WriteFile(path, []byte(strings.Replace(string(contents), e.Old, e.Replacement, 1)), 0o600)).
			To(Succeed())
	}
	stdout, stderr, err := Run(kustomize, "build", filepath.Join(config, "default"))
	Expect(err).NotTo(HaveOccurred(), stderr)
	return WriteManifest(filepath.Join(dir, "install.yaml"), stdout)
}

// Kubectl runs envtest's kubectl against envtest's kube-apiserver.
type Kubectl struct {
	Path       string // the kubectl binary
	Kubeconfig string // a kubeconfig for a cluster admin, as the installing user is; helm takes it too
	// FieldManager is the manager of the fields a dry run applies, as the installing tool
	// would name itself.
	FieldManager string
}

// AdminKubectl returns envtest's kubectl, which hack/envtest-assets.sh puts next to
// kube-apiserver, with a kubeconfig for a new cluster admin "installer", for a started env.
func AdminKubectl(env *envtest.Environment, fieldManager string) *Kubectl {
	GinkgoHelper()
	k := &Kubectl{Path: filepath.Join(env.BinaryAssetsDirectory, "kubectl"), FieldManager: fieldManager}
	Expect(k.Path).To(BeAnExistingFile(), "hack/envtest-assets.sh puts kubectl next to kube-apiserver")
	admin, err := env.AddUser(envtest.User{Name: "installer", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	contents, err := admin.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	k.Kubeconfig = filepath.Join(GinkgoT().TempDir(), "installer.kubeconfig")
	Expect(os.WriteFile(k.Kubeconfig, contents, 0o600)).To(Succeed())
	return k
}

// ApplyDryRun hands the manifest to kubectl as `kubectl apply --server-side` would, with a
// server-side dry run: each object goes through the API server's validation (unknown fields
// included), admission (Pod Security included) and defaulting, and nothing is stored.
func (k *Kubectl) ApplyDryRun(m *Manifest) (stdout, stderr string, err error) {
	return Run(k.Path, "--kubeconfig", k.Kubeconfig, "apply", "--server-side", "--dry-run=server",
		"--field-manager="+k.FieldManager, "-f", m.Path)
}

// ExpectAccepted expects kubectl to succeed, to say nothing on stderr (no warning either),
// and to report each object of the manifest as applied, and nothing else.
func (k *Kubectl) ExpectAccepted(m *Manifest) {
	GinkgoHelper()
	stdout, stderr, err := k.ApplyDryRun(m)
	Expect(err).NotTo(HaveOccurred(), stderr)
	Expect(stderr).To(BeEmpty())

	want := make([]string, 0, len(m.Objects))
	for _, obj := range m.Objects {
		want = append(want, kubectlName(obj)+" serverside-applied (server dry run)")
	}
	Expect(strings.Split(strings.TrimSpace(stdout), "\n")).To(ConsistOf(want))
}

// kubectlName is how kubectl names an object in its output: kind.group/name.
func kubectlName(obj *unstructured.Unstructured) string {
	gvk := obj.GroupVersionKind()
	name := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		name += "." + gvk.Group
	}
	return name + "/" + obj.GetName()
}

// FromUnstructured converts obj into the typed object into, failing the spec when it does
// not fit.
func FromUnstructured(obj *unstructured.Unstructured, into any) {
	GinkgoHelper()
	Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, into)).To(Succeed())
}

// ContainerPort resolves a port by number or by name to the container's port number.
func ContainerPort(c corev1.Container, port intstr.IntOrString) int32 {
	GinkgoHelper()
	if port.Type == intstr.Int {
		return port.IntVal
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return p.ContainerPort
		}
	}
	Fail("container " + c.Name + " has no port named " + port.StrVal)
	return 0
}

// ExpectNoWorkloadAccess expects no Role or ClusterRole of m to grant anything in the apps
// group, by name or by wildcard: restarting workloads is opt-in (the rollout-restart component,
// the chart's rolloutRestarts).
func (m *Manifest) ExpectNoWorkloadAccess() {
	GinkgoHelper()
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, obj := range m.All(kind) {
			role := &rbacv1.ClusterRole{} // a Role's rules are a ClusterRole's
			FromUnstructured(obj, role)
			Expect(role.AggregationRule).To(BeNil(), "%s %s", kind, role.Name)
			for _, rule := range role.Rules {
				Expect(rule.APIGroups).NotTo(ContainElement(BeElementOf("apps", "*")), "%s %s", kind, role.Name)
			}
		}
	}
}
