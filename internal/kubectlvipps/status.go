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
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newStatusCommand(o *Options) *cobra.Command {
	var allNamespaces bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every token's readiness, reason, time left and time to renewal",
		Long: "status lists the tokens in the namespace (every namespace with -A) and the\n" +
			"ClusterVippsTokens, which belong to no namespace: whether the targets hold a valid token\n" +
			"and why not, how long the token has left and how long until the operator requests the\n" +
			"next one, in human units. A ClusterVippsToken's targets say how many of the namespaces\n" +
			"it selects hold its token and how many fail; its VippsToken, in the cluster resource\n" +
			"namespace, is not listed apart from it. Without the right to list ClusterVippsTokens,\n" +
			"status warns and lists the VippsTokens.",
		Example: "  kubectl vipps status\n  kubectl vipps status -A",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.status(cmd.Context(), allNamespaces)
		},
	}
	cmd.Flags().BoolVarP(&allNamespaces, "all-namespaces", "A", false, "list the tokens of every namespace")
	return cmd
}

func (o *Options) status(ctx context.Context, allNamespaces bool) error {
	c, ns, err := o.clientAndNamespace()
	if err != nil {
		return err
	}
	tokens, unlisted, err := listTokens(ctx, c, kinds, ns, allNamespaces)
	if err != nil {
		return err
	}
	for _, why := range unlisted {
		if _, err := fmt.Fprintf(o.IOStreams.ErrOut, "Warning: %v\n", why); err != nil {
			return err
		}
	}
	if len(tokens) == 0 {
		where := "any namespace"
		if !allNamespaces {
			where = fmt.Sprintf("the %s namespace", ns)
		}
		_, err := fmt.Fprintf(o.IOStreams.ErrOut, "No tokens found in %s.\n", where)
		return err
	}
	return printStatus(o.IOStreams.Out, o.Now(), tokens, allNamespaces)
}
