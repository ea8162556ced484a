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
	"strconv"
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

// watcher follows the target Secrets (by the managed-by label) and the VippsTokens, and
// notes when each target was first populated, which VippsTokens are Ready, the renewal
// time status gave each token, and every replacement of a target's token.
type watcher struct {
	mu        sync.Mutex
	populated map[string]time.Time // VippsToken key -> when its target first held a token
	ready     map[string]bool      // VippsToken key -> Ready=True
	// renewalTimes is, per VippsToken key and token expiry (Unix), the renewalTime that
	// status gave that token.
	renewalTimes map[string]map[int64]time.Time
	changes      []tokenChange
	// current is the token each VippsToken's target holds now.
	current map[string]heldToken
}

// heldToken is when a token in a target was issued and expires.
type heldToken struct{ issued, expires time.Time }

// tokenChange is a target whose token was replaced by another.
type tokenChange struct {
	key                   string
	seen                  time.Time
	oldIssued, oldExpires time.Time
	newIssued, newExpires time.Time
}

func startWatcher(ctx context.Context, cfg *rest.Config) (*watcher, error) {
	w := &watcher{
		populated: map[string]time.Time{}, ready: map[string]bool{},
		renewalTimes: map[string]map[int64]time.Time{}, current: map[string]heldToken{},
	}
	c, err := cache.New(cfg, cache.Options{
		Scheme: testenv.Scheme(),
		ByObject: map[client.Object]cache.ByObject{&corev1.Secret{}: {Label: labels.SelectorFromSet(labels.Set{
			tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue,
		})}},
	})
	if err != nil {
		return nil, err
	}
	secrets, err := c.GetInformer(ctx, &corev1.Secret{})
	if err != nil {
		return nil, err
	}
	if _, err := secrets.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.secretSeen(nil, obj) },
		UpdateFunc: w.secretSeen,
	}); err != nil {
		return nil, err
	}
	tokens, err := c.GetInformer(ctx, &tokensv1alpha1.VippsToken{})
	if err != nil {
		return nil, err
	}
	if _, err := tokens.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    w.tokenSeen,
		UpdateFunc: func(_, obj any) { w.tokenSeen(obj) },
		DeleteFunc: w.tokenGone,
	}); err != nil {
		return nil, err
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("the benchmark's watch did not sync")
	}
	return w, nil
}

// heldBy reads the token a target holds: its fingerprint, issue and expiry.
func heldBy(secret *corev1.Secret) (token string, issued, expires time.Time, ok bool) {
	token = string(secret.Data[tokensv1alpha1.KeyAccessToken])
	unix, err := strconv.ParseInt(string(secret.Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
	if token == "" || err != nil {
		return "", time.Time{}, time.Time{}, false
	}
	issued, _ = time.Parse(time.RFC3339, secret.Annotations[tokensv1alpha1.AnnotationIssuedAt])
	return token, issued, time.Unix(unix, 0), true
}

func (w *watcher) secretSeen(oldObj, obj any) {
	now := time.Now()
	secret, ok := obj.(*corev1.Secret)
	if !ok {
		return
	}
	token, issued, expires, ok := heldBy(secret)
	if !ok {
		return
	}
	key := tokenOfTarget(secret.Namespace, secret.Name)
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, seen := w.populated[key]; !seen {
		w.populated[key] = now
	}
	w.current[key] = heldToken{issued: issued, expires: expires}
	old, isSecret := oldObj.(*corev1.Secret)
	if !isSecret {
		return
	}
	if oldToken, oldIssued, oldExpires, ok := heldBy(old); ok && oldToken != token {
		w.changes = append(w.changes, tokenChange{key: key, seen: now,
			oldIssued: oldIssued, oldExpires: oldExpires, newIssued: issued, newExpires: expires})
	}
}

func (w *watcher) tokenSeen(obj any) {
	tok, ok := obj.(*tokensv1alpha1.VippsToken)
	if !ok {
		return
	}
	key := tok.Namespace + "/" + tok.Name
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ready[key] = meta.IsStatusConditionTrue(tok.Status.Conditions, tokensv1alpha1.ConditionReady)
	if s := tok.Status; s.ExpiresAt != nil && s.RenewalTime != nil {
		byExpiry := w.renewalTimes[key]
		if byExpiry == nil {
			byExpiry = map[int64]time.Time{}
			w.renewalTimes[key] = byExpiry
		}
		byExpiry[s.ExpiresAt.Unix()] = s.RenewalTime.Time
	}
}

func (w *watcher) tokenGone(obj any) {
	if tok, ok := obj.(*tokensv1alpha1.VippsToken); ok {
		w.mu.Lock()
		delete(w.ready, tok.Namespace+"/"+tok.Name)
		w.mu.Unlock()
	}
}

// counts says how many targets have been populated and how many VippsTokens are Ready.
func (w *watcher) counts() (populated, ready int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.ready {
		if r {
			ready++
		}
	}
	return len(w.populated), ready
}

// populatedAt is when each VippsToken's target was first populated.
func (w *watcher) populatedAt() map[string]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.populated)
}

// changesSince returns the token replacements seen at or after since.
func (w *watcher) changesSince(since time.Time) []tokenChange {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []tokenChange
	for _, c := range w.changes {
		if !c.seen.Before(since) {
			out = append(out, c)
		}
	}
	return out
}

// held is the token each VippsToken's target holds now.
func (w *watcher) held() map[string]heldToken {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.current)
}

// renewalTime is the renewal time status gave key's token that expires at expires.
func (w *watcher) renewalTime(key string, expires time.Time) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.renewalTimes[key][expires.Unix()]
	return t, ok
}

// overdue counts the targets that hold, at at, an expired token or one whose renewal time
// (as status gave it) passed more than a second before.
func (w *watcher) overdue(at time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for key, held := range w.current {
		renewAt, known := w.renewalTimes[key][held.expires.Unix()]
		if !held.expires.After(at) || known && at.Sub(renewAt) > time.Second {
			n++
		}
	}
	return n
}

// nextRenewal is the earliest renewal time after after that status gave a token a target
// holds, or the zero time when none is known.
func (w *watcher) nextRenewal(after time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	var next time.Time
	for key, held := range w.current {
		if t, ok := w.renewalTimes[key][held.expires.Unix()]; ok && t.After(after) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// expiredSince counts the targets that held an expired token at some time in [since, end]:
// replaced only after the old token's expiry, or expired at end.
func (w *watcher) expiredSince(since, end time.Time) int {
	expired := map[string]bool{}
	for _, c := range w.changesSince(since) {
		if !c.seen.Before(c.oldExpires) {
			expired[c.key] = true
		}
	}
	for key, held := range w.held() {
		if !held.expires.After(end) {
			expired[key] = true
		}
	}
	return len(expired)
}

// waitUntil polls cond every 100 ms until it holds, ctx ends, timeout passes, or alive
// fails.
func waitUntil(ctx context.Context, timeout time.Duration, alive func() error, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if err := alive(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
