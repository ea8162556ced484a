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

package argocd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// The customizations' test data are VippsTokens and ClusterVippsTokens that the reconcilers
// brought into each phase in these specs. With UPDATE_ARGOCD_TESTDATA=1 the specs write them; otherwise they check
// that each committed file still has the status shape of its live counterpart, so that a
// change to the operator's status cannot leave the test data describing an older operator.

// fakeEndpoint stands in testdata for the fake's URL, and fakeHost for its host and port,
// which changes on every run.
const (
	fakeEndpoint = "http://" + fakeHost
	fakeHost     = "fake-vipps:8080"
)

// capturedHeader opens every file the specs write of kind.
func capturedHeader(kind string) string {
	return "# Captured from a live " + kind + " by test/argocd; regenerate with " +
		updateEnv + "=1 go test ./test/argocd/\n"
}

// waitingMessage is health.lua's message while the operator has not reported on the spec.
const waitingMessage = "Waiting for the vipps-token-operator to observe the latest spec"

// observe checks health.lua's verdict on a live VippsToken or ClusterVippsToken in both
// library modes, then captures the object as testdata/<file> of its kind. The verdict is status with a message made of
// cause and the Ready condition's message: the message alone when cause is TokenValid,
// waitingMessage when cause is "".
func observe(file string, obj *unstructured.Unstructured, status, cause string) {
	GinkgoHelper()
	kind := obj.GetKind()
	for _, mode := range libModes {
		got, err := executeHealth(obj.Object, mustReadScript(kind, healthScript), mode.openLibs)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal(verdict(obj.Object, status, cause)), "%s, %s", file, mode.name)
	}

	inputPath := "testdata/" + file
	captured := stripped(obj)
	if updating() {
		writeCapture(kind, inputPath, capturedHeader(kind), captured)
		recordHealthTest(kind, healthTest{InputPath: inputPath, HealthStatus: verdict(captured, status, cause)})
		return
	}
	expectSameShape(kind, inputPath, captured)
	var tests healthTestFile
	Expect(readTestFile(kind, healthTests, &tests)).To(Succeed())
	expected := And(HaveField("InputPath", inputPath), HaveField("HealthStatus.Status", status))
	Expect(tests.Tests).To(ContainElement(expected), "%s expects %s of %s", healthTests, status, inputPath)
}

// verdict is the health status expected of obj (see observe).
func verdict(obj map[string]any, status, cause string) healthStatus {
	GinkgoHelper()
	if cause == "" {
		return healthStatus{Status: status, Message: waitingMessage}
	}
	ready := readyOf(obj)
	if cause == tokensv1alpha1.ReasonTokenValid {
		return healthStatus{Status: status, Message: ready.Message}
	}
	return healthStatus{Status: status, Message: cause + ": " + ready.Message}
}

// captureAction captures a live VippsToken as actions/testdata/<file>, or checks the
// committed one against it.
func captureAction(file string, obj *unstructured.Unstructured) {
	GinkgoHelper()
	path := "actions/testdata/" + file
	if updating() {
		writeCapture(tokenKind, path, capturedHeader(tokenKind), stripped(obj))
	} else {
		expectSameShape(tokenKind, path, stripped(obj))
	}
}

// stripped is obj as testdata keeps it: without managedFields, uid and resourceVersion,
// which change with every capture and say nothing, and with fakeEndpoint and fakeHost for
// the fake.
func stripped(obj *unstructured.Unstructured) map[string]any {
	GinkgoHelper()
	obj = obj.DeepCopy()
	for _, field := range []string{"managedFields", "uid", "resourceVersion"} {
		unstructured.RemoveNestedField(obj.Object, "metadata", field)
	}
	encoded, err := json.Marshal(obj.Object)
	Expect(err).NotTo(HaveOccurred())
	encoded = []byte(strings.NewReplacer(fakeServer.URL, fakeEndpoint, fakeServer.Listener.Addr().String(), fakeHost).
		Replace(string(encoded)))
	out := map[string]any{}
	Expect(json.Unmarshal(encoded, &out)).To(Succeed())
	return out
}

// writeCapture writes obj as path, relative to the directory of the customization of kind,
// after header.
func writeCapture(kind, path, header string, obj map[string]any) {
	GinkgoHelper()
	encoded, err := yaml.Marshal(obj)
	Expect(err).NotTo(HaveOccurred())
	path = filepath.Join(customizationDir(kind), path)
	Expect(os.MkdirAll(filepath.Dir(path), 0o755)).To(Succeed())
	Expect(os.WriteFile(path, append([]byte(header), encoded...), 0o644)).To(Succeed())
}

// recordHealthTest puts test into health_test.yaml of kind, in place of any for the same input.
func recordHealthTest(kind string, test healthTest) {
	GinkgoHelper()
	var file healthTestFile
	if err := readTestFile(kind, healthTests, &file); !os.IsNotExist(err) {
		Expect(err).NotTo(HaveOccurred())
	}
	file.Tests = slices.DeleteFunc(file.Tests, func(t healthTest) bool { return t.InputPath == test.InputPath })
	file.Tests = append(file.Tests, test)
	slices.SortFunc(file.Tests, func(a, b healthTest) int { return strings.Compare(a.InputPath, b.InputPath) })
	encoded, err := yaml.Marshal(file)
	Expect(err).NotTo(HaveOccurred())
	header := "# The expected health of each capture in testdata/; the specs of test/argocd write it with them.\n"
	Expect(os.WriteFile(filepath.Join(customizationDir(kind), healthTests), append([]byte(header), encoded...), 0o644)).
		To(Succeed())
}

// readyOf returns obj's Ready condition.
func readyOf(obj map[string]any) metav1.Condition {
	GinkgoHelper()
	ready := meta.FindStatusCondition(common(obj).Status.Conditions, tokensv1alpha1.ConditionReady)
	Expect(ready).NotTo(BeNil())
	return *ready
}

func mustReadScript(kind, path string) string {
	GinkgoHelper()
	script, err := readCustomization(kind, path)
	Expect(err).NotTo(HaveOccurred())
	return script
}
