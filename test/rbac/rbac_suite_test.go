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

// Package rbac tests that the RBAC in config/rbac is enough for the manager and no more: the
// manager runs as its ServiceAccount, with only the roles the installer binds to it.
package rbac

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/vipps-token-operator/vipps-token-operator/internal/controller"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/suitetest"
)

// The suite starts a kube-apiserver that authorises with RBAC only, installs the manager's
// RBAC from config/rbac as the installer does (into operatorNamespace), and runs the manager
// as cmd/main.go wires it, authenticated as the ServiceAccount of config/rbac: no
// system:masters, no other binding. Specs assert through adminClient, a cluster admin.

const (
	// operatorNamespace is where the installer puts the manager, as config/default does.
	operatorNamespace = "vipps-token-operator-system"
	// leaderElectionID is the manager's default --leader-election-id.
	leaderElectionID = "vipps-token-operator.vippsoperator.dev"
)

// rbacFiles are the files of config/rbac that give the manager its permissions. The
// admin, editor and viewer roles are for people, and bound to nobody by the installer;
// people_test.go installs them for its own specs (peopleRoleFiles).
var rbacFiles = []string{
	"service_account.yaml",
	"role.yaml", "role_binding.yaml",
	"leader_election_role.yaml", "leader_election_role_binding.yaml",
	"metrics_auth_role.yaml", "metrics_auth_role_binding.yaml", "metrics_reader_role.yaml",
}

var (
	env         *envtest.Environment
	adminClient client.Client
	// managerConfig is authenticated as the manager's ServiceAccount.
	managerConfig *rest.Config
	// serviceAccount is the manager's ServiceAccount, as config/rbac names it.
	serviceAccount string

	fake       *fakevipps.Server
	fakeServer *httptest.Server
	// metricsAddr is where the manager serves its metrics.
	metricsAddr string
	// logs holds everything the manager and client-go logged.
	logs = &syncBuffer{}

	suiteCtx context.Context
)

func TestRBAC(t *testing.T) {
	suitetest.Run(t, "RBAC of the manager", 15*time.Second, 100*time.Millisecond)
}

var _ = BeforeSuite(func() {
	// The manager logs through controller-runtime's logger; client-go (reflectors, event
	// broadcasters, leader election) through klog. Both go to logs, to look for refusals.
	logger := zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, logs)), zap.UseDevMode(true))
	logf.SetLogger(logger)
	klog.SetLogger(logger)
	suiteCtx = context.Background()

	env, adminClient = suitetest.StartAPIServer(func(env *envtest.Environment) {
		// envtest defaults to RBAC already; say so, so that a change of default cannot turn
		// this suite into one that authorises everything.
		apiServer := env.ControlPlane.GetAPIServer().Configure()
		apiServer.Set("authorization-mode", "RBAC")
		// OpenShift and other hardened clusters enforce owner references: setting one that
		// blocks the owner's deletion takes `update` on the owner's finalizers. kube-apiserver
		// does not by default; turn it on, so that the manager's RBAC is proven enough there too.
		apiServer.Append("enable-admission-plugins", "OwnerReferencesPermissionEnforcement")
	})

	Expect(adminClient.Create(suiteCtx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace},
	})).To(Succeed())
	serviceAccount = installRBAC()

	user, err := env.AddUser(envtest.User{
		Name:   fmt.Sprintf("system:serviceaccount:%s:%s", operatorNamespace, serviceAccount),
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + operatorNamespace},
	}, nil)
	Expect(err).NotTo(HaveOccurred())
	managerConfig = user.Config()

	fake, fakeServer = operatortest.StartFakeVipps()
	metricsAddr = freeAddress()
	startManager()
})

// installRBAC creates the objects of rbacFiles as the installer does, in operatorNamespace,
// and returns the name of the ServiceAccount.
func installRBAC() (serviceAccount string) {
	for _, file := range rbacFiles {
		manifest := installtest.ReadManifest(filepath.Join(testenv.RepoRoot(), "config", "rbac", file))
		for _, obj := range manifest.Objects {
			switch obj.GetKind() {
			case "ServiceAccount":
				serviceAccount = obj.GetName()
				obj.SetNamespace(operatorNamespace)
			case "Role":
				obj.SetNamespace(operatorNamespace)
			case "RoleBinding":
				obj.SetNamespace(operatorNamespace)
				inOperatorNamespace(obj)
			case "ClusterRoleBinding":
				inOperatorNamespace(obj)
			}
			Expect(adminClient.Create(suiteCtx, obj)).To(Succeed(),
				"%s %s of config/rbac/%s", obj.GetKind(), obj.GetName(), file)
		}
	}
	Expect(serviceAccount).NotTo(BeEmpty(), "config/rbac has a ServiceAccount")
	return serviceAccount
}

// inOperatorNamespace moves the subjects of a binding from kustomize's placeholder
// namespace, as config/default's `namespace:` does.
func inOperatorNamespace(binding *unstructured.Unstructured) {
	subjects, _, err := unstructured.NestedSlice(binding.Object, "subjects")
	Expect(err).NotTo(HaveOccurred())
	for _, s := range subjects {
		subject := s.(map[string]any)
		if subject["kind"] == "ServiceAccount" {
			subject["namespace"] = operatorNamespace
		}
	}
	Expect(unstructured.SetNestedSlice(binding.Object, subjects, "subjects")).To(Succeed())
}

// startManager runs the manager as cmd/main.go wires it, as the ServiceAccount: leader
// election on, secure metrics with the API server's authentication and authorisation, and
// both controllers.
func startManager() {
	mgr, err := ctrl.NewManager(managerConfig, ctrl.Options{
		Scheme: env.Scheme,
		Cache:  controller.CacheOptions(nil),
		Metrics: metricsserver.Options{
			BindAddress:    metricsAddr,
			SecureServing:  true,
			FilterProvider: filters.WithAuthenticationAndAuthorization,
		},
		HealthProbeBindAddress:        "0",
		LeaderElection:                true,
		LeaderElectionID:              leaderElectionID,
		LeaderElectionNamespace:       operatorNamespace, // in a pod, the ServiceAccount's namespace
		LeaderElectionReleaseOnCancel: true,
	})
	Expect(err).NotTo(HaveOccurred())

	// Both reconcilers, as in a pod in operatorNamespace without --namespaces: ClusterVippsTokens
	// keep their credentials there.
	operatortest.SetupReconciler(mgr, fakeServer.URL,
		vipps.NewClient(vipps.WithTimeout(2*time.Second), vipps.WithRateLimit(20, 20)), operatorNamespace)
	Expect(mgr.AddHealthzCheck("healthz", healthz.Ping)).To(Succeed())
	Expect(mgr.AddReadyzCheck("readyz", healthz.Ping)).To(Succeed())
	operatortest.StartManager(suiteCtx, mgr)
}

// freeAddress returns a local address that nothing listens on.
func freeAddress() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// syncBuffer is a bytes.Buffer that loggers on several goroutines may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
