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
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
)

// watcher follows the target Secrets (by the managed-by label) and the VippsTokens.
type watcher struct {
	mu   sync.Mutex
	seen view
}

// view is what the watch has seen, by VippsToken key ("namespace/name").
type view struct {
	populated    map[string]time.Time // when its target first held a token
	ready        map[string]bool      // whether it is Ready
	held         map[string]heldToken // the token its target holds
	renewalTimes map[expiry]time.Time // the renewalTime status gave each token
	changes      []tokenChange        // every replacement of a target's token, in order
	secretWrites int                  // the creations and changes of Secrets that hold a token
}

// expiry names one token of a VippsToken by its expiry (Unix seconds).
type expiry struct {
	key  string
	unix int64
}

// heldToken is a token in a target: the token and when it was issued and expires.
type heldToken struct {
	token           string
	issued, expires time.Time
}

// tokenChange is a target whose token was replaced, when it was seen, and the old token.
type tokenChange struct {
	key  string
	seen time.Time
	old  heldToken
}

func startWatcher(ctx context.Context, cfg *rest.Config) (*watcher, error) {
	w := &watcher{seen: view{populated: map[string]time.Time{}, ready: map[string]bool{},
		held: map[string]heldToken{}, renewalTimes: map[expiry]time.Time{}}}
	c, err := cache.New(cfg, cache.Options{Scheme: testenv.Scheme(), ByObject: map[client.Object]cache.ByObject{
		&corev1.Secret{}: {Label: labels.SelectorFromSet(labels.Set{
			tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue,
		})},
	}})
	if err != nil {
		return nil, err
	}
	handlers := map[client.Object]func(any){&corev1.Secret{}: w.secretSeen, &tokensv1alpha1.VippsToken{}: w.tokenSeen}
	for obj, seen := range handlers {
		informer, err := c.GetInformer(ctx, obj)
		if err != nil {
			return nil, err
		}
		if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc: seen, UpdateFunc: func(_, obj any) { seen(obj) },
		}); err != nil {
			return nil, err
		}
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("the benchmark's watch did not sync")
	}
	return w, nil
}

func (w *watcher) secretSeen(obj any) {
	now := time.Now()
	secret, ok := obj.(*corev1.Secret)
	if !ok {
		return
	}
	unix, err := strconv.ParseInt(string(secret.Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
	held := heldToken{token: string(secret.Data[tokensv1alpha1.KeyAccessToken]), expires: time.Unix(unix, 0)}
	if held.token == "" || err != nil {
		return
	}
	held.issued, _ = time.Parse(time.RFC3339, secret.Annotations[tokensv1alpha1.AnnotationIssuedAt])
	key := secret.Namespace + "/" + strings.TrimSuffix(secret.Name, targetSuffix)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen.secretWrites++
	if _, seen := w.seen.populated[key]; !seen {
		w.seen.populated[key] = now
	}
	if old, ok := w.seen.held[key]; ok && old.token != held.token {
		w.seen.changes = append(w.seen.changes, tokenChange{key: key, seen: now, old: old})
	}
	w.seen.held[key] = held
}

func (w *watcher) tokenSeen(obj any) {
	tok, ok := obj.(*tokensv1alpha1.VippsToken)
	if !ok {
		return
	}
	key := tok.Namespace + "/" + tok.Name
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen.ready[key] = meta.IsStatusConditionTrue(tok.Status.Conditions, tokensv1alpha1.ConditionReady)
	if s := tok.Status; s.ExpiresAt != nil && s.RenewalTime != nil {
		w.seen.renewalTimes[expiry{key, s.ExpiresAt.Unix()}] = s.RenewalTime.Time
	}
}

// now is a copy of what the watch has seen so far.
func (w *watcher) now() view {
	w.mu.Lock()
	defer w.mu.Unlock()
	return view{populated: maps.Clone(w.seen.populated), ready: maps.Clone(w.seen.ready), held: maps.Clone(w.seen.held),
		renewalTimes: maps.Clone(w.seen.renewalTimes), changes: slices.Clone(w.seen.changes),
		secretWrites: w.seen.secretWrites}
}

// counts says how many targets have been populated and how many VippsTokens are Ready.
func (v view) counts() (populated, ready int) {
	for _, r := range v.ready {
		if r {
			ready++
		}
	}
	return len(v.populated), ready
}

// holding counts the keys whose target holds token.
func (v view) holding(keys []string, token string) int {
	n := 0
	for _, key := range keys {
		if v.held[key].token == token {
			n++
		}
	}
	return n
}

// replaced is when key's target was seen to replace token with another; zero if never.
func (v view) replaced(key, token string) time.Time {
	for _, c := range v.changes {
		if c.key == key && c.old.token == token {
			return c.seen
		}
	}
	return time.Time{}
}

// renewalTime is the renewal time status gave key's token that expires at expires.
func (v view) renewalTime(key string, expires time.Time) (time.Time, bool) {
	t, ok := v.renewalTimes[expiry{key, expires.Unix()}]
	return t, ok
}

// overdue counts the targets that hold, at at, an expired token or one whose renewal time
// passed more than a second before.
func (v view) overdue(at time.Time) int {
	n := 0
	for key, held := range v.held {
		renewAt, known := v.renewalTime(key, held.expires)
		if !held.expires.After(at) || known && at.Sub(renewAt) > time.Second {
			n++
		}
	}
	return n
}

// nextRenewal is the earliest renewal time after after of a token a target holds, or the
// zero time when none is known.
func (v view) nextRenewal(after time.Time) time.Time {
	var next time.Time
	for key, held := range v.held {
		if t, ok := v.renewalTime(key, held.expires); ok && t.After(after) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// expiredAt counts the targets that hold a token expired at at.
func (v view) expiredAt(at time.Time) int {
	n := 0
	for _, held := range v.held {
		if !held.expires.After(at) {
			n++
		}
	}
	return n
}

// renewedLate counts the targets whose token, expiring after after, was replaced only after
// its expiry or has expired by now.
func (v view) renewedLate(after, now time.Time) int {
	late := map[string]bool{}
	for _, c := range v.changes {
		if c.old.expires.After(after) && !c.seen.Before(c.old.expires) {
			late[c.key] = true
		}
	}
	for key, held := range v.held {
		if held.expires.After(after) && !held.expires.After(now) {
			late[key] = true
		}
	}
	return len(late)
}

// shortLived counts the targets whose token lives lifetime.
func (v view) shortLived(lifetime time.Duration) int {
	n := 0
	for _, h := range v.held {
		if isLifetime(h, lifetime) {
			n++
		}
	}
	return n
}

// isLifetime is true when h lives lifetime, give or take the second of truncation.
func isLifetime(h heldToken, lifetime time.Duration) bool {
	d := h.expires.Sub(h.issued) - lifetime
	return d > -2*time.Second && d < 2*time.Second
}
