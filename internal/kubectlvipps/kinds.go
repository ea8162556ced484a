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
	"slices"
	"strings"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// tokenKind is a kind of resource that holds a token's settings and status. The commands
// work through kinds, so that a kind of token is one entry there.
type tokenKind struct {
	// kind is the Kind, as errors and the Secret's owner name it.
	kind string
	// names are what a user may type for it in KIND/NAME, the first the one printed.
	names []string
	// namespaced is whether the resource lives in a namespace; one that does not is listed
	// whatever the namespace, and named KIND/NAME.
	namespaced bool
	// optional is whether the commands go on without the kind when the cluster lacks it or the
	// user may not list it: ClusterVippsToken came after VippsToken, and a user who may read
	// only a namespace may list no cluster-scoped resource.
	optional bool
	// newObject returns an empty object of the kind.
	newObject func() client.Object
	// list returns the summaries of the tokens that opts select; listTokens sets their kind.
	list func(ctx context.Context, c client.Reader, opts ...client.ListOption) ([]tokenSummary, error)
}

// tokenSummary is what status shows of a token, of whatever kind.
type tokenSummary struct {
	kind      *tokenKind // set by listTokens
	namespace string
	name      string
	// ready and reason are the Ready condition's status and reason; "" when it has none.
	ready, reason string
	// expiresAt, renewalTime and nextRetryTime are the status times; nil when unset.
	expiresAt, renewalTime, nextRetryTime *metav1.Time
	// failures is the number of token requests that failed in a row.
	failures int32
	// targets says where the token is written, as the kind describes its targets.
	targets string
}

var vippsTokenKind = tokenKind{
	kind:       "VippsToken",
	names:      []string{"vippstoken", "vippstokens", "vt", "vtoken"},
	namespaced: true,
	newObject:  func() client.Object { return &tokensv1alpha1.VippsToken{} },
	list: func(ctx context.Context, c client.Reader, opts ...client.ListOption) ([]tokenSummary, error) {
		var list tokensv1alpha1.VippsTokenList
		if err := c.List(ctx, &list, opts...); err != nil {
			return nil, err
		}
		summaries := make([]tokenSummary, 0, len(list.Items))
		for i := range list.Items {
			// A ClusterVippsToken's VippsToken is shown, and renewed, as the ClusterVippsToken.
			if clusterTokenOf(&list.Items[i]) == "" {
				summaries = append(summaries, summarizeVippsToken(&list.Items[i]))
			}
		}
		return summaries, nil
	},
}

var clusterVippsTokenKind = tokenKind{
	kind:      "ClusterVippsToken",
	names:     []string{"clustervippstoken", "clustervippstokens", "cvt", "cvtoken"},
	optional:  true,
	newObject: func() client.Object { return &tokensv1alpha1.ClusterVippsToken{} },
	list: func(ctx context.Context, c client.Reader, opts ...client.ListOption) ([]tokenSummary, error) {
		var list tokensv1alpha1.ClusterVippsTokenList
		if err := c.List(ctx, &list, opts...); err != nil {
			return nil, err
		}
		summaries := make([]tokenSummary, 0, len(list.Items))
		for i := range list.Items {
			summaries = append(summaries, summarizeClusterVippsToken(&list.Items[i]))
		}
		return summaries, nil
	},
}

// kinds are the token kinds the commands know.
var kinds = []*tokenKind{&vippsTokenKind, &clusterVippsTokenKind}

// summarizeVippsToken is what status shows of tok.
func summarizeVippsToken(tok *tokensv1alpha1.VippsToken) tokenSummary {
	s := summarize(tok, tok.Status.Conditions, &tok.Status.TokenStatus)
	names := make([]string, 0, len(tok.Spec.Targets))
	for _, t := range tok.Spec.Targets {
		names = append(names, t.Name)
	}
	s.targets = strings.Join(names, ",")
	return s
}

// summarizeClusterVippsToken is what status shows of cvt: its one target, and how many of the
// selected namespaces hold the token.
func summarizeClusterVippsToken(cvt *tokensv1alpha1.ClusterVippsToken) tokenSummary {
	st := &cvt.Status
	s := summarize(cvt, st.Conditions, &st.TokenStatus)
	s.targets = fmt.Sprintf("%s in %d of %d namespaces, %d failing",
		cvt.Spec.Target.Name, st.Namespaces.Ready, st.Namespaces.Selected, st.Namespaces.Failing)
	return s
}

// summarize is what status shows of every kind of token, from its metadata, its conditions
// and the token status that every kind has.
func summarize(obj metav1.Object, conditions []metav1.Condition, st *tokensv1alpha1.TokenStatus) tokenSummary {
	s := tokenSummary{
		namespace:     obj.GetNamespace(),
		name:          obj.GetName(),
		expiresAt:     st.ExpiresAt,
		renewalTime:   st.RenewalTime,
		nextRetryTime: st.NextRetryTime,
		failures:      st.FailureCount,
	}
	if ready := apimeta.FindStatusCondition(conditions, tokensv1alpha1.ConditionReady); ready != nil {
		s.ready, s.reason = string(ready.Status), ready.Reason
	}
	return s
}

// clusterTokenOf is the name of the ClusterVippsToken that controls obj, "" when none does:
// the operator makes a ClusterVippsToken's VippsToken and its targets so.
func clusterTokenOf(obj metav1.Object) string {
	owner := metav1.GetControllerOfNoCopy(obj)
	if owner == nil || owner.Kind != clusterVippsTokenKind.kind ||
		owner.APIVersion != tokensv1alpha1.GroupVersion.String() {
		return ""
	}
	return owner.Name
}

// kindNamed returns the kind that name (vippstoken, vt, ...) stands for.
func kindNamed(name string) (*tokenKind, error) {
	lower := strings.ToLower(name)
	for _, k := range kinds {
		if slices.Contains(k.names, lower) || strings.EqualFold(k.kind, name) {
			return k, nil
		}
	}
	known := make([]string, 0, len(kinds))
	for _, k := range kinds {
		known = append(known, k.names[0])
	}
	return nil, fmt.Errorf("%q is not a kind of token; the kinds are %s", name, strings.Join(known, ", "))
}

// parseTokenRef reads NAME or KIND/NAME; a bare NAME is a VippsToken.
func parseTokenRef(ref string) (*tokenKind, string, error) {
	kindName, name, found := strings.Cut(ref, "/")
	if !found {
		return &vippsTokenKind, ref, nil
	}
	if name == "" {
		return nil, "", fmt.Errorf("%q names no token: write NAME or KIND/NAME", ref)
	}
	kind, err := kindNamed(kindName)
	return kind, name, err
}
