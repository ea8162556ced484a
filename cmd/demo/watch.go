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
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// watch prints the VippsTokens and their targets whenever they change, and tells each
// renewal apart. It returns at the first renewal when exitAfterRenewal is set (failing if
// none comes before deadline), when the operator exits, or when ctx ends.
func watch(ctx context.Context, c client.Client, out io.Writer, operatorExited <-chan struct{},
	exitAfterRenewal bool, deadline time.Duration) error {
	var timeout <-chan time.Time
	if deadline > 0 {
		timeout = time.After(deadline)
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()

	firstTokens := map[string]string{} // target name -> the first token seen in it
	lastView := ""
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-operatorExited:
			return fmt.Errorf("the operator exited; see its log")
		case <-timeout:
			return fmt.Errorf("no renewal within %s", deadline)
		case <-tick.C:
		}

		view, targets, err := snapshot(ctx, c)
		if err != nil {
			continue // the API server is busy or the CRD not yet served; try again
		}
		if view != lastView {
			_, _ = fmt.Fprintf(out, "--- %s\n%s\n", time.Now().Format(time.TimeOnly), view)
			lastView = view
		}
		for name, token := range targets {
			first, seen := firstTokens[name]
			switch {
			case !seen:
				firstTokens[name] = token
			case token != first:
				_, _ = fmt.Fprintf(out, "Renewed: Secret %s holds a new token (%s), before the old one expired.\n",
					name, shorten(token))
				firstTokens[name] = token
				if exitAfterRenewal {
					return nil
				}
			}
		}
	}
}

// snapshot renders the VippsTokens like kubectl get, and their targets' keys with every
// secret value shortened. It also returns the token in each target.
func snapshot(ctx context.Context, c client.Client) (string, map[string]string, error) {
	tokens := &tokensv1alpha1.VippsTokenList{}
	if err := c.List(ctx, tokens, client.InNamespace(demoNamespace)); err != nil {
		return "", nil, err
	}
	var b strings.Builder
	table := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(table, "VIPPSTOKEN\tTYPE\tREADY\tREASON\tEXPIRES\tRENEWAL")
	targets := map[string]string{}
	var secretLines []string
	for _, tok := range tokens.Items {
		ready := meta.FindStatusCondition(tok.Status.Conditions, tokensv1alpha1.ConditionReady)
		status, reason := "Unknown", ""
		if ready != nil {
			status, reason = string(ready.Status), ready.Reason
		}
		_, _ = fmt.Fprintf(table, "%s\t%s\t%s\t%s\t%s\t%s\n", tok.Name, tok.Spec.Type, status, reason,
			timeOfDay(tok.Status.ExpiresAt), timeOfDay(tok.Status.RenewalTime))
		for _, target := range tok.Spec.Targets {
			secret := &corev1.Secret{}
			if err := c.Get(ctx, client.ObjectKey{Namespace: demoNamespace, Name: target.Name}, secret); err != nil {
				continue
			}
			targets[target.Name] = string(secret.Data[tokensv1alpha1.KeyAccessToken])
			secretLines = append(secretLines, describeSecret(secret))
		}
	}
	_ = table.Flush()
	return b.String() + strings.Join(secretLines, "\n"), targets, nil
}

// describeSecret lists a target's keys: the token and the subscription key shortened, the
// rest as they are.
func describeSecret(secret *corev1.Secret) string {
	keys := make([]string, 0, len(secret.Data))
	for key := range secret.Data {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, key := range keys {
		value := string(secret.Data[key])
		switch key {
		case tokensv1alpha1.KeyAccessToken, tokensv1alpha1.KeyAuthorization, tokensv1alpha1.KeySubscriptionKey:
			value = shorten(value)
		}
		parts = append(parts, key+"="+value)
	}
	return "  Secret " + secret.Name + ": " + strings.Join(parts, " ")
}

// shorten shows a secret value as its length and a fingerprint: enough to tell a renewed
// token from the old one, nothing to use. (Every JWT starts alike, so a prefix would not do.)
func shorten(value string) string {
	sum := sha256.Sum256([]byte(value))
	return fmt.Sprintf("<%d chars, sha256:%x>", len(value), sum[:4])
}

// timeOfDay is all of a timestamp that a demo of minutes needs.
func timeOfDay(t *metav1.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format(time.TimeOnly)
}
