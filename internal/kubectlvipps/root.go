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

// Package kubectlvipps is the kubectl plugin "kubectl vipps" for the people who operate
// tokens: status shows every token's readiness and times in human units, renew requests a
// refresh, and inspect shows the claims of the token a target Secret holds, never the token.
//
// Each command has its file; kinds.go says which resources are tokens (VippsToken and
// ClusterVippsToken), so that a kind is one entry there, list.go lists them for every command,
// and render.go formats what the commands print.
package kubectlvipps

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// fieldOwner names the plugin as the manager of the fields it writes.
const fieldOwner = client.FieldOwner("kubectl-vipps")

// Options is what every command shares: the kubeconfig flags, where to print and the clock.
type Options struct {
	// ConfigFlags are kubectl's --kubeconfig, --context, --namespace and the rest.
	ConfigFlags *genericclioptions.ConfigFlags
	// IOStreams are where the commands print.
	IOStreams genericiooptions.IOStreams
	// Now is the clock that times are shown against; time.Now unless a test sets it.
	Now func() time.Time
}

// NewOptions returns Options for kubectl's flags, printing to streams.
func NewOptions(streams genericiooptions.IOStreams) *Options {
	return &Options{
		ConfigFlags: genericclioptions.NewConfigFlags(true),
		IOStreams:   streams,
		Now:         time.Now,
	}
}

// NewCommand returns the root command, "kubectl vipps", with its subcommands.
func NewCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kubectl-vipps",
		Short: "Operate the Vipps MobilePay tokens that vipps-token-operator keeps fresh",
		Long: "kubectl vipps shows how the tokens of vipps-token-operator stand, requests refreshes,\n" +
			"and shows the claims of the token in a target Secret without ever printing the token.",
		Annotations: map[string]string{
			// cobra prints "kubectl vipps" rather than "kubectl-vipps" in usage lines.
			cobra.CommandDisplayNameAnnotation: "kubectl vipps",
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		// kubectl completes a plugin's arguments through a kubectl_complete-vipps script, not this.
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
	}
	cmd.SetIn(o.IOStreams.In)
	cmd.SetOut(o.IOStreams.Out)
	cmd.SetErr(o.IOStreams.ErrOut)
	o.ConfigFlags.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(newStatusCommand(o), newRenewCommand(o), newInspectCommand(o))
	return cmd
}

// Execute runs the command line args against o and returns the error it ended with.
func Execute(ctx context.Context, o *Options, args []string) error {
	cmd := NewCommand(o)
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}

// scheme knows the built-in kinds and the operator's.
func scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, tokensv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// newClient returns a client of the cluster that the kubeconfig flags select.
func (o *Options) newClient() (client.Client, error) {
	cfg, err := o.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	s, err := scheme()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: s})
}

// namespace is the namespace that the flags or the kubeconfig's context select.
func (o *Options) namespace() (string, error) {
	ns, _, err := o.ConfigFlags.ToRawKubeConfigLoader().Namespace()
	return ns, err
}

// clientAndNamespace returns both, for the commands that need both.
func (o *Options) clientAndNamespace() (client.Client, string, error) {
	c, err := o.newClient()
	if err != nil {
		return nil, "", err
	}
	ns, err := o.namespace()
	if err != nil {
		return nil, "", err
	}
	return c, ns, nil
}

// explain turns the error of a request for kind into one that says what to do, when the
// cluster does not know the kind: the operator's CRD is not installed.
func explain(err error, kind string) error {
	if meta.IsNoMatchError(err) {
		return fmt.Errorf("this cluster has no %s resource: is vipps-token-operator's CRD installed? (%w)", kind, err)
	}
	return err
}
