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
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func newStatusCommand(o *Options) *cobra.Command {
	var allNamespaces bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show every token's readiness, reason, time left and time to renewal",
		Long: "status lists the tokens in the namespace (every namespace with -A): whether the targets\n" +
			"hold a valid token and why not, how long the token has left and how long until the\n" +
			"operator requests the next one, in human units.",
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
	tokens, err := listTokens(ctx, c, ns, allNamespaces)
	if err != nil {
		return err
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

// listTokens returns the tokens of every kind in namespace, or in all namespaces, sorted by
// namespace and name. Cluster-scoped kinds are listed whatever the namespace.
func listTokens(ctx context.Context, c client.Reader, namespace string, allNamespaces bool) ([]tokenSummary, error) {
	var tokens []tokenSummary
	for _, k := range kinds {
		var opts []client.ListOption
		if k.namespaced && !allNamespaces {
			opts = append(opts, client.InNamespace(namespace))
		}
		found, err := k.list(ctx, c, opts...)
		if err != nil {
			return nil, explain(err, k.kind)
		}
		for i := range found {
			found[i].kind = k
		}
		tokens = append(tokens, found...)
	}
	slices.SortFunc(tokens, func(a, b tokenSummary) int {
		return cmp.Or(cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.name, b.name),
			cmp.Compare(a.kind.kind, b.kind.kind))
	})
	return tokens, nil
}
