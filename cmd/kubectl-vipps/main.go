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

// Command kubectl-vipps is the kubectl plugin "kubectl vipps", for the people who operate the
// tokens of vipps-token-operator: status, renew and inspect. Install it on the PATH with
//
//	go install github.com/vipps-token-operator/vipps-token-operator/cmd/kubectl-vipps@latest
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	// Import all Kubernetes client auth plugins (e.g. Azure, GCP, OIDC), as kubectl does.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"github.com/vipps-token-operator/vipps-token-operator/internal/kubectlvipps"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if err := kubectlvipps.Execute(ctx, kubectlvipps.NewOptions(streams), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		stop()
		os.Exit(1)
	}
}
