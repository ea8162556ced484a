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
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func newRenewCommand(o *Options) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "renew (NAME | KIND/NAME)... | --all",
		Short: "Request a new token now, once per call",
		Long: "renew sets the " + tokensv1alpha1.AnnotationRefresh + " annotation to a value of its own,\n" +
			"the time of the call, so that the operator requests one new token for each call,\n" +
			"also when a request is still backing off after a failure. A bare NAME is a VippsToken;\n" +
			"a ClusterVippsToken is clustervippstoken/NAME (or cvt/NAME), whatever the namespace.\n\n" +
			"--all renews every VippsToken in the namespace, and no ClusterVippsToken: the token of\n" +
			"one serves every namespace it selects, so renew it by its name. The VippsToken that a\n" +
			"ClusterVippsToken makes in the cluster resource namespace is renewed through it only.",
		Example: "  kubectl vipps renew webshop\n  kubectl vipps renew --all -n payments\n" +
			"  kubectl vipps renew clustervippstoken/shared",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return errors.New("give the names of tokens or --all, not both")
			case !all && len(args) == 0:
				return errors.New("give the name of a token to renew, or --all for every VippsToken in the namespace")
			}
			return o.renew(cmd.Context(), args, all)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "renew every VippsToken in the namespace (no ClusterVippsToken)")
	return cmd
}

// tokenRef is one token to renew.
type tokenRef struct {
	kind *tokenKind
	name string
}

func (o *Options) renew(ctx context.Context, names []string, all bool) error {
	c, ns, err := o.clientAndNamespace()
	if err != nil {
		return err
	}
	refs, err := renewTargets(ctx, c, ns, names, all)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		_, err := fmt.Fprintf(o.IOStreams.ErrOut, "No tokens found in the %s namespace.\n", ns)
		return err
	}
	// One value for the call: each token gets one refresh from it, and the next call's
	// value differs, so that it gets another.
	value := o.Now().UTC().Format(time.RFC3339Nano)
	var errs []error
	for _, ref := range refs {
		if err := requestRefresh(ctx, c, ns, ref, value); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := fmt.Fprintf(o.IOStreams.Out, "%s/%s: refresh requested (%s=%s)\n",
			ref.kind.names[0], ref.name, tokensv1alpha1.AnnotationRefresh, value); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// renewTargets are the tokens that names say, or with all every namespaced token in ns: a
// cluster-scoped token serves other namespaces too, which renewing one namespace must not touch.
func renewTargets(ctx context.Context, c client.Reader, ns string, names []string, all bool) ([]tokenRef, error) {
	var refs []tokenRef
	if all {
		tokens, _, err := listTokens(ctx, c, namespacedKinds(), ns, false)
		if err != nil {
			return nil, err
		}
		for _, t := range tokens {
			refs = append(refs, tokenRef{kind: t.kind, name: t.name})
		}
		return refs, nil
	}
	for _, n := range names {
		kind, name, err := parseTokenRef(n)
		if err != nil {
			return nil, err
		}
		refs = append(refs, tokenRef{kind: kind, name: name})
	}
	return refs, nil
}

// requestRefresh sets the refresh annotation of the token ref to value. The patch holds the
// annotation only, so that it never undoes another change made meanwhile.
func requestRefresh(ctx context.Context, c client.Client, ns string, ref tokenRef, value string) error {
	obj := ref.kind.newObject()
	key := client.ObjectKey{Name: ref.name}
	if ref.kind.namespaced {
		key.Namespace = ns
	}
	if err := c.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return notFound(ref, key.Namespace)
		}
		return explain(err, ref.kind.kind)
	}
	if obj.GetDeletionTimestamp() != nil {
		return fmt.Errorf("%s/%s is being deleted; the operator refreshes it no more", ref.kind.names[0], ref.name)
	}
	// The operator copies a ClusterVippsToken's refresh annotation onto its VippsToken, over a
	// value of the VippsToken's own, and each change of value brings a refresh: the
	// ClusterVippsToken's is the one to set.
	if owner := clusterTokenOf(obj); owner != "" {
		cvt := clusterVippsTokenKind.names[0] + "/" + owner
		return fmt.Errorf("%s/%s is the token of %s, which sets its refresh annotation: renew %s",
			ref.kind.names[0], ref.name, cvt, cvt)
	}
	patch := client.MergeFrom(obj.DeepCopyObject().(client.Object))
	annotations := obj.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[tokensv1alpha1.AnnotationRefresh] = value
	obj.SetAnnotations(annotations)
	if err := c.Patch(ctx, obj, patch, fieldOwner); err != nil {
		if apierrors.IsNotFound(err) {
			return notFound(ref, key.Namespace)
		}
		return fmt.Errorf("requesting a refresh of %s/%s: %w", ref.kind.names[0], ref.name, err)
	}
	return nil
}

// notFound says that ref does not exist, and where it was looked for.
func notFound(ref tokenRef, ns string) error {
	if ns == "" {
		return fmt.Errorf("%s %q not found", ref.kind.kind, ref.name)
	}
	return fmt.Errorf("%s %q not found in the %s namespace", ref.kind.kind, ref.name, ns)
}
