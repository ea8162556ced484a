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

package reliability

import (
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
)

// serviceAccountKubeconfig writes a kubeconfig that authenticates with a ServiceAccount's
// bearer token, as the manager does in a Pod, and returns its path and the token. The
// ServiceAccount is a cluster admin: this is about what the manager logs, not what it may do.
func serviceAccountKubeconfig(cluster *localcluster.Cluster) (path, token string) {
	const namespace, name = "vipps-token-operator-system", "manager"
	c := cluster.Client
	Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
	account := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	Expect(c.Create(ctx, account)).To(Succeed())
	Expect(c.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "vipps-token-operator-manager-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}},
	})).To(Succeed())
	request := &authenticationv1.TokenRequest{}
	Expect(c.SubResource("token").Create(ctx, account, request)).To(Succeed())
	Expect(request.Status.Token).NotTo(BeEmpty())

	kubeconfig := clientcmdapi.NewConfig()
	kubeconfig.Clusters["envtest"] = &clientcmdapi.Cluster{
		Server: cluster.Config.Host, CertificateAuthorityData: cluster.Config.CAData,
	}
	kubeconfig.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: request.Status.Token}
	kubeconfig.Contexts[name] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: name}
	kubeconfig.CurrentContext = name
	path = filepath.Join(GinkgoT().TempDir(), "manager.kubeconfig")
	Expect(clientcmd.WriteToFile(*kubeconfig, path)).To(Succeed())
	return path, request.Status.Token
}
