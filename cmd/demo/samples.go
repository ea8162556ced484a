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
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// demoNamespace is where the samples go.
const demoNamespace = "default"

// applySamples creates the samples a new user would apply, with the fake's credentials in
// the credentials Secret and the fake as the VippsTokens' endpoint.
func applySamples(ctx context.Context, c client.Client, fakeURL string) error {
	secret := &corev1.Secret{}
	if err := readSample("v1_secret_vipps_credentials.yaml", secret); err != nil {
		return err
	}
	creds := fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
	secret.StringData["client-id"] = creds.ClientID
	secret.StringData["client-secret"] = creds.ClientSecret
	secret.StringData["subscription-key"] = creds.SubscriptionKeys[0]
	objects := []client.Object{secret}

	for _, file := range []string{"tokens_v1alpha1_vippstoken_standard.yaml", "tokens_v1alpha1_vippstoken_partner.yaml"} {
		tok := &tokensv1alpha1.VippsToken{}
		if err := readSample(file, tok); err != nil {
			return err
		}
		tok.Spec.Endpoint = fakeURL
		objects = append(objects, tok)
	}
	for _, obj := range objects {
		obj.SetNamespace(demoNamespace)
		if err := c.Create(ctx, obj); err != nil {
			return fmt.Errorf("creating %s %s: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), err)
		}
	}
	return nil
}

func readSample(name string, into any) error {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", name))
	if err != nil {
		return err
	}
	return yaml.UnmarshalStrict(data, into)
}
