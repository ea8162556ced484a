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

// Controller-level rules proven without an API server, in the manner of cert-manager's trigger
// controller tests: controller-runtime's fake client, a fake clock and a stub Vipps. The
// envtest specs keep what needs a real API server (watches, caches, admission).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakeclient "sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// unitStart is the fake clock's start.
var unitStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// stubVipps issues a numbered token of an hour for every request, or fails with err.
type stubVipps struct {
	mu    sync.Mutex
	clock *clocktesting.FakeClock
	calls int
	err   error
}

func (s *stubVipps) FetchToken(context.Context, vipps.Request) (vipps.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return vipps.Token{}, s.err
	}
	now := s.clock.Now()
	return vipps.Token{AccessToken: fmt.Sprintf("token-%d", s.calls), TokenType: "Bearer",
		RequestedAt: now, ExpiresAt: now.Add(time.Hour)}, nil
}

// unitEnv is one reconciler on a fake client that holds the VippsToken payments/shop.
type unitEnv struct {
	t        *testing.T
	client   client.Client
	clock    *clocktesting.FakeClock
	vipps    *stubVipps
	recorder *events.FakeRecorder
	r        *VippsTokenReconciler
}

func unitToken() *tokensv1alpha1.VippsToken {
	return &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "payments", UID: "uid-shop", Generation: 1},
		Spec: tokensv1alpha1.VippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{
				Type:        tokensv1alpha1.TokenTypeStandard,
				Environment: tokensv1alpha1.EnvironmentTest,
			},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{
				Name: "vipps-credentials", ClientIDKey: "client-id", ClientSecretKey: "client-secret",
				SubscriptionKeyKey: "subscription-key", MerchantSerialNumberKey: "merchant-serial-number",
			},
			Targets: []tokensv1alpha1.TargetSecret{{Name: "shop-token"}},
		},
	}
}

func unitCredentials(clientSecret string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "vipps-credentials", Namespace: "payments"},
		Data: map[string][]byte{
			"client-id": []byte("client-id-value"), "client-secret": []byte(clientSecret),
			"subscription-key": []byte("subscription-key-value"),
		},
	}
}

func newUnitEnv(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) *unitEnv {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, tokensv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	c := fakeclient.NewClientBuilder().WithScheme(scheme).
		WithObjects(append([]client.Object{unitToken()}, objs...)...).
		WithStatusSubresource(&tokensv1alpha1.VippsToken{}).
		WithIndex(&corev1.Secret{}, ownerIndex, controllerNameIndex("VippsToken")).
		WithIndex(&tokensv1alpha1.VippsToken{}, secretsIndex, secretNames).
		WithInterceptorFuncs(funcs).
		Build()
	clock := clocktesting.NewFakeClock(unitStart)
	env := &unitEnv{t: t, client: c, clock: clock, vipps: &stubVipps{clock: clock}, recorder: events.NewFakeRecorder(100)}
	env.r = newReconciler(reconcilerClients{
		client: c, apiReader: c, secretMetadata: c, scheme: scheme, recorder: env.recorder,
		metricsRegistry: prometheus.NewRegistry(),
	}, Options{Vipps: env.vipps, Clock: clock})
	return env
}

func (e *unitEnv) reconcile() error {
	e.t.Helper()
	_, err := e.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKey{Namespace: "payments", Name: "shop"}})
	return err
}

func (e *unitEnv) token() *tokensv1alpha1.VippsToken {
	e.t.Helper()
	tok := &tokensv1alpha1.VippsToken{}
	if err := e.client.Get(context.Background(), client.ObjectKey{Namespace: "payments", Name: "shop"}, tok); err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// targetToken is the access token in the target Secret, "" when there is none.
func (e *unitEnv) targetToken() string {
	e.t.Helper()
	secret := &corev1.Secret{}
	err := e.client.Get(context.Background(), client.ObjectKey{Namespace: "payments", Name: "shop-token"}, secret)
	if client.IgnoreNotFound(err) != nil {
		e.t.Fatal(err)
	}
	return string(secret.Data[tokensv1alpha1.KeyAccessToken])
}

// events drains the events emitted so far.
func (e *unitEnv) events() []string {
	var all []string
	for {
		select {
		case event := <-e.recorder.Events:
			all = append(all, event)
		default:
			return all
		}
	}
}

func TestReconcileCountsAFailureFoundBeforeAnyRequestOnce(t *testing.T) {
	env := newUnitEnv(t, interceptor.Funcs{}) // no credentials Secret
	for range 3 {
		if err := env.reconcile(); err != nil {
			t.Fatalf("Reconcile() = %v", err)
		}
	}
	if got := env.token().Status.FailureCount; got != 1 {
		t.Errorf("failureCount = %d after three reconciles that found the same missing Secret, want 1", got)
	}
	if got := env.events(); len(got) != 1 || !strings.HasPrefix(got[0], "Warning "+tokensv1alpha1.ReasonCredentialsNotFound+" ") {
		t.Errorf("events = %q, want one Warning %s", got, tokensv1alpha1.ReasonCredentialsNotFound)
	}
	if env.vipps.calls != 0 {
		t.Errorf("Vipps got %d requests, want none", env.vipps.calls)
	}
}

func TestReconcileReportsATargetOfSomebodyElsesOnce(t *testing.T) {
	taken := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-token", Namespace: "payments"},
		Data: map[string][]byte{"somebody": []byte("else")}}
	env := newUnitEnv(t, interceptor.Funcs{}, unitCredentials("client-secret-value"), taken)
	for range 3 {
		if err := env.reconcile(); err != nil {
			t.Fatalf("Reconcile() = %v", err)
		}
	}
	if got := env.events(); len(got) != 1 || !strings.HasPrefix(got[0], "Warning "+tokensv1alpha1.ReasonTargetConflict+" ") {
		t.Errorf("events = %q, want one Warning %s", got, tokensv1alpha1.ReasonTargetConflict)
	}
	if env.vipps.calls != 0 {
		t.Errorf("Vipps got %d requests for a token that no target can take, want none", env.vipps.calls)
	}
	if got := env.targetToken(); got != "" {
		t.Errorf("the Secret of somebody else's was given token %q", got)
	}
}

// TestReconcileNamesWhyItRequestsAToken walks one VippsToken through the refresh triggers; each
// step's request, or its absence, and the reason in the TokenIssued event.
func TestReconcileNamesWhyItRequestsAToken(t *testing.T) {
	env := newUnitEnv(t, interceptor.Funcs{}, unitCredentials("client-secret-value"))
	steps := []struct {
		name       string
		change     func()
		wantCalls  int
		wantReason string // in the TokenIssued event; "" when no token is requested
	}{
		{"first reconcile", func() {}, 1, "NoValidToken"},
		{"nothing changed", func() {}, 1, ""},
		{"the credentials changed", func() {
			creds := unitCredentials("rotated-client-secret")
			if err := env.client.Update(context.Background(), creds); err != nil {
				t.Fatal(err)
			}
		}, 2, "InputsChanged"},
		{"a refresh is requested", func() {
			tok := env.token()
			tok.Annotations = map[string]string{tokensv1alpha1.AnnotationRefresh: "now"}
			if err := env.client.Update(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
		}, 3, "RefreshRequested"},
		{"the refresh request was acted on", func() {}, 3, ""},
		{"the renewal time has come", func() {
			env.clock.SetTime(env.token().Status.RenewalTime.Time)
		}, 4, "RenewalTimeReached"},
	}
	for _, step := range steps {
		step.change()
		if err := env.reconcile(); err != nil {
			t.Fatalf("%s: Reconcile() = %v", step.name, err)
		}
		if env.vipps.calls != step.wantCalls {
			t.Errorf("%s: Vipps got %d requests in all, want %d", step.name, env.vipps.calls, step.wantCalls)
		}
		emitted := env.events()
		switch {
		case step.wantReason == "" && len(emitted) > 0:
			t.Errorf("%s: events = %q, want none", step.name, emitted)
		case step.wantReason != "" && (len(emitted) != 1 || !strings.HasSuffix(emitted[0], "("+step.wantReason+").")):
			t.Errorf("%s: events = %q, want one TokenIssued that names %s", step.name, emitted, step.wantReason)
		}
		if got, want := env.targetToken(), fmt.Sprintf("token-%d", env.vipps.calls); got != want {
			t.Errorf("%s: the target holds %q, want %q", step.name, got, want)
		}
	}
}

// TestReconcileRestoresALostTargetWithoutARequest: the token Vipps issued last goes back into
// a target deleted or edited by somebody else, and Vipps is not asked again.
func TestReconcileRestoresALostTargetWithoutARequest(t *testing.T) {
	env := newUnitEnv(t, interceptor.Funcs{}, unitCredentials("client-secret-value"))
	ctx := context.Background()
	target := func() *corev1.Secret {
		secret := &corev1.Secret{}
		if err := env.client.Get(ctx, client.ObjectKey{Namespace: "payments", Name: "shop-token"}, secret); err != nil {
			t.Fatal(err)
		}
		return secret
	}
	losses := []struct {
		name string
		lose func()
	}{
		{"edited", func() {
			secret := target()
			secret.Data[tokensv1alpha1.KeyAccessToken] = []byte("somebody else's")
			if err := env.client.Update(ctx, secret); err != nil {
				t.Fatal(err)
			}
		}},
		{"deleted", func() {
			if err := env.client.Delete(ctx, target()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	if err := env.reconcile(); err != nil {
		t.Fatalf("Reconcile() = %v", err)
	}
	for _, loss := range losses {
		loss.lose()
		if err := env.reconcile(); err != nil {
			t.Fatalf("%s: Reconcile() = %v", loss.name, err)
		}
		if got := env.targetToken(); got != "token-1" {
			t.Errorf("%s: the target holds %q, want token-1 back", loss.name, got)
		}
		if env.vipps.calls != 1 {
			t.Errorf("%s: Vipps got %d requests in all, want 1", loss.name, env.vipps.calls)
		}
	}
}

// TestReconcileKeepsATokenWhoseWriteWasRefused: status describes only what the targets hold,
// and the retry of a refused write costs Vipps no second request.
func TestReconcileKeepsATokenWhoseWriteWasRefused(t *testing.T) {
	refuse := true
	env := newUnitEnv(t, interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if _, isSecret := obj.(*corev1.Secret); isSecret && refuse {
				return errors.New("the API server is overloaded")
			}
			return c.Create(ctx, obj, opts...)
		},
	}, unitCredentials("client-secret-value"))

	if err := env.reconcile(); !errors.Is(err, errTargetWrite) {
		t.Fatalf("Reconcile() = %v, want the refused target write", err)
	}
	if status := env.token().Status; status.ExpiresAt != nil || status.RenewalTime != nil {
		t.Errorf("status describes a token no target holds: expiresAt %v, renewalTime %v", status.ExpiresAt, status.RenewalTime)
	}

	refuse = false
	if err := env.reconcile(); err != nil {
		t.Fatalf("Reconcile() after the API server recovered = %v", err)
	}
	if env.vipps.calls != 1 {
		t.Errorf("Vipps got %d requests, want 1: the token obtained is written, not requested again", env.vipps.calls)
	}
	if got := env.targetToken(); got != "token-1" {
		t.Errorf("the target holds %q, want token-1", got)
	}
	if status := env.token().Status; status.ExpiresAt == nil || !status.ExpiresAt.Time.Equal(unitStart.Add(time.Hour)) {
		t.Errorf("status.expiresAt = %v, want the written token's expiry %v", status.ExpiresAt, unitStart.Add(time.Hour))
	}
}

// TestCredentialsOfASecretTheCacheHasNotSeenYet: a credentials Secret created a moment before
// its VippsToken may be missing from the metadata cache; the API server has the last word, so
// no CredentialsNotFound is reported for a Secret that exists.
func TestCredentialsOfASecretTheCacheHasNotSeenYet(t *testing.T) {
	live := newUnitEnv(t, interceptor.Funcs{}, unitCredentials("client-secret-value"))
	lagging := newUnitEnv(t, interceptor.Funcs{}) // a cache without the Secret
	reader := newCredentialsReader(lagging.client, live.client)

	creds, err := reader.credentials(context.Background(), unitToken())
	if err != nil {
		t.Fatalf("credentials() = %v, want those of the Secret the API server holds", err)
	}
	if creds.clientSecret != "client-secret-value" {
		t.Errorf("client secret = %q, want the Secret's", creds.clientSecret)
	}

	missing := newCredentialsReader(lagging.client, lagging.client)
	if _, err := missing.credentials(context.Background(), unitToken()); !errors.Is(err, errCredentialsNotFound) {
		t.Errorf("credentials() of a Secret nobody holds = %v, want errCredentialsNotFound", err)
	}
}

// failThenRecover has Vipps reject the first request with a 401, and lets the retry through:
// status records one failure, and the retry is due.
func failThenRecover(t *testing.T, env *unitEnv) {
	t.Helper()
	env.vipps.err = vippsAPIError(t, http.StatusUnauthorized, "")
	if err := env.reconcile(); err != nil {
		t.Fatalf("Reconcile() = %v", err)
	}
	status := env.token().Status
	if status.FailureCount != 1 || status.NextRetryTime == nil {
		t.Fatalf("after a 401 status has failureCount %d and nextRetryTime %v, want 1 and a retry time",
			status.FailureCount, status.NextRetryTime)
	}
	env.vipps.err = nil
	env.clock.SetTime(status.NextRetryTime.Add(time.Second))
}

// wantRecovered checks that status describes token-2, the retry's, with no failures.
func wantRecovered(t *testing.T, env *unitEnv) {
	t.Helper()
	status := env.token().Status
	refreshed := meta.FindStatusCondition(status.Conditions, tokensv1alpha1.ConditionRefreshed)
	if status.FailureCount != 0 || status.LastFailureTime != nil || status.NextRetryTime != nil ||
		refreshed == nil || refreshed.Reason != tokensv1alpha1.ReasonTokenIssued {
		t.Errorf("status has failureCount %d, lastFailureTime %v, nextRetryTime %v and Refreshed %v; want the failure over",
			status.FailureCount, status.LastFailureTime, status.NextRetryTime, refreshed)
	}
	if want := env.clock.Now().Truncate(time.Second).Add(time.Hour); status.ExpiresAt == nil || !status.ExpiresAt.Time.Equal(want) {
		t.Errorf("status.expiresAt = %v, want the retry's token's expiry %v", status.ExpiresAt, want)
	}
	if got := env.targetToken(); got != "token-2" || env.vipps.calls != 2 {
		t.Errorf("the target holds %q after %d requests, want token-2 after 2: the token that ended the failures serves",
			got, env.vipps.calls)
	}
}

// TestReconcileEndsFailuresThatAStatusWriteDidNotRecord: the targets say that a request
// succeeded after the failures status records, also when the status write that said so was
// refused; the next reconcile records it, and does not ask Vipps again for the retry that
// status still shows as due.
func TestReconcileEndsFailuresThatAStatusWriteDidNotRecord(t *testing.T) {
	refuse := false
	env := newUnitEnv(t, interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, c client.Client, subResource string, obj client.Object,
			patch client.Patch, opts ...client.SubResourcePatchOption) error {
			if refuse {
				return errors.New("the API server is overloaded")
			}
			return c.SubResource(subResource).Patch(ctx, obj, patch, opts...)
		},
	}, unitCredentials("client-secret-value"))
	failThenRecover(t, env)

	refuse = true
	if err := env.reconcile(); err == nil {
		t.Fatal("Reconcile() = nil, want the refused status write")
	}
	if got := env.targetToken(); got != "token-2" {
		t.Fatalf("the target holds %q, want token-2", got)
	}
	refuse = false
	if err := env.reconcile(); err != nil {
		t.Fatalf("Reconcile() after the API server recovered = %v", err)
	}
	wantRecovered(t, env)
}

// TestReconcileOfAReturningTokenLeavesItsStatusToTheNextTurn: the first reconcile after its
// host's return writes the targets only (trailing_status.go); the next writes the status.
func TestReconcileOfAReturningTokenLeavesItsStatusToTheNextTurn(t *testing.T) {
	env := newUnitEnv(t, interceptor.Funcs{}, unitCredentials("client-secret-value"))
	failThenRecover(t, env)
	key := client.ObjectKey{Namespace: "payments", Name: "shop"}
	env.r.hosts.returning[key] = true // as its host's first success after an outage marks it

	if err := env.reconcile(); err != nil {
		t.Fatalf("Reconcile() = %v", err)
	}
	if got := env.targetToken(); got != "token-2" {
		t.Fatalf("the target holds %q, want token-2", got)
	}
	if status := env.token().Status; status.FailureCount != 1 {
		t.Errorf("status was written in the reconcile of a returning VippsToken (failureCount %d, want still 1)",
			status.FailureCount)
	}
	if err := env.reconcile(); err != nil {
		t.Fatalf("the next Reconcile() = %v", err)
	}
	wantRecovered(t, env)
}
