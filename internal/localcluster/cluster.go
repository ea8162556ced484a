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

// Package localcluster runs what it takes to watch the operator work without a cluster or a
// Vipps account: a real kube-apiserver and etcd (the envtest binaries) with the CRDs
// installed, a kubeconfig for kubectl, and the operator as a process of its own. The demo,
// the benchmark and the reliability suite are built on it.
package localcluster

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// Cluster is a running control plane.
type Cluster struct {
	env *envtest.Environment
	// Config is an administrator's connection to the API server.
	Config *rest.Config
	// Client is an uncached client for Config.
	Client client.Client
	// Kubeconfig is the path of an administrator's kubeconfig, for kubectl and the operator.
	Kubeconfig string
	// Dir holds the kubeconfig and whatever else a caller keeps for the cluster's lifetime.
	Dir string
}

// Start starts a control plane. apiServerFlags, "--name=value" each, are added to the API
// server's (the benchmark raises its limits). Stop it with Stop.
func Start(apiServerFlags ...string) (*Cluster, error) {
	env, err := testenv.New()
	if err != nil {
		return nil, err
	}
	args := env.ControlPlane.GetAPIServer().Configure()
	for _, flag := range apiServerFlags {
		name, value, _ := cutFlag(flag)
		args.Set(name, value)
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver and etcd: %w", err)
	}
	cluster := &Cluster{env: env, Config: cfg}
	if err := cluster.init(); err != nil {
		_ = env.Stop()
		return nil, err
	}
	return cluster, nil
}

func (c *Cluster) init() error {
	var err error
	if c.Client, err = client.New(c.Config, client.Options{Scheme: c.env.Scheme}); err != nil {
		return err
	}
	if c.Dir, err = os.MkdirTemp("", "vipps-token-operator-"); err != nil {
		return err
	}
	admin, err := c.env.AddUser(envtest.User{Name: "local-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the administrator: %w", err)
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		return err
	}
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	return os.WriteFile(c.Kubeconfig, kubeconfig, 0o600)
}

// KubectlPath is the kubectl that came with the control plane's binaries.
func (c *Cluster) KubectlPath() string {
	return filepath.Join(c.env.BinaryAssetsDirectory, "kubectl")
}

// Stop stops the control plane and removes its files.
func (c *Cluster) Stop() error {
	err := c.env.Stop()
	if c.Dir != "" {
		_ = os.RemoveAll(c.Dir)
	}
	return err
}

func cutFlag(flag string) (name, value string, ok bool) {
	for len(flag) > 0 && flag[0] == '-' {
		flag = flag[1:]
	}
	for i := range len(flag) {
		if flag[i] == '=' {
			return flag[:i], flag[i+1:], true
		}
	}
	return flag, "", false
}
