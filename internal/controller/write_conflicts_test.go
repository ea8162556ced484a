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
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

var _ = Describe("A target that a user edits while the operator writes it", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("converges to the operator's data once the user stops, keeping the user's label", func() {
		withShortLifetime(4 * time.Second) // renewed about every 2.7 s, so renewals race the edits too
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		reconcileErrors := metricValue("controller_runtime_reconcile_errors_total", map[string]string{"controller": "vippstoken"})
		readyStatuses := watchReady(namespace, "shop")

		By("for 6 s, every 100 ms, the user relabels the target and tampers with its data, by read-modify-update")
		var userWrites, userConflicts int
		lastEdit := "none"
		update := func(secret *corev1.Secret) {
			err := k8sClient.Update(suiteCtx, secret)
			switch {
			case err == nil:
				userWrites++
				lastEdit = secret.Labels["example.com/edit"]
			case apierrors.IsConflict(err):
				userConflicts++
			default:
				Expect(err).NotTo(HaveOccurred())
			}
		}
		for edit, stop := 0, time.Now().Add(6*time.Second); time.Now().Before(stop); edit++ {
			secret := getSecret(Default, namespace, "shop-token")
			secret.Labels["example.com/edited-by"] = "user"
			secret.Labels["example.com/edit"] = strconv.Itoa(edit)
			secret.Data[tokensv1alpha1.KeyAccessToken] = []byte("tampered-" + strconv.Itoa(edit))
			secret.Data["note"] = []byte("the user's")
			update(secret)
			// A second write on what the first returned: it conflicts when the operator restored
			// the target in between, and makes the operator's restore conflict when it did not.
			time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
			secret.Labels["example.com/edit"] = strconv.Itoa(edit)
			secret.Data[tokensv1alpha1.KeyTokenType] = []byte("Tampered")
			update(secret)
			time.Sleep(100 * time.Millisecond)
		}
		operatorConflicts := metricValue("controller_runtime_reconcile_errors_total",
			map[string]string{"controller": "vippstoken"}) - reconcileErrors
		GinkgoWriter.Printf("user writes %d, user conflicts %d, operator reconcile errors %v\n", userWrites, userConflicts,
			operatorConflicts)
		Expect(userWrites).To(BeNumerically(">", 0))
		Expect(userConflicts).To(BeNumerically(">", 0), "the user's writes conflicted with the operator's")
		Expect(operatorConflicts).To(BeNumerically(">", 0), "the operator's writes conflicted with the user's")
		Expect(readyStatuses()).To(HaveEach(Equal(metav1.ConditionTrue)), "Ready does not flap to False on a conflict")
		Expect(fake.CallsBy(creds.ClientID)).To(BeNumerically(">=", 2), "the token was renewed during the edits")

		By("the target converges: the operator's data, a valid token that status describes, the user's labels")
		Eventually(func(g Gomega) {
			tok := getToken(namespace, "shop")
			ready := condition(tok, tokensv1alpha1.ConditionReady)
			g.Expect(ready.Reason).To(Equal(tokensv1alpha1.ReasonTokenValid), ready.Message)
			g.Expect(tok.Status.ObservedGeneration).To(Equal(tok.Generation))

			secret := getSecret(g, namespace, "shop-token")
			g.Expect(secret.Annotations[tokensv1alpha1.AnnotationDataHash]).To(Equal(dataHash(secret.Data)))
			g.Expect(secret.Data).NotTo(HaveKey("note"))
			g.Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyTokenType, []byte("Bearer")))
			token := string(secret.Data[tokensv1alpha1.KeyAccessToken])
			g.Expect(token).NotTo(HavePrefix("tampered"))
			g.Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyAuthorization, []byte("Bearer "+token)))
			g.Expect(tok.Status.ExpiresAt).NotTo(BeNil())
			g.Expect(jwtExpiry(g, token)).To(Equal(tok.Status.ExpiresAt.Unix()), "the token status describes")
			g.Expect(string(secret.Data[tokensv1alpha1.KeyExpiresAtUnix])).To(Equal(strconv.FormatInt(tok.Status.ExpiresAt.Unix(), 10)))
			g.Expect(tok.Status.ExpiresAt.Time).To(BeTemporally(">", time.Now()))

			g.Expect(secret.Labels).To(HaveKeyWithValue("example.com/edited-by", "user"))
			g.Expect(secret.Labels).To(HaveKeyWithValue("example.com/edit", lastEdit))
			g.Expect(secret.Labels).To(HaveKeyWithValue(tokensv1alpha1.LabelManagedBy, tokensv1alpha1.ManagedByValue))
		}).Should(Succeed())
	})
})

// watchReady records every status of the VippsToken's Ready condition that the API server
// sends a watch, until the spec ends, and returns a function that lists them.
func watchReady(namespace, name string) func() []metav1.ConditionStatus {
	GinkgoHelper()
	watching, err := client.NewWithWatch(cfg, client.Options{Scheme: env.Scheme})
	Expect(err).NotTo(HaveOccurred())
	w, err := watching.Watch(suiteCtx, &tokensv1alpha1.VippsTokenList{}, client.InNamespace(namespace),
		client.MatchingFields{"metadata.name": name})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(w.Stop)
	var (
		mu   sync.Mutex
		seen []metav1.ConditionStatus
	)
	go func() {
		for event := range w.ResultChan() {
			if tok, ok := event.Object.(*tokensv1alpha1.VippsToken); ok {
				mu.Lock()
				seen = append(seen, condition(tok, tokensv1alpha1.ConditionReady).Status)
				mu.Unlock()
			}
		}
	}()
	return func() []metav1.ConditionStatus {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// jwtExpiry is the exp claim of a JWT, read without verifying it.
func jwtExpiry(g Gomega, token string) int64 {
	parts := strings.Split(token, ".")
	g.Expect(parts).To(HaveLen(3), "a JWT")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	g.Expect(err).NotTo(HaveOccurred())
	var claims struct {
		Expiry int64 `json:"exp"`
	}
	g.Expect(json.Unmarshal(payload, &claims)).To(Succeed())
	return claims.Expiry
}
