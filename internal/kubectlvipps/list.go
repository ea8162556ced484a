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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// listTokens returns the tokens of the kinds of, in namespace or in all namespaces, sorted by
// namespace and name. Cluster-scoped kinds are listed whatever the namespace. An optional kind
// that the cluster lacks is left out, as one the user may not list is, which unlisted says.
func listTokens(ctx context.Context, c client.Reader, of []*tokenKind, namespace string, allNamespaces bool) (
	tokens []tokenSummary, unlisted []error, err error) {
	for _, k := range of {
		var opts []client.ListOption
		if k.namespaced && !allNamespaces {
			opts = append(opts, client.InNamespace(namespace))
		}
		found, err := k.list(ctx, c, opts...)
		switch {
		case err == nil:
		case k.optional && apimeta.IsNoMatchError(err):
			continue // an operator from before the kind: there are none
		case k.optional && apierrors.IsForbidden(err):
			unlisted = append(unlisted, fmt.Errorf("%ss are not shown: %w", k.kind, err))
			continue
		default:
			return nil, nil, explain(err, k.kind)
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
	return tokens, unlisted, nil
}

// namespacedKinds are the kinds whose tokens live in a namespace.
func namespacedKinds() []*tokenKind {
	return slices.DeleteFunc(slices.Clone(kinds), func(k *tokenKind) bool { return !k.namespaced })
}
