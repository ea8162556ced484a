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

package localcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// BuildOperator builds the manager binary into dir and returns its path.
func BuildOperator(ctx context.Context, dir string) (string, error) {
	binary := filepath.Join(dir, "manager")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", binary, "./cmd")
	cmd.Dir = testenv.RepoRoot()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the manager: %w", err)
	}
	return binary, nil
}

// Operator is the manager running as a process of its own, as it runs in a Pod.
type Operator struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	// MetricsURL serves the manager's Prometheus metrics over plain HTTP.
	MetricsURL string
}

// StartOperator runs binary against the cluster with the flags given, its metrics on a free
// local port, and its output written to log.
func (c *Cluster) StartOperator(binary string, log io.Writer, flags ...string) (*Operator, error) {
	metricsAddr, err := freeLocalAddress()
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"--metrics-bind-address=" + metricsAddr, "--metrics-secure=false",
		"--health-probe-bind-address=0",
	}, flags...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the manager: %w", err)
	}
	op := &Operator{cmd: cmd, done: make(chan struct{}), MetricsURL: "http://" + metricsAddr + "/metrics"}
	go func() {
		op.err = cmd.Wait()
		close(op.done)
	}()
	return op, nil
}

// PID is the manager's process ID.
func (o *Operator) PID() int { return o.cmd.Process.Pid }

// Stop asks the manager to shut down, as Kubernetes does, and kills it after a grace period.
func (o *Operator) Stop() error {
	_ = o.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.done:
	case <-time.After(15 * time.Second):
		o.Kill()
	}
	var exit *exec.ExitError
	if errors.As(o.err, &exit) && exit.ExitCode() == -1 {
		return nil // ended by a signal
	}
	return o.err
}

// Signal sends sig to the manager and returns at once.
func (o *Operator) Signal(sig os.Signal) error { return o.cmd.Process.Signal(sig) }

// ExitCode waits for the manager to exit and returns its exit code, -1 when a signal ended it.
func (o *Operator) ExitCode() int {
	<-o.done
	return o.cmd.ProcessState.ExitCode()
}

// Kill ends the manager at once, as kill -9 or a node failure would.
func (o *Operator) Kill() {
	_ = o.cmd.Process.Kill()
	<-o.done
}

// Exited is closed when the manager has exited.
func (o *Operator) Exited() <-chan struct{} { return o.done }

// PeakRSSBytes is the manager's peak resident memory so far (Linux only).
func (o *Operator) PeakRSSBytes() (int64, error) {
	return peakRSS(o.PID())
}

func freeLocalAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}
