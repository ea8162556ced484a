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
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	ctrl "sigs.k8s.io/controller-runtime"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// Field indexes of the manager's cache.
const (
	// ownerIndex indexes target Secrets by the name of the VippsToken that controls them.
	ownerIndex = ".metadata.controller.vippstoken"
	// secretsIndex indexes VippsTokens by the names of the Secrets they name: credentials
	// and targets.
	secretsIndex = ".spec.secretNames"
)

// CacheOptions restricts the manager's cache of Secrets to those the operator manages, so
// that its memory follows the number of VippsTokens rather than the size of the cluster.
// Credentials Secrets are watched through a separate metadata-only cache instead.
func CacheOptions(namespaces []string) cache.Options {
	opts := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}: {Label: labels.SelectorFromSet(labels.Set{
				tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue,
			})},
		},
	}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return opts
}

// SetupWithManager registers the indexes and the watches.
func (r *VippsTokenReconciler) SetupWithManager(mgr ctrl.Manager) error {
	ctx := context.Background()
	indexer := mgr.GetFieldIndexer()
	if err := indexer.IndexField(ctx, &corev1.Secret{}, ownerIndex, controllerNameIndex("VippsToken")); err != nil {
		return fmt.Errorf("indexing Secrets by owner: %w", err)
	}
	if err := indexer.IndexField(ctx, &tokensv1alpha1.VippsToken{}, secretsIndex, secretNames); err != nil {
		return fmt.Errorf("indexing VippsTokens by the Secrets they name: %w", err)
	}
	// Watches rather than For and Owns: For's handler ranks a VippsToken by where its event
	// came from, and the urgency of its token must decide (work_priority.go).
	return ctrl.NewControllerManagedBy(mgr).
		// Status writes change neither the generation nor the annotations, so the
		// operator's own status patches do not bring the VippsToken back.
		Watches(&tokensv1alpha1.VippsToken{}, enqueueByUrgency{clock: r.clock}, builder.WithPredicates(
			predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		Watches(&corev1.Secret{}, handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(),
			&tokensv1alpha1.VippsToken{}, handler.OnlyControllerOwner())).
		WatchesRawSource(source.Kind(r.secretMetadataCache, client.Object(secretMetadataObject()),
			handler.EnqueueRequestsFromMapFunc(r.tokensUsingSecret))).
		// VippsTokens that waited for their host, brought back when it answers again.
		WatchesRawSource(source.Func(r.hosts.start)).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: r.maxConcurrentReconciles,
			// The urgency ordering needs the priority queue: said here, not left to a default.
			UsePriorityQueue: new(true),
			NewQueue:         newWorkQueue(mgr.GetLogger()),
			LogConstructor:   reconcileLogger(mgr),
		}).
		Named("vippstoken").
		Complete(r)
}

// enqueueByUrgency enqueues a VippsToken for its own events at the priority workPriority
// gives its status, where For's handler would give every unchanged item of the initial list
// LowPriority and every change 0, however soon the token expires.
type enqueueByUrgency struct{ clock clock.PassiveClock }

var _ handler.EventHandler = enqueueByUrgency{}

func (h enqueueByUrgency) Create(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.add(q, e.Object, e.IsInInitialList)
}

// Update: an update that carries the same resourceVersion is a resync, not a change.
func (h enqueueByUrgency) Update(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.add(q, e.ObjectNew, e.ObjectOld.GetResourceVersion() == e.ObjectNew.GetResourceVersion())
}

// Delete only forgets what the reconciler remembers of the VippsToken: never urgent.
func (h enqueueByUrgency) Delete(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(e.Object)})
}

func (h enqueueByUrgency) Generic(_ context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.add(q, e.Object, false)
}

func (h enqueueByUrgency) add(q workqueue.TypedRateLimitingInterface[reconcile.Request], obj client.Object, unchanged bool) {
	req := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)}
	tok, isToken := obj.(*tokensv1alpha1.VippsToken)
	queue, isPriorityQueue := q.(priorityqueue.PriorityQueue[reconcile.Request])
	if !isToken || !isPriorityQueue {
		q.Add(req)
		return
	}
	now := h.clock.Now()
	priority := workPriority(now, &tok.Status, unchanged)
	queue.AddWithOpts(priorityqueue.AddOpts{Priority: new(priority)}, req)
	if due := requeueAfter(now, tok, false); priority == priorityLow && due > 0 {
		// An item keeps its priority while it waits, also past the moment its token comes due,
		// and a low one waits as long as anything else is queued. Its reconcile schedules an
		// urgent turn for that moment (requeuePriority); until it has run, this timer does. Once
		// it has, the timer's turn merges with the one it scheduled, or finds nothing to do.
		time.AfterFunc(due, func() { queue.AddWithOpts(priorityqueue.AddOpts{Priority: new(priorityUrgent)}, req) })
	}
}

// reconcileLogger names the VippsToken in every line of a reconcile as For would have: the
// controller, its group and kind, and the object under its kind and as namespace and name.
func reconcileLogger(mgr ctrl.Manager) func(*reconcile.Request) logr.Logger {
	gvk := tokensv1alpha1.GroupVersion.WithKind("VippsToken")
	log := mgr.GetLogger().WithValues("controller", "vippstoken", "controllerGroup", gvk.Group, "controllerKind", gvk.Kind)
	return func(req *reconcile.Request) logr.Logger {
		if req == nil {
			return log
		}
		return log.WithValues(gvk.Kind, klog.KRef(req.Namespace, req.Name), "namespace", req.Namespace, "name", req.Name)
	}
}

// newSecretMetadataCache is a cache of every Secret's identity, resourceVersion and
// controller and nothing else: enough to notice that a credentials Secret changed, and to
// see a Secret of somebody else's in a target's way, at a few hundred bytes per Secret
// however large the Secret is.
func newSecretMetadataCache(mgr ctrl.Manager, namespaces []string) (cache.Cache, error) {
	opts := cache.Options{
		Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(),
		DefaultTransform: keepIdentity,
	}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = CacheOptions(namespaces).DefaultNamespaces
	}
	metadataCache, err := cache.New(mgr.GetConfig(), opts)
	if err != nil {
		return nil, fmt.Errorf("creating the metadata cache of Secrets: %w", err)
	}
	// As a cache runnable it starts, and is synced, before any controller.
	if err := mgr.Add(cacheRunnable{metadataCache}); err != nil {
		return nil, err
	}
	return metadataCache, nil
}

// cacheRunnable lets the manager run an extra cache the way it runs its own.
type cacheRunnable struct{ cache.Cache }

func (c cacheRunnable) GetCache() cache.Cache { return c.Cache }

func secretMetadataObject() *metav1.PartialObjectMetadata {
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return obj
}

// keepIdentity drops all metadata of a Secret but what tells it apart, when it changed and
// who controls it.
func keepIdentity(obj any) (any, error) {
	full, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	kept := &metav1.PartialObjectMetadata{
		TypeMeta: full.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{
			Name: full.Name, Namespace: full.Namespace, UID: full.UID, ResourceVersion: full.ResourceVersion,
		},
	}
	if owner := metav1.GetControllerOfNoCopy(full); owner != nil {
		kept.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	return kept, nil
}

// tokensUsingSecret maps a Secret to the VippsTokens that name it: a change to credentials
// brings a new token, and the deletion of a Secret that stood in a target's way lets the
// target be created at once.
func (r *VippsTokenReconciler) tokensUsingSecret(ctx context.Context, secret client.Object) []reconcile.Request {
	list := &tokensv1alpha1.VippsTokenList{}
	if err := r.client.List(ctx, list, client.InNamespace(secret.GetNamespace()),
		client.MatchingFields{secretsIndex: secret.GetName()}); err != nil {
		return nil
	}
	requests := make([]reconcile.Request, 0, len(list.Items))
	for _, tok := range list.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&tok)})
	}
	return requests
}

// controllerOfKind is obj's controller when that is a kind of this API group, else nil.
func controllerOfKind(obj metav1.Object, kind string) *metav1.OwnerReference {
	owner := metav1.GetControllerOfNoCopy(obj)
	if owner == nil || owner.Kind != kind || owner.APIVersion != tokensv1alpha1.GroupVersion.String() {
		return nil
	}
	return owner
}

// controllerNameIndex indexes objects by the name of their controller of kind.
func controllerNameIndex(kind string) client.IndexerFunc {
	return func(obj client.Object) []string {
		if owner := controllerOfKind(obj, kind); owner != nil {
			return []string{owner.Name}
		}
		return nil
	}
}

func secretNames(obj client.Object) []string {
	spec := &obj.(*tokensv1alpha1.VippsToken).Spec
	names := make([]string, 0, 1+len(spec.Targets))
	names = append(names, spec.CredentialsSecretRef.Name)
	for _, target := range spec.Targets {
		names = append(names, target.Name)
	}
	return names
}
