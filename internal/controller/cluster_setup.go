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

package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	ctrl "sigs.k8s.io/controller-runtime"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// clusterOwnerIndex indexes Secrets by the name of the ClusterVippsToken that controls them.
const clusterOwnerIndex = ".metadata.controller.clustervippstoken"

// SetupWithManager registers the index and the watches.
func (r *ClusterVippsTokenReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &corev1.Secret{}, clusterOwnerIndex,
		controllerNameIndex("ClusterVippsToken")); err != nil {
		return fmt.Errorf("indexing Secrets by ClusterVippsToken: %w", err)
	}
	toAll := handler.EnqueueRequestsFromMapFunc(r.allClusterTokens)
	return ctrl.NewControllerManagedBy(mgr).
		// Status writes change neither the generation nor the annotations.
		For(&tokensv1alpha1.ClusterVippsToken{}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		// The VippsToken's status carries every renewal and failure.
		Owns(&tokensv1alpha1.VippsToken{}).
		// The source and the targets, all labelled with the ClusterVippsToken's name.
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(clusterTokenOfSecret)).
		// A namespace created, deleted or relabelled may start or stop matching a selector.
		Watches(&corev1.Namespace{}, toAll, builder.OnlyMetadata).
		// A Secret of somebody else's in a target's place, deleted, frees the place.
		WatchesRawSource(source.Kind(r.secretMetadataCache, client.Object(secretMetadataObject()),
			handler.EnqueueRequestsFromMapFunc(r.clusterTokensTargeting))).
		Named("clustervippstoken").
		Complete(r)
}

// clusterTokenOfSecret maps a source or target Secret to its ClusterVippsToken.
func clusterTokenOfSecret(_ context.Context, secret client.Object) []reconcile.Request {
	name, ok := secret.GetLabels()[tokensv1alpha1.LabelClusterVippsToken]
	if !ok {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Name: name}}}
}

// allClusterTokens maps anything to every ClusterVippsToken: a cluster has few of them.
func (r *ClusterVippsTokenReconciler) allClusterTokens(ctx context.Context, _ client.Object) []reconcile.Request {
	return r.clusterTokens(ctx, func(*tokensv1alpha1.ClusterVippsToken) bool { return true })
}

// clusterTokensTargeting maps a Secret to the ClusterVippsTokens whose target has its name.
func (r *ClusterVippsTokenReconciler) clusterTokensTargeting(ctx context.Context, secret client.Object) []reconcile.Request {
	return r.clusterTokens(ctx, func(cvt *tokensv1alpha1.ClusterVippsToken) bool {
		return cvt.Spec.Target.Name == secret.GetName()
	})
}

func (r *ClusterVippsTokenReconciler) clusterTokens(ctx context.Context,
	match func(*tokensv1alpha1.ClusterVippsToken) bool) []reconcile.Request {
	list := &tokensv1alpha1.ClusterVippsTokenList{}
	if err := r.client.List(ctx, list); err != nil {
		return nil
	}
	var requests []reconcile.Request
	for i := range list.Items {
		if match(&list.Items[i]) {
			requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKey{Name: list.Items[i].Name}})
		}
	}
	return requests
}
