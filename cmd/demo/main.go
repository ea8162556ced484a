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

// Command demo shows the operator at work on this machine alone: a local control plane, the
// fake Vipps server, the operator as its own process, and the samples applied. It prints the
// VippsTokens and their target Secrets as they change, until Ctrl-C (or, with
// --exit-after-renewal, until the first renewal).
//
//	make demo
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

type options struct {
	exitAfterRenewal bool
	lifetime         time.Duration
}

func main() {
	var opts options
	flag.BoolVar(&opts.exitAfterRenewal, "exit-after-renewal", os.Getenv("DEMO_EXIT_AFTER_RENEWAL") != "",
		"Exit with status 0 after the first renewal (also DEMO_EXIT_AFTER_RENEWAL=1).")
	flag.DurationVar(&opts.lifetime, "token-lifetime", time.Minute,
		"The lifetime of the fake's tokens; the operator renews when about a third remains.")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, opts options, out io.Writer) error {
	say := func(format string, args ...any) { _, _ = fmt.Fprintf(out, format+"\n", args...) }

	say("Starting a local control plane (kube-apiserver and etcd). The first run on a machine builds")
	say("them from the Go module proxy, about 10 to 15 minutes on 2 cores; later runs start in seconds.")
	cluster, err := localcluster.Start()
	if err != nil {
		return err
	}
	defer func() { _ = cluster.Stop() }()

	fake, err := fakevipps.Serve("127.0.0.1:0", fakevipps.NewServer(fakevipps.WithLifetime(opts.lifetime)))
	if err != nil {
		return err
	}
	defer fake.Close()
	fakeURL := fake.URL
	say("The fake Vipps server listens on %s and issues tokens that live %s.", fakeURL, opts.lifetime)

	say("Building and starting the operator.")
	binary, err := localcluster.BuildOperator(ctx, cluster.Dir)
	if err != nil {
		return err
	}
	logPath := filepath.Join(cluster.Dir, "operator.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	operator, err := cluster.StartOperator(binary, logFile, "--allowed-endpoints="+fakeURL)
	if err != nil {
		return err
	}
	defer func() { _ = operator.Stop() }()
	say("The operator runs as process %d; its log is %s.", operator.PID(), logPath)

	if err := applySamples(ctx, cluster.Client, fakeURL); err != nil {
		return err
	}
	say("Applied config/samples: a credentials Secret, a Standard and a Partner VippsToken, pointed at the fake.")
	say("")
	say("In another terminal:  export KUBECONFIG=%s", cluster.Kubeconfig)
	say("                      %s get vippstokens,secrets", cluster.KubectlPath())
	say("Press Ctrl-C to stop; everything started here stops with it.")
	say("")

	deadline := time.Duration(0)
	if opts.exitAfterRenewal {
		deadline = 2*opts.lifetime + time.Minute
	}
	err = watch(ctx, cluster.Client, out, operator.Exited(), opts.exitAfterRenewal, deadline)
	if errors.Is(err, context.Canceled) {
		say("\nStopping the operator, the fake Vipps server and the control plane.")
		return nil
	}
	return err
}
