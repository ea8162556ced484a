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

// Package reliability proves how the operator, run as its own process as in a Pod, behaves
// when Kubernetes fails around it, and that nothing secret leaks into any of its outputs.
package reliability

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/suitetest"
)

var (
	binary     string
	fake       *fakevipps.Server
	fakeServer *httptest.Server
	ctx        = context.Background()
)

func TestReliability(t *testing.T) {
	suitetest.Run(t, "Reliability", 30*time.Second, 200*time.Millisecond)
}

var _ = BeforeSuite(func() {
	var err error
	binary, err = localcluster.BuildOperator(ctx, GinkgoT().TempDir())
	Expect(err).NotTo(HaveOccurred())
	fake = fakevipps.NewServer()
	fakeServer, err = fakevipps.Serve("127.0.0.1:0", fake)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(fakeServer.Close)
})

// startCluster starts a control plane of the spec's own.
func startCluster() *localcluster.Cluster {
	cluster, err := localcluster.Start()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(cluster.Stop)
	return cluster
}

// startOperator runs the manager against cluster with the fake allowed, its log in a file
// that the spec can read.
func startOperator(cluster *localcluster.Cluster, name string, flags ...string) (*localcluster.Operator, string) {
	logPath := filepath.Join(GinkgoT().TempDir(), name+".log")
	log, err := os.Create(logPath)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(log.Close)
	op, err := cluster.StartOperator(binary, log, append([]string{"--allowed-endpoints=" + fakeServer.URL}, flags...)...)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		select {
		case <-op.Exited():
		default:
			_ = op.Stop()
		}
	})
	return op, logPath
}
