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
	"crypto/rand"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// unrelatedNamespaces hold the big cluster's unrelated Secrets.
const unrelatedNamespaces = 10

// bigClusterResult is a cold start in a cluster full of Secrets the operator has no use for.
type bigClusterResult struct {
	UnrelatedSecrets int              `json:"unrelatedSecrets"`
	UnrelatedBytes   int              `json:"unrelatedSecretBytes"`
	Creating         duration         `json:"creatingUnrelatedSeconds"`
	ColdStart        *coldStartResult `json:"coldStart"`
}

// runBigCluster fills a fresh control plane with unrelated Secrets, then runs a cold start.
func runBigCluster(ctx context.Context, opts options, mgr manager,
	say func(string, ...any)) (*bigClusterResult, error) {
	s, err := startSession(ctx, opts, mgr)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	res := &bigClusterResult{UnrelatedSecrets: opts.unrelatedSecrets, UnrelatedBytes: opts.unrelatedBytes}
	start := time.Now()
	if err := createUnrelatedSecrets(ctx, s.client, opts); err != nil {
		return nil, err
	}
	res.Creating = duration(time.Since(start))
	say("Created the unrelated Secrets in %s; cold start.", res.Creating)
	if res.ColdStart, err = runColdStart(ctx, s, opts); err != nil {
		return nil, err
	}
	return res, nil
}

func createUnrelatedSecrets(ctx context.Context, c client.Client, opts options) error {
	for i := range unrelatedNamespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("unrelated-%02d", i)}}
		if err := c.Create(ctx, ns); err != nil {
			return err
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(2 * opts.createWorkers)
	for i := range opts.unrelatedSecrets {
		g.Go(func() error {
			data := make([]byte, opts.unrelatedBytes)
			_, _ = rand.Read(data)
			return c.Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{
					Name: fmt.Sprintf("unrelated-%05d", i), Namespace: fmt.Sprintf("unrelated-%02d", i%unrelatedNamespaces),
					Labels: map[string]string{"app.kubernetes.io/name": "unrelated"},
				},
				Data: map[string][]byte{"blob": data},
			})
		})
	}
	return g.Wait()
}
