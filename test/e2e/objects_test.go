//go:build e2e

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

package e2e

import (
	"fmt"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

const (
	// appNamespace holds what an application team has: the fake Vipps server, the credentials,
	// the VippsToken and the workload. Pod Security "restricted" is enforced there too.
	appNamespace  = "vipps-e2e"
	fakeVippsPort = 8080
	// The fake's tokens live 90 s and are renewed at half their lifetime, so that a renewal
	// comes every 45 s and a restart of the operator fits between two.
	tokenLifetime     = "90s"
	renewBeforeShare  = 50
	tokenName         = "e2e-token"
	targetName        = "vipps-token"
	credentialsSecret = "vipps-credentials"
)

// Names that config/default gives the installed objects.
const (
	operatorNamespace  = "vipps-token-operator-system"
	operatorDeployment = "vipps-token-operator-controller-manager"
	metricsService     = "vipps-token-operator-controller-manager-metrics-service"
	metricsReaderRole  = "vipps-token-operator-metrics-reader"
	leaderLease        = "vipps-token-operator.vippsoperator.dev"
)

func restrictedNamespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
	}}}
}

// restrictedPod is a Pod of one container that meets the restricted Pod Security Standard.
func restrictedPod(name, image string, args ...string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: appNamespace, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers: []corev1.Container{{
				Name: name, Image: image, Args: args, ImagePullPolicy: corev1.PullIfNotPresent,
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false),
					ReadOnlyRootFilesystem:   ptr.To(true),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
}

func fakeVippsPod() *corev1.Pod {
	pod := restrictedPod("fake-vipps", images.fakeVipps,
		fmt.Sprintf("--addr=:%d", fakeVippsPort), "--environment=Test", "--lifetime="+tokenLifetime)
	pod.Spec.Containers[0].ReadinessProbe = &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(fakeVippsPort)}},
		PeriodSeconds: 1,
	}
	return pod
}

// readerPod is the workload: it mounts the target Secret as applications do.
func readerPod() *corev1.Pod {
	pod := restrictedPod("reader", images.reader, "--file=/var/run/vipps/"+tokensv1alpha1.KeyAccessToken)
	pod.Spec.Volumes = []corev1.Volume{{Name: "token", VolumeSource: corev1.VolumeSource{
		Secret: &corev1.SecretVolumeSource{SecretName: targetName},
	}}}
	pod.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{
		{Name: "token", MountPath: "/var/run/vipps", ReadOnly: true},
	}
	return pod
}

func fakeCredentials() fakevipps.Credentials {
	return fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
}

func vippsToken(endpoint string) *tokensv1alpha1.VippsToken {
	token := operatortest.StandardToken(appNamespace, tokenName, endpoint, targetName)
	token.Spec.RefreshPolicy = &tokensv1alpha1.RefreshPolicy{RenewBeforePercentage: ptr.To[int32](renewBeforeShare)}
	return token
}

// installer is dist/install.yaml as `make build-installer` wrote it, with only the image and
// the allowed Vipps endpoint changed, through a kustomization as a user would change them.
func installer(endpoint string) *installtest.Manifest {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	contents, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "dist", "install.yaml"))
	Expect(err).NotTo(HaveOccurred(), "make build-installer writes dist/install.yaml")
	Expect(os.WriteFile(filepath.Join(dir, "install.yaml"), contents, 0o600)).To(Succeed())
	name, tag := splitImage(images.operator)
	kustomization := fmt.Sprintf(`resources: [install.yaml]
images:
- name: controller
  newName: %s
  newTag: %s
patches:
- target: {kind: Deployment, name: %s}
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --allowed-endpoints=%s
`, name, tag, operatorDeployment, endpoint)
	Expect(os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o600)).To(Succeed())
	stdout, stderr, err := installtest.Run(installtest.FindKustomize(), "build", dir)
	Expect(err).NotTo(HaveOccurred(), stderr)
	return installtest.WriteManifest(filepath.Join(dir, "rendered.yaml"), stdout)
}

func splitImage(image string) (name, tag string) {
	for i := len(image) - 1; i >= 0 && image[i] != '/'; i-- {
		if image[i] == ':' {
			return image[:i], image[i+1:]
		}
	}
	return image, "latest"
}
