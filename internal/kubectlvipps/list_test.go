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
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// failingLists is a client that holds the VippsToken shop/webshop and answers a list of the
// kinds in fail with their error.
func failingLists(t *testing.T, fail map[string]error) client.Reader {
	t.Helper()
	s, err := scheme()
	if err != nil {
		t.Fatal(err)
	}
	webshop := &tokensv1alpha1.VippsToken{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "webshop"}}
	return fakeclient.NewClientBuilder().WithScheme(s).WithObjects(webshop).WithInterceptorFuncs(interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			gvk, err := c.GroupVersionKindFor(list)
			if err != nil {
				return err
			}
			if err, found := fail[strings.TrimSuffix(gvk.Kind, "List")]; found {
				return err
			}
			return c.List(ctx, list, opts...)
		},
	}).Build()
}

func TestListTokensGoesOnWithoutAnOptionalKind(t *testing.T) {
	noMatch := &apimeta.NoKindMatchError{GroupKind: schema.GroupKind{Group: tokensv1alpha1.GroupVersion.Group}}
	forbidden := func(resource string) error {
		return apierrors.NewForbidden(tokensv1alpha1.GroupVersion.WithResource(resource).GroupResource(), "",
			errors.New("namespace-reader may not list them"))
	}
	tests := []struct {
		name         string
		fail         map[string]error
		wantUnlisted string
		wantErr      string
	}{
		{name: "a cluster without the ClusterVippsToken CRD", fail: map[string]error{"ClusterVippsToken": noMatch}},
		{name: "a user who may not list ClusterVippsTokens",
			fail:         map[string]error{"ClusterVippsToken": forbidden("clustervippstokens")},
			wantUnlisted: "ClusterVippsTokens are not shown: " + forbidden("clustervippstokens").Error()},
		{name: "a cluster without the VippsToken CRD", fail: map[string]error{"VippsToken": noMatch},
			wantErr: "this cluster has no VippsToken resource: is vipps-token-operator's CRD installed?"},
		{name: "a user who may not list VippsTokens", fail: map[string]error{"VippsToken": forbidden("vippstokens")},
			wantErr: forbidden("vippstokens").Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens, unlisted, err := listTokens(context.Background(), failingLists(t, tt.fail), kinds, "shop", false)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("listTokens() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("listTokens() error = %v", err)
			}
			if len(tokens) != 1 || tokens[0].name != "webshop" {
				t.Errorf("listTokens() = %v, want the VippsToken webshop", tokens)
			}
			var got string
			if len(unlisted) > 0 {
				got = errors.Join(unlisted...).Error()
			}
			if got != tt.wantUnlisted {
				t.Errorf("listTokens() unlisted = %q, want %q", got, tt.wantUnlisted)
			}
		})
	}
}
