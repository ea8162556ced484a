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
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

func newInspectCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect TARGET",
		Short: "Show the claims of the token in a target Secret, never the token",
		Long: "inspect reads the target Secret TARGET and shows the claims of the token it holds: issuer,\n" +
			"audience, subject and the times it holds, decoded without verifying the signature, and\n" +
			"the expiry that the operator recorded. It never prints the token or any part of it.",
		Example: "  kubectl vipps inspect vipps-token -n payments",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.inspect(cmd.Context(), args[0])
		},
	}
}

func (o *Options) inspect(ctx context.Context, target string) error {
	c, ns, err := o.clientAndNamespace()
	if err != nil {
		return err
	}
	var secret corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: target}, &secret); err != nil {
		if apierrors.IsNotFound(err) {
			return secretNotFound(ctx, c, ns, target)
		}
		return err
	}
	token, ok := heldToken(&secret)
	if !ok {
		return fmt.Errorf("the Secret %s/%s holds no %s or %s key: is it the target of a token?",
			ns, target, tokensv1alpha1.KeyAccessToken, tokensv1alpha1.KeyAuthorization)
	}
	claims, isJWT := decodeClaims(token)
	return printInspection(o.IOStreams.Out, o.Now(), &secret, claims, isJWT)
}

// secretNotFound says that the Secret target is not in ns and, when a token of that name is,
// which Secrets are its targets: a token's name is the likeliest mistake.
func secretNotFound(ctx context.Context, c client.Reader, ns, target string) error {
	err := fmt.Errorf("no Secret %q in the %s namespace", target, ns)
	tokens, _, listErr := listTokens(ctx, c, kinds, ns, false)
	if listErr != nil {
		return err
	}
	for _, t := range tokens {
		if t.name == target {
			return fmt.Errorf("%w; %s/%s is a token, whose targets are: %s", err, t.kind.names[0], t.name, t.targets)
		}
	}
	return err
}

// heldToken is the token that secret holds: its access-token, or else its authorization
// without the "Bearer " in front.
func heldToken(secret *corev1.Secret) (string, bool) {
	if token := string(secret.Data[tokensv1alpha1.KeyAccessToken]); token != "" {
		return token, true
	}
	authorization := string(secret.Data[tokensv1alpha1.KeyAuthorization])
	token, found := strings.CutPrefix(authorization, "Bearer ")
	return token, found && token != ""
}

// printInspection writes what inspect shows of secret and of the claims of its token (isJWT
// false: an opaque token, whose claims cannot be read) to w. Nothing it writes is taken from
// the token but the decoded claims.
func printInspection(w io.Writer, now time.Time, secret *corev1.Secret, claims tokenClaims, isJWT bool) error {
	tw := printers.GetNewTabWriter(w)
	line := func(label, value string) { _, _ = fmt.Fprintf(tw, "%s:\t%s\n", label, value) }

	line("Secret", secret.Namespace+"/"+secret.Name)
	line("Managed by", managedBy(secret))
	line("Data keys", strings.Join(slices.Sorted(maps.Keys(secret.Data)), ", "))
	if isJWT {
		line("Token", fmt.Sprintf("JWT signed with %s; the token and its signature are not shown", orNone(claims.algorithm)))
		line("Issuer", orNone(claims.issuer))
		line("Audience", orNone(strings.Join(claims.audience, ", ")))
		if claims.subject != "" {
			line("Subject", claims.subject)
		}
		line("Issued at", timeAndWhen(now, claims.issuedAt, untilOrAgo))
		line("Not before", timeAndWhen(now, claims.notBefore, untilOrAgo))
		line("Expires", timeAndWhen(now, claims.expiry, expiresWhen))
	} else {
		line("Token", "not a JWT (an opaque token): it has no claims to show; the token is not shown")
	}
	line("Operator's expiry", annotatedTime(now, secret, tokensv1alpha1.AnnotationExpiresAt, expiresWhen))
	line("Operator's request", annotatedTime(now, secret, tokensv1alpha1.AnnotationIssuedAt, untilOrAgo))
	return tw.Flush()
}

// managedBy says who wrote secret: the operator for the token its controller owner names,
// or somebody else. A ClusterVippsToken's targets are owned by it; the source they are copied
// from is owned by its VippsToken, which the label names the ClusterVippsToken of.
func managedBy(secret *corev1.Secret) string {
	if secret.Labels[tokensv1alpha1.LabelManagedBy] != tokensv1alpha1.ManagedByValue {
		return "not vipps-token-operator (no " + tokensv1alpha1.LabelManagedBy + "=" +
			tokensv1alpha1.ManagedByValue + " label)"
	}
	owner := metav1.GetControllerOf(secret)
	if owner == nil {
		return tokensv1alpha1.ManagedByValue
	}
	by := fmt.Sprintf("%s, for %s %s", tokensv1alpha1.ManagedByValue, owner.Kind, owner.Name)
	if cvt := secret.Labels[tokensv1alpha1.LabelClusterVippsToken]; cvt != "" && owner.Kind == vippsTokenKind.kind {
		by += ", the token of " + clusterVippsTokenKind.kind + " " + cvt
	}
	return by
}

// timeAndWhen is t in RFC 3339 and, through when, relative to now; none when t is nil.
func timeAndWhen(now time.Time, t *time.Time, when func(now, t time.Time) string) string {
	if t == nil {
		return none
	}
	return fmt.Sprintf("%s (%s)", t.UTC().Format(time.RFC3339), when(now, *t))
}

// annotatedTime is the RFC 3339 time in secret's annotation key, shown as timeAndWhen shows it.
func annotatedTime(now time.Time, secret *corev1.Secret, key string, when func(now, t time.Time) string) string {
	value, found := secret.Annotations[key]
	if !found {
		return none + " (no " + key + " annotation)"
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return fmt.Sprintf("%q is not an RFC 3339 time (%s annotation)", value, key)
	}
	return timeAndWhen(now, &t, when) + ", " + key
}
