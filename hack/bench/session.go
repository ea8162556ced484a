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

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// apiServerFlags lift the API server's in-flight limits, so that the operator, the baseline
// and the benchmark's own creator are limited by their clients and not by the server's
// defaults for a shared cluster.
var apiServerFlags = []string{"--max-requests-inflight=1000", "--max-mutating-requests-inflight=500"}

// The benchmark's own client must never be what limits a scenario.
const (
	benchQPS   = 2000
	benchBurst = 4000
)

// session is one fresh control plane, the fake Vipps server, the benchmark's client and
// watch, and the manager once started.
type session struct {
	opts    options
	mgr     manager
	cluster *localcluster.Cluster
	client  client.Client
	fake    *fakevipps.Server
	fakeURL string
	watch   *watcher
	op      *localcluster.Operator
	logPath string

	closers []func()
}

func startSession(ctx context.Context, opts options, mgr manager) (s *session, err error) {
	s = &session{opts: opts, mgr: mgr}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	if s.cluster, err = localcluster.Start(apiServerFlags...); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, func() { _ = s.cluster.Stop() })

	cfg := *s.cluster.Config
	cfg.QPS, cfg.Burst = benchQPS, benchBurst
	if s.client, err = client.New(&cfg, client.Options{Scheme: testenv.Scheme()}); err != nil {
		return nil, err
	}
	if err = s.startFake(); err != nil {
		return nil, err
	}
	watchCtx, cancel := context.WithCancel(ctx)
	s.closers = append(s.closers, cancel)
	if s.watch, err = startWatcher(watchCtx, &cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// startFake serves the fake Vipps server on a free local port.
func (s *session) startFake() error {
	s.fake = fakevipps.NewServer()
	url, stop, err := localcluster.ServeFakeVipps(s.fake)
	if err != nil {
		return err
	}
	s.fakeURL = url
	s.closers = append(s.closers, stop)
	return nil
}

// startOperator starts the manager with the benchmark's flags and the fake allowed.
func (s *session) startOperator(name string) error {
	dir := filepath.Join(testenv.RepoRoot(), "bin", "bench-logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.logPath = filepath.Join(dir, name+".log")
	log, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	flags := append([]string{"--allowed-endpoints=" + s.fakeURL}, s.mgr.flags...)
	op, err := s.cluster.StartOperator(s.mgr.binary, log, flags...)
	if err != nil {
		_ = log.Close()
		return err
	}
	s.op = op
	s.closers = append(s.closers, func() {
		_ = op.Stop()
		_ = log.Close()
	})
	return nil
}

// operatorAlive fails when the manager has exited.
func (s *session) operatorAlive() error {
	if s.op == nil {
		return nil
	}
	select {
	case <-s.op.Exited():
		return fmt.Errorf("the manager exited; see %s", s.logPath)
	default:
		return nil
	}
}

// stop stops everything the session started, the latest first.
func (s *session) stop() {
	for _, closeFn := range slices.Backward(s.closers) {
		closeFn()
	}
	s.closers = nil
}
