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

package kubectlvipps

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/suitetest"
)

// The suite runs the commands in-process, as kubectl runs the plugin, against a real
// kube-apiserver through a kubeconfig file. The operator's real reconciler runs too, but only
// in operatedNamespace: there the specs renew and inspect what the operator did with tokens
// from the project's fake Vipps server. Elsewhere specs write the status themselves, to show
// states (failing, expired) that would take the operator minutes to reach.

// operatedNamespace is the one namespace the operator watches.
const operatedNamespace = "operated"

var (
	env        *envtest.Environment
	k8sClient  client.Client
	kubeconfig string

	fake       *fakevipps.Server
	fakeServer string
)

func TestKubectlVipps(t *testing.T) {
	suitetest.Run(t, "kubectl vipps", 15*time.Second, 100*time.Millisecond)
}

var _ = BeforeSuite(func(ctx SpecContext) {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))

	env, k8sClient = suitetest.StartAPIServer()
	kubeconfig = filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(kubeconfig, env.KubeConfig, 0o600)).To(Succeed())

	var server *httptest.Server
	fake, server = operatortest.StartFakeVipps()
	fakeServer = server.URL
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatedNamespace}})).To(Succeed())
	Expect(k8sClient.Create(ctx, credentialstest.Secret(operatedNamespace, "vipps-credentials",
		fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)))).To(Succeed())
	operatortest.StartOperator(context.Background(), env, fakeServer, operatedNamespace)
})

// output is what one run of the plugin printed, and the error it ended with.
type output struct {
	stdout, stderr string
	err            error
}

// runPlugin runs "kubectl vipps args..." against the suite's API server, with the clock now
// (the real clock when now is nil), as kubectl would run the binary.
func runPlugin(ctx context.Context, now func() time.Time, args ...string) output {
	var stdout, stderr bytes.Buffer
	o := NewOptions(genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &stdout, ErrOut: &stderr})
	if now != nil {
		o.Now = now
	}
	err := Execute(ctx, o, append([]string{"--kubeconfig", kubeconfig}, args...))
	return output{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// newNamespace creates a namespace of its own for a spec, which the operator does not watch.
func newNamespace(ctx context.Context) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "plugin-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}
