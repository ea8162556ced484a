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
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

const (
	credentialsSecret = "vipps-credentials"
	targetSuffix      = "-target"
)

func namespaceName(i int) string { return fmt.Sprintf("bench-%02d", i) }

func tokenName(i int) string { return fmt.Sprintf("tok-%05d", i) }

// tokenOfTarget is the VippsToken key ("namespace/name") of a target Secret.
func tokenOfTarget(namespace, target string) string {
	return namespace + "/" + strings.TrimSuffix(target, targetSuffix)
}

// benchCredentials are namespace i's credentials, registered on the fake, so that the
// fake's calls can be told apart by namespace.
func benchCredentials(i int) fakevipps.Credentials {
	return fakevipps.Credentials{
		ClientID:         fmt.Sprintf("be9c0000-0000-4000-8000-%012d", i),
		ClientSecret:     fmt.Sprintf("bench-client-secret-%d", i),
		SubscriptionKeys: []string{fmt.Sprintf("be9c%028d", i)},
	}
}

// createNamespaces creates the namespaces and their credentials Secrets.
func createNamespaces(ctx context.Context, c client.Client, fake *fakevipps.Server, count int) error {
	for i := range count {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(i)}}
		if err := c.Create(ctx, ns); err != nil {
			return err
		}
		creds := benchCredentials(i)
		fake.AddCredentials(creds)
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: credentialsSecret, Namespace: ns.Name},
			StringData: map[string]string{
				"client-id": creds.ClientID, "client-secret": creds.ClientSecret,
				"subscription-key": creds.SubscriptionKeys[0],
			},
		}
		if err := c.Create(ctx, secret); err != nil {
			return err
		}
	}
	return nil
}

func newToken(i, namespaces int, endpoint string) *tokensv1alpha1.VippsToken {
	return &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: tokenName(i), Namespace: namespaceName(i % namespaces)},
		Spec: tokensv1alpha1.VippsTokenSpec{
			Type:                 tokensv1alpha1.TokenTypeStandard,
			Environment:          tokensv1alpha1.EnvironmentTest,
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: credentialsSecret},
			Endpoint:             endpoint,
			Targets:              []tokensv1alpha1.TargetSecret{{Name: tokenName(i) + targetSuffix}},
		},
	}
}

// creation is when each VippsToken was created, as the creator saw it.
type creation struct {
	first, last time.Time
	at          map[string]time.Time // "namespace/name" -> when its Create returned
}

// createTokens creates n VippsTokens at once with workers goroutines. Each created object
// is also sent to out, when out is not nil (the baseline's workers read it), and out is
// closed at the end.
func createTokens(ctx context.Context, c client.Client, opts options, endpoint string,
	out chan<- *tokensv1alpha1.VippsToken) (*creation, error) {
	if out != nil {
		defer close(out)
	}
	var mu sync.Mutex
	created := &creation{at: make(map[string]time.Time, opts.n)}
	indexes := make(chan int)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(indexes)
		for i := range opts.n {
			select {
			case indexes <- i:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range opts.createWorkers {
		g.Go(func() error {
			for i := range indexes {
				tok := newToken(i, opts.namespaces, endpoint)
				if err := c.Create(ctx, tok); err != nil {
					return fmt.Errorf("creating VippsToken %s: %w", tok.Name, err)
				}
				now := time.Now()
				mu.Lock()
				created.at[tok.Namespace+"/"+tok.Name] = now
				if created.first.IsZero() || now.Before(created.first) {
					created.first = now
				}
				if now.After(created.last) {
					created.last = now
				}
				mu.Unlock()
				if out != nil {
					select {
					case out <- tok:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
			}
			return nil
		})
	}
	return created, g.Wait()
}
