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
	"strconv"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// runBaseline is the floor of the cold start on this API server: a program with the
// manager's client QPS, burst and parallelism that does, per VippsToken, one call to the
// fake, one Secret create and one status update, and nothing else. It runs on a fresh
// control plane, fed by the same creator through a channel, and is measured the same way.
func runBaseline(ctx context.Context, opts options, settings managerSettings) (*coldStartResult, error) {
	s, err := startSession(ctx, opts, manager{})
	if err != nil {
		return nil, err
	}
	defer s.stop()
	if err := createNamespaces(ctx, s.client, s.fake, opts.namespaces); err != nil {
		return nil, err
	}
	cfg := *s.cluster.Config
	cfg.QPS, cfg.Burst = float32(settings.KubeAPIQPS), settings.KubeAPIBurst
	c, err := client.New(&cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		return nil, err
	}
	worker := &baselineWorker{client: c, vipps: vipps.NewClient(), fakeURL: s.fakeURL, namespaces: opts.namespaces}

	calls := s.fake.Calls()
	queue := make(chan *tokensv1alpha1.VippsToken, opts.n)
	g, gctx := errgroup.WithContext(ctx)
	for range settings.MaxConcurrent {
		g.Go(func() error {
			for tok := range queue {
				if err := worker.serve(gctx, tok); err != nil {
					return fmt.Errorf("baseline, %s: %w", tok.Name, err)
				}
			}
			return nil
		})
	}
	created, err := createTokens(ctx, s.client, opts, s.fakeURL, queue)
	if err != nil {
		return nil, err
	}
	res := &coldStartResult{N: opts.n}
	if err := converge(ctx, s, opts, created, res); err != nil {
		return nil, err
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res.VippsCalls = s.fake.Calls() - calls
	return res, nil
}

type baselineWorker struct {
	client     client.Client
	vipps      *vipps.Client
	fakeURL    string
	namespaces int
}

// serve does what no operator can do without: fetch the token, create the target, say so
// in status.
func (w *baselineWorker) serve(ctx context.Context, tok *tokensv1alpha1.VippsToken) error {
	ns, err := strconv.Atoi(tok.Namespace[len("bench-"):])
	if err != nil {
		return err
	}
	creds := benchCredentials(ns)
	token, err := w.vipps.FetchToken(ctx, vipps.Request{
		Type: vipps.TokenType(tok.Spec.Type), BaseURL: w.fakeURL,
		ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, SubscriptionKey: creds.SubscriptionKeys[0],
	})
	if err != nil {
		return err
	}
	target := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: tok.Spec.Targets[0].Name, Namespace: tok.Namespace,
			Labels: map[string]string{tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue},
			Annotations: map[string]string{
				tokensv1alpha1.AnnotationIssuedAt: token.RequestedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
			},
		},
		Data: map[string][]byte{
			tokensv1alpha1.KeyAccessToken:   []byte(token.AccessToken),
			tokensv1alpha1.KeyExpiresAtUnix: []byte(strconv.FormatInt(token.ExpiresAt.Unix(), 10)),
		},
	}
	if err := controllerutil.SetControllerReference(tok, target, w.client.Scheme()); err != nil {
		return err
	}
	if err := w.client.Create(ctx, target); err != nil {
		return err
	}
	expires := metav1.NewTime(token.ExpiresAt)
	tok.Status.ExpiresAt = &expires
	meta.SetStatusCondition(&tok.Status.Conditions, metav1.Condition{
		Type: tokensv1alpha1.ConditionReady, Status: metav1.ConditionTrue,
		Reason: tokensv1alpha1.ReasonTokenValid, Message: "The target holds a token.",
	})
	return w.client.Status().Update(ctx, tok)
}
