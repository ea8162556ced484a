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
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// credentials are the values read from a VippsToken's credentials Secret.
type credentials struct {
	clientID, clientSecret, subscriptionKey, merchantSerialNumber string
	// resourceVersion of the Secret they were read from.
	resourceVersion string
}

// credentialsReader reads credentials Secrets without caching every Secret of the cluster:
// it learns each Secret's resourceVersion from a metadata-only cache and reads the data
// live only when that version is one it has not read yet. Thousands of VippsTokens that
// share a handful of credentials Secrets cost a handful of reads.
type credentialsReader struct {
	metadata client.Reader // metadata-only cache of Secrets
	live     client.Reader // the API server, uncached

	mu   sync.Mutex
	read map[types.NamespacedName]secretVersion
}

type secretVersion struct {
	resourceVersion string
	data            map[string][]byte
}

func newCredentialsReader(metadata, live client.Reader) *credentialsReader {
	return &credentialsReader{metadata: metadata, live: live, read: map[types.NamespacedName]secretVersion{}}
}

// credentials reads and checks the credentials of tok. Errors wrap errCredentialsNotFound
// or errCredentialsInvalid and name keys, never values.
func (c *credentialsReader) credentials(ctx context.Context, tok *tokensv1alpha1.VippsToken) (credentials, error) {
	ref := tok.Spec.CredentialsSecretRef
	key := types.NamespacedName{Namespace: tok.Namespace, Name: ref.Name}
	secret, err := c.secretData(ctx, key)
	if apierrors.IsNotFound(err) {
		return credentials{}, fmt.Errorf("%w: Secret %s does not exist", errCredentialsNotFound, key)
	}
	if err != nil {
		return credentials{}, fmt.Errorf("reading credentials Secret %s: %w", key, err)
	}
	return parseCredentials(tok, key, secret)
}

func (c *credentialsReader) secretData(ctx context.Context, key types.NamespacedName) (secretVersion, error) {
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	err := c.metadata.Get(ctx, key, meta)
	switch {
	case apierrors.IsNotFound(err):
		// The metadata cache may not have seen a Secret created a moment before the
		// VippsToken, as GitOps tools and kubectl apply create them: only the API server can
		// say that it does not exist.
	case err != nil:
		c.forget(key)
		return secretVersion{}, err
	default:
		c.mu.Lock()
		known, ok := c.read[key]
		c.mu.Unlock()
		if ok && known.resourceVersion == meta.ResourceVersion {
			return known, nil
		}
	}

	secret := &corev1.Secret{}
	if err := c.live.Get(ctx, key, secret); err != nil {
		c.forget(key)
		return secretVersion{}, err
	}
	known := secretVersion{resourceVersion: secret.ResourceVersion, data: secret.Data}
	c.mu.Lock()
	c.read[key] = known
	c.mu.Unlock()
	return known, nil
}

func (c *credentialsReader) forget(key types.NamespacedName) {
	c.mu.Lock()
	delete(c.read, key)
	c.mu.Unlock()
}

var merchantSerialNumberPattern = regexp.MustCompile(`^[0-9]{4,6}$`)

// parseCredentials picks the VippsToken's keys out of the Secret's data.
func parseCredentials(tok *tokensv1alpha1.VippsToken, key types.NamespacedName, secret secretVersion) (credentials, error) {
	ref := tok.Spec.CredentialsSecretRef
	creds := credentials{resourceVersion: secret.resourceVersion}
	type requiredKey struct {
		key  tokensv1alpha1.SecretKey
		into *string
	}
	required := []requiredKey{{ref.ClientIDKey, &creds.clientID}, {ref.ClientSecretKey, &creds.clientSecret}}
	if tok.Spec.Type != tokensv1alpha1.TokenTypePartner {
		// Partner tokens are fetched without a subscription key.
		required = append(required, requiredKey{ref.SubscriptionKeyKey, &creds.subscriptionKey})
	}
	for _, r := range required {
		raw, ok := secret.data[string(r.key)]
		if !ok {
			return credentials{}, fmt.Errorf("%w: Secret %s has no key %q", errCredentialsNotFound, key, r.key)
		}
		value, err := credentialValue(raw)
		if err != nil {
			return credentials{}, fmt.Errorf("%w: key %q of Secret %s %s", errCredentialsInvalid, r.key, key, err)
		}
		*r.into = value
	}

	creds.merchantSerialNumber = tok.Spec.MerchantSerialNumber
	if raw, ok := secret.data[string(ref.MerchantSerialNumberKey)]; ok && creds.merchantSerialNumber == "" {
		value, err := credentialValue(raw)
		if err == nil && !merchantSerialNumberPattern.MatchString(value) {
			err = fmt.Errorf("is not 4 to 6 digits")
		}
		if err != nil {
			return credentials{}, fmt.Errorf("%w: key %q of Secret %s %s", errCredentialsInvalid,
				ref.MerchantSerialNumberKey, key, err)
		}
		creds.merchantSerialNumber = value
	}
	return creds, nil
}

// credentialValue trims the white space that editors and echo leave around a value, and
// refuses what no HTTP header can carry. The error never quotes the value.
func credentialValue(raw []byte) (string, error) {
	if !utf8.Valid(raw) {
		return "", fmt.Errorf("is not valid UTF-8")
	}
	value := strings.TrimSpace(string(raw))
	if value == "" {
		return "", fmt.Errorf("is empty")
	}
	if strings.IndexFunc(value, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r > unicode.MaxASCII }) >= 0 {
		return "", fmt.Errorf("contains white space, control or non-ASCII characters")
	}
	return value, nil
}
