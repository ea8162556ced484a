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
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// The target Secrets: what they hold, when they are written, and what happens when somebody
// else holds, edits or deletes them.
var _ = Describe("The targets of a VippsToken", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("fills every target with the token and reports Ready, for one Vipps call", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace, "webshop", "vipps-credentials")
		tok.Spec.MerchantSerialNumber = "123456"
		tok.Spec.SystemInfo = &tokensv1alpha1.SystemInfo{Name: "acme-webshop", Version: "2.4.1"}
		tok.Spec.Targets = []tokensv1alpha1.TargetSecret{
			{Name: "plain"},
			{Name: "with-headers", IncludeRequestHeaders: true, Labels: map[string]string{"team": "payments"}},
		}
		create(tok)

		tok = eventuallyReady(namespace, "webshop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1), "one Vipps call serves all targets")

		By("status describes the token and never holds it")
		Expect(tok.Status.ExpiresAt).NotTo(BeNil())
		Expect(tok.Status.RenewalTime.Time).To(BeTemporally("<", tok.Status.ExpiresAt.Time))
		Expect(tok.Status.LastRefreshTime).NotTo(BeNil())
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))

		plain := getSecret(Default, namespace, "plain")
		withHeaders := getSecret(Default, namespace, "with-headers")
		token := string(plain.Data[tokensv1alpha1.KeyAccessToken])
		Expect(token).To(HavePrefix("ey"))
		Expect(withHeaders.Data[tokensv1alpha1.KeyAccessToken]).To(BeEquivalentTo(token))

		By("each target holds the token, the header value, its type and its expiry")
		expiry := tok.Status.ExpiresAt.Time
		for _, secret := range []*corev1.Secret{plain, withHeaders} {
			Expect(secret.Type).To(Equal(corev1.SecretTypeOpaque))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyAuthorization, []byte("Bearer "+token)))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyTokenType, []byte("Bearer")))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyExpiresAt, []byte(expiry.UTC().Format(time.RFC3339))))
			Expect(secret.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyExpiresAtUnix, []byte(strconv.FormatInt(expiry.Unix(), 10))))
			Expect(secret.Labels).To(HaveKeyWithValue(tokensv1alpha1.LabelManagedBy, tokensv1alpha1.ManagedByValue))
			Expect(secret.Annotations).To(HaveKeyWithValue(tokensv1alpha1.AnnotationExpiresAt, expiry.UTC().Format(time.RFC3339)))
			Expect(secret.Annotations).To(HaveKey(tokensv1alpha1.AnnotationDataHash))
			Expect(metav1.IsControlledBy(secret, tok)).To(BeTrue(), "a controller owner reference to the VippsToken")
		}

		By("only the target that asks for them holds the request headers")
		Expect(plain.Data).NotTo(HaveKey(tokensv1alpha1.KeySubscriptionKey))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeySubscriptionKey, []byte(creds.SubscriptionKeys[0])))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeyMerchantSerialNumber, []byte("123456")))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeySystemName, []byte("acme-webshop")))
		Expect(withHeaders.Data).To(HaveKeyWithValue(tokensv1alpha1.KeySystemVersion, []byte("2.4.1")))
		Expect(withHeaders.Data).NotTo(HaveKey(tokensv1alpha1.KeySystemPluginName))
		Expect(withHeaders.Labels).To(HaveKeyWithValue("team", "payments"))
	})

	It("fetches a Partner token without a subscription key and writes none", func() {
		creds := newCredentials(namespace, "partner-credentials")
		tok := newToken(namespace, "partner", "partner-credentials")
		tok.Spec.Type = tokensv1alpha1.TokenTypePartner
		tok.Spec.Targets[0].IncludeRequestHeaders = true
		create(tok)

		eventuallyReady(namespace, "partner", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		Expect(getSecret(Default, namespace, "partner-token").Data).NotTo(HaveKey(tokensv1alpha1.KeySubscriptionKey))
	})

	It("reuses the token, without a Vipps call, when only the targets change", func() {
		creds, token := newReadyToken(namespace, "targets")
		editSpec(namespace, "targets", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.Targets[0].Labels = map[string]string{"team": "payments"}
			spec.Targets = append(spec.Targets, tokensv1alpha1.TargetSecret{Name: "second"})
		})

		Eventually(func(g Gomega) {
			g.Expect(accessToken(g, namespace, "second")).To(Equal(token))
			g.Expect(getSecret(g, namespace, "targets-token").Labels).To(HaveKeyWithValue("team", "payments"))
		}).Should(Succeed())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1))
	})

	It("recreates a deleted target and restores an edited one, leaving others' labels alone", func() {
		creds, token := newReadyToken(namespace, "drift")

		By("somebody labels the target and edits its token")
		secret := getSecret(Default, namespace, "drift-token")
		secret.Labels["example.com/backup"] = "yes"
		secret.Data[tokensv1alpha1.KeyAccessToken] = []byte("tampered")
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())
		Eventually(func(g Gomega) {
			restored := getSecret(g, namespace, "drift-token")
			g.Expect(string(restored.Data[tokensv1alpha1.KeyAccessToken])).To(Equal(token))
			g.Expect(restored.Labels).To(HaveKeyWithValue("example.com/backup", "yes"))
		}).Should(Succeed())

		By("somebody deletes the target")
		Expect(k8sClient.Delete(suiteCtx, getSecret(Default, namespace, "drift-token"))).To(Succeed())
		Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, "drift-token")).To(Equal(token)) }).Should(Succeed())

		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1), "the token in hand serves; no new one is needed")
	})

	It("never touches an existing Secret it does not own, and writes the target at once when its owner deletes it", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		theirs := foreignSecret(namespace, "shop-token")
		create(newToken(namespace, "shop", "vipps-credentials"))
		expectTargetConflict(namespace, "shop", theirs, creds)

		By("once its owner deletes the Secret, the target is created at once, not at the next renewal")
		Expect(k8sClient.Delete(suiteCtx, theirs)).To(Succeed())
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(accessToken(Default, namespace, "shop-token")).NotTo(BeEmpty())
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
	})

	// Serial: the spec restarts the suite's manager.
	It("leaves a target Secret it does not own untouched and reports TargetConflict, also after a restart", Serial, func() {
		creds := newCredentials(namespace, "vipps-credentials")
		theirs := foreignSecret(namespace, "shop-token")
		create(newToken(namespace, "shop", "vipps-credentials"))
		expectTargetConflict(namespace, "shop", theirs, creds)

		By("nor after a restart of the operator, once the new one has reconciled it")
		manager.stop()
		manager = startManager()
		// A change to the system headers needs no new token, and observedGeneration shows
		// when the restarted operator has been through the VippsToken.
		editSpec(namespace, "shop", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.SystemInfo = &tokensv1alpha1.SystemInfo{Name: "after-restart"}
		})
		eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTargetConflict)
		Consistently(untouchedAndNoRequest(namespace, theirs, creds)).Should(Succeed())

		By("renaming the target resolves the conflict with one request")
		editSpec(namespace, "shop", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.Targets = []tokensv1alpha1.TargetSecret{{Name: "shop-token-2"}}
		})
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
		Expect(getSecret(Default, namespace, "shop-token").ResourceVersion).To(Equal(theirs.ResourceVersion))
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token-2"))...)
	})

	It("lets two VippsTokens that name one target settle without flip-flopping", func() {
		newReadyToken(namespace, "first")
		newCredentials(namespace, "second-credentials")
		second := newToken(namespace, "second", "second-credentials")
		second.Spec.Targets[0].Name = "first-token"
		create(second)

		eventuallyNotReady(namespace, "second", tokensv1alpha1.ReasonTargetConflict)
		owner := getToken(namespace, "first")
		version := getSecret(Default, namespace, "first-token").ResourceVersion
		Consistently(func(g Gomega) {
			secret := getSecret(g, namespace, "first-token")
			g.Expect(secret.ResourceVersion).To(Equal(version))
			g.Expect(metav1.IsControlledBy(secret, owner)).To(BeTrue())
		}).Should(Succeed())
	})

	It("deletes a target it owns once the target leaves the spec", func() {
		newReadyToken(namespace, "shrink")
		editSpec(namespace, "shrink", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.Targets = []tokensv1alpha1.TargetSecret{{Name: "replacement"}}
		})
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(suiteCtx, nameIn(namespace, "shrink-token"), &corev1.Secret{}))
		}).Should(BeTrue())
		Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, "replacement")).NotTo(BeEmpty()) }).Should(Succeed())
	})

	It("describes in status only a token that a target holds, also after a refused write", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		tok := newToken(namespace, "shop", "vipps-credentials")
		// The CRD lets this label key through; the API server refuses it on the Secret.
		tok.Spec.Targets[0].Labels = map[string]string{"not a label key!": "x"}
		create(tok)

		By("the write is refused: the token obtained is in no target, so status names none")
		refused := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTargetWriteFailed)
		Expect(refused.Status.ExpiresAt).To(BeNil())
		Expect(refused.Status.RenewalTime).To(BeNil())
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(1),
			"retries of the write reuse the token obtained")

		By("then the credentials Secret is deleted: still no claim of a token the targets hold")
		Expect(k8sClient.Delete(suiteCtx, credentialstest.Secret(namespace, "vipps-credentials", creds))).To(Succeed())
		Consistently(func(g Gomega) {
			current := getToken(namespace, "shop")
			ready := condition(current, tokensv1alpha1.ConditionReady)
			g.Expect(ready.Status).NotTo(Equal(metav1.ConditionTrue), ready.Message)
			g.Expect(ready.Message).NotTo(ContainSubstring("valid until"))
			g.Expect(current.Status.ExpiresAt).To(BeNil())
		}).Should(Succeed())
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: "shop-token"}, &corev1.Secret{})).
			NotTo(Succeed(), "no target was ever written")
	})

	// The user's writes and the operator's may meet in a conflict, or miss each other: the
	// spec asserts what comes of it either way, not that they met. Serial: it shortens the
	// fake's token lifetime.
	It("converges to the operator's data once the user stops, keeping the user's label", Serial, func() {
		withShortLifetime(4 * time.Second) // renewed about every 2.7 s, so renewals race the edits too
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		readyStatuses := watchReady(namespace, "shop")

		By("for 6 s, every 100 ms, the user relabels the target and tampers with its data, by read-modify-update")
		var userWrites, userConflicts int
		lastEdit := "none"
		update := func(secret *corev1.Secret) {
			err := k8sClient.Update(suiteCtx, secret)
			if apierrors.IsConflict(err) { // the operator wrote the target since the user read it
				userConflicts++
				return
			}
			Expect(err).NotTo(HaveOccurred())
			userWrites++
			lastEdit = secret.Labels["example.com/edit"]
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
		GinkgoWriter.Printf("user writes %d, user writes that met a conflict %d\n", userWrites, userConflicts)
		Expect(userWrites).To(BeNumerically(">", 0))
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

// expectTargetConflict expects the VippsToken name, whose one target is theirs, to report
// TargetConflict once as a Warning event, and to leave theirs untouched without requesting a
// token that no target could take.
func expectTargetConflict(namespace, name string, theirs *corev1.Secret, creds fakevipps.Credentials) {
	GinkgoHelper()
	tok := eventuallyNotReady(namespace, name, tokensv1alpha1.ReasonTargetConflict)
	ready := condition(tok, tokensv1alpha1.ConditionReady)
	Expect(ready.Message).To(ContainSubstring(theirs.Name))
	Expect(ready.Message).To(ContainSubstring("Rename the target"))

	By("the Secret is not touched, and no token is requested that no target could take")
	Consistently(untouchedAndNoRequest(namespace, theirs, creds)).Should(Succeed())

	By("the conflict is reported once as a Warning event")
	Expect(eventsWith(eventsFor(Default, tok), corev1.EventTypeWarning, tokensv1alpha1.ReasonTargetConflict)).To(HaveLen(1))
}

// untouchedAndNoRequest checks that theirs is as its owner left it and that no token was
// requested with creds.
func untouchedAndNoRequest(namespace string, theirs *corev1.Secret, creds fakevipps.Credentials) func(g Gomega) {
	return func(g Gomega) {
		now := getSecret(g, namespace, theirs.Name)
		g.Expect(now.ResourceVersion).To(Equal(theirs.ResourceVersion))
		g.Expect(now.OwnerReferences).To(BeEmpty())
		g.Expect(fake.CallsBy(creds.ClientID)).To(BeZero(), "a token that no target can take")
	}
}

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
