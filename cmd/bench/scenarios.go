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
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/internal/tuning"
	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// Goals, as ratios and counts; timed figures are reported, not asserted, but for the
// recovery from an outage.
const (
	goalColdStartRatio = 1.5
	goalRSSRatio       = 1.2
	goalLatenessP99    = time.Second
	goalOutageRequests = 20
	goalOutageRecovery = 10 * time.Second
)

// The workload.
const (
	namespaces        = 10 // the VippsTokens are spread over, each with its credentials Secret
	createWorkers     = 32 // goroutines that create the VippsTokens
	convergeTimeout   = 20 * time.Minute
	renewalLifetime   = time.Minute      // the fake's token lifetime in the renewal wave and the outage
	renewalWindow     = 3 * time.Minute  // how long the renewal wave is watched
	histogramBucket   = 5 * time.Second  // of the renewal wave's histogram
	restartDowntime   = 10 * time.Second // as while a Pod is replaced
	unrelatedSecrets  = 10000            // in the big cluster
	unrelatedBytes    = 4096             // the data of each
	credentialsSecret = "vipps-credentials"
	targetSuffix      = "-target"
)

// The VippsToken controller's series.
var (
	controllerLabels = map[string]string{"controller": "vippstoken"}
	queueLabels      = map[string]string{"name": "vippstoken"}
)

func coldStartName(n int) string { return fmt.Sprintf("1. cold start (N=%d)", n) }

// runColdStart starts the manager, waits for its controller, creates N VippsTokens at once,
// waits until all are served and the manager's writes (events last) have settled, and
// reports it all under name. It returns the time to the last target and the peak RSS.
func (s *session) runColdStart(ctx context.Context, name string) (duration, size, error) {
	s.say("Cold start: %d VippsTokens in %d namespaces.", s.n, namespaces)
	if err := s.createNamespaces(ctx); err != nil {
		return 0, 0, err
	}
	if err := s.startOperator("coldstart"); err != nil {
		return 0, 0, err
	}
	if err := s.waitForController(ctx, controllerLabels); err != nil {
		return 0, 0, err
	}
	idle, err := s.op.PeakRSSBytes()
	if err != nil {
		return 0, 0, err
	}
	from := mark{calls: s.fake.Calls()} // and the manager's metrics from its start
	c, err := s.createAndConverge(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	s.say("Every target populated in %s.", c.total)
	settled, err := s.settle(ctx)
	if err != nil {
		return 0, 0, err
	}
	a, err := s.since(ctx, from)
	if err != nil {
		return 0, 0, err
	}
	s.res.add(name, "creating the VippsTokens", c.creating)
	s.res.add(name, "until the last target is populated", c.total)
	s.res.add(name, "until every VippsToken is Ready", c.allReady)
	s.res.add(name, "creation -> populated target", c.latency)
	s.res.goal(name, "Vipps calls", a.vippsCalls, fmt.Sprintf("= %d", s.n), a.vippsCalls == s.n)
	s.res.add(name, "API requests by verb", a.requests)
	s.res.add(name, "writes settled after", duration(settled.Sub(c.first)))
	s.res.add(name, "peak RSS", a.peakRSS)
	s.res.add(name, "RSS idle before creation", size(idle))
	s.res.add(name, "live heap when settled", a.liveHeap)
	s.res.add(name, "peak RSS above idle, MiB per 1000 VippsTokens",
		math.Round((float64(a.peakRSS)-float64(idle))/(1<<20)/float64(s.n)*1000*10)/10)
	return c.total, a.peakRSS, nil
}

// convergence is how N VippsTokens created at once were served, timed from the first creation.
type convergence struct {
	first                     time.Time
	creating, total, allReady duration
	latency                   distribution // per VippsToken, from its creation to its target populated
}

// createAndConverge creates the N VippsTokens at once, each also sent to out when out is
// not nil (the baseline's workers read it; it is closed at the end), and waits until every
// target is populated and every VippsToken Ready.
func (s *session) createAndConverge(ctx context.Context, out chan<- *tokensv1alpha1.VippsToken) (*convergence, error) {
	var mu sync.Mutex
	created := make(map[string]time.Time, s.n) // "namespace/name": when its Create returned
	err := parallel(ctx, s.n, createWorkers, func(ctx context.Context, i int) error {
		tok := newToken(i, s.fakeURL)
		if err := s.client.Create(ctx, tok); err != nil {
			return fmt.Errorf("creating VippsToken %s: %w", tok.Name, err)
		}
		mu.Lock()
		created[tok.Namespace+"/"+tok.Name] = time.Now()
		mu.Unlock()
		if out != nil {
			out <- tok // buffered for all N
		}
		return nil
	})
	if out != nil {
		close(out)
	}
	if err != nil {
		return nil, err
	}
	err = s.waitUntil(ctx, convergeTimeout, func() bool {
		populated, ready := s.watch.now().counts()
		return populated >= s.n && ready >= s.n
	})
	allReady := time.Now()
	if populated, ready := s.watch.now().counts(); err != nil {
		return nil, fmt.Errorf("%d of %d targets populated, %d Ready: %w", populated, s.n, ready, err)
	}
	populated := s.watch.now().populated
	var latencies []time.Duration
	for key, at := range created {
		latencies = append(latencies, populated[key].Sub(at))
	}
	creations := slices.Collect(maps.Values(created))
	first := slices.MinFunc(creations, time.Time.Compare)
	return &convergence{
		first:    first,
		creating: duration(slices.MaxFunc(creations, time.Time.Compare).Sub(first)),
		total:    duration(slices.MaxFunc(slices.Collect(maps.Values(populated)), time.Time.Compare).Sub(first)),
		allReady: duration(allReady.Sub(first)),
		latency:  distributionOf(latencies),
	}, nil
}

// parallel runs do(i) for i in [0, n) on workers goroutines, and stops at the first error.
func parallel(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		g.Go(func() error { return do(ctx, i) })
	}
	return g.Wait()
}

// runBaseline is the floor of the cold start on this API server: a program with the
// manager's client QPS, burst and parallelism that does, per VippsToken, one call to the
// fake, one Secret create and one status update, and nothing else. It runs on a fresh
// control plane, fed by the same creator through a channel, and is measured the same way.
func (b *bench) runBaseline(ctx context.Context) error {
	b.say("Baseline: the minimal program on a fresh control plane.")
	s, err := b.startSession(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	if err := s.createNamespaces(ctx); err != nil {
		return err
	}
	cfg := *s.cluster.Config
	tuning.LimitKubeClient(&cfg, b.settings.KubeAPIQPS, b.settings.KubeAPIBurst)
	c, err := client.New(&cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		return err
	}
	vippsClient := vipps.NewClient()
	queue := make(chan *tokensv1alpha1.VippsToken, b.n)
	g, gctx := errgroup.WithContext(ctx)
	for range b.settings.MaxConcurrent {
		g.Go(func() error {
			for tok := range queue {
				if err := s.serveBaseline(gctx, c, vippsClient, tok); err != nil {
					return fmt.Errorf("%s: %w", tok.Name, err)
				}
			}
			return nil
		})
	}
	calls := s.fake.Calls()
	base, err := s.createAndConverge(gctx, queue) // ends early when a worker fails
	if werr := g.Wait(); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	b.say("Baseline converged in %s.", base.total)
	name, ratio, calls := coldStartName(b.n), float64(b.firstTotal)/float64(base.total), s.fake.Calls()-calls
	b.res.add(name, "baseline: until the last target", base.total)
	b.res.add(name, "baseline: creation -> populated target", base.latency)
	b.res.goal(name, "baseline: Vipps calls", calls, fmt.Sprintf("= %d", b.n), calls == b.n)
	b.res.goal(name, "operator / baseline", fmt.Sprintf("%.2f", ratio), fmt.Sprintf("<= %.1f", goalColdStartRatio),
		ratio <= goalColdStartRatio)
	return nil
}

// serveBaseline does what no operator can do without: fetch the token, create the target,
// say so in status.
func (s *session) serveBaseline(ctx context.Context, c client.Client, vippsClient *vipps.Client,
	tok *tokensv1alpha1.VippsToken) error {
	ns, err := strconv.Atoi(strings.TrimPrefix(tok.Namespace, "bench-"))
	if err != nil {
		return err
	}
	creds := benchCredentials(ns)
	token, err := vippsClient.FetchToken(ctx, vipps.Request{
		Type: vipps.TokenType(tok.Spec.Type), BaseURL: s.fakeURL,
		ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, SubscriptionKey: creds.SubscriptionKeys[0],
	})
	if err != nil {
		return err
	}
	target := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: tok.Spec.Targets[0].Name, Namespace: tok.Namespace,
			Labels:      map[string]string{tokensv1alpha1.LabelManagedBy: tokensv1alpha1.ManagedByValue},
			Annotations: map[string]string{tokensv1alpha1.AnnotationIssuedAt: token.RequestedAt.UTC().Format(time.RFC3339)},
		},
		Data: map[string][]byte{
			tokensv1alpha1.KeyAccessToken:   []byte(token.AccessToken),
			tokensv1alpha1.KeyExpiresAtUnix: []byte(strconv.FormatInt(token.ExpiresAt.Unix(), 10)),
		},
	}
	if err := controllerutil.SetControllerReference(tok, target, c.Scheme()); err != nil {
		return err
	}
	if err := c.Create(ctx, target); err != nil {
		return err
	}
	tok.Status.ExpiresAt = &metav1.Time{Time: token.ExpiresAt}
	meta.SetStatusCondition(&tok.Status.Conditions, metav1.Condition{
		Type: tokensv1alpha1.ConditionReady, Status: metav1.ConditionTrue,
		Reason: tokensv1alpha1.ReasonTokenValid, Message: "The target holds a token.",
	})
	return c.Status().Update(ctx, tok)
}

// runBigCluster fills a fresh control plane with unrelated Secrets, then runs a cold start
// and compares its peak RSS with the first cold start's.
func (b *bench) runBigCluster(ctx context.Context) error {
	b.say("Big cluster: %d unrelated Secrets of %d bytes, then a cold start.", unrelatedSecrets, unrelatedBytes)
	s, err := b.startSession(ctx)
	if err != nil {
		return err
	}
	defer s.stop()
	start := time.Now()
	for i := range namespaces {
		if err := s.client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: unrelated(i)}}); err != nil {
			return err
		}
	}
	if err := parallel(ctx, unrelatedSecrets, 2*createWorkers, func(ctx context.Context, i int) error {
		data := make([]byte, unrelatedBytes)
		_, _ = rand.Read(data)
		return s.client.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: unrelated(i), Namespace: unrelated(i % namespaces),
				Labels: map[string]string{"app.kubernetes.io/name": "unrelated"}},
			Data: map[string][]byte{"blob": data},
		})
	}); err != nil {
		return err
	}
	name := fmt.Sprintf("5. big cluster (+%d Secrets of %d B)", unrelatedSecrets, unrelatedBytes)
	b.res.add(name, "creating the unrelated Secrets", duration(time.Since(start)))
	_, peakRSS, err := s.runColdStart(ctx, name)
	if err != nil {
		return err
	}
	if b.firstPeakRSS > 0 {
		ratio := float64(peakRSS) / float64(b.firstPeakRSS)
		b.res.goal(name, "peak RSS / scenario 1's", fmt.Sprintf("%.2f", ratio), fmt.Sprintf("<= %.1f", goalRSSRatio),
			ratio <= goalRSSRatio)
	}
	return nil
}

func unrelated(i int) string { return fmt.Sprintf("unrelated-%05d", i) }

// benchCredentials are namespace i's credentials, registered on the fake.
func benchCredentials(i int) fakevipps.Credentials {
	return fakevipps.Credentials{
		ClientID:         fmt.Sprintf("be9c0000-0000-4000-8000-%012d", i),
		ClientSecret:     fmt.Sprintf("bench-client-secret-%d", i),
		SubscriptionKeys: []string{fmt.Sprintf("be9c%028d", i)},
	}
}

// createNamespaces creates the namespaces bench-00, bench-01, … and their credentials Secrets.
func (s *session) createNamespaces(ctx context.Context) error {
	for i := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bench-%02d", i)}}
		if err := s.client.Create(ctx, ns); err != nil {
			return err
		}
		if err := s.createCredentials(ctx, ns.Name, benchCredentials(i)); err != nil {
			return err
		}
	}
	return nil
}

// createCredentials registers creds on the fake and writes them into namespace's credentials
// Secret.
func (s *session) createCredentials(ctx context.Context, namespace string, creds fakevipps.Credentials) error {
	s.fake.AddCredentials(creds)
	return s.client.Create(ctx, credentialstest.Secret(namespace, credentialsSecret, creds))
}

// newToken is VippsToken i, in namespace i modulo namespaces; its target is its name and -target.
func newToken(i int, endpoint string) *tokensv1alpha1.VippsToken {
	name := fmt.Sprintf("tok-%05d", i)
	return &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: fmt.Sprintf("bench-%02d", i%namespaces)},
		Spec: tokensv1alpha1.VippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{Type: tokensv1alpha1.TokenTypeStandard,
				Environment: tokensv1alpha1.EnvironmentTest, Endpoint: endpoint},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: credentialsSecret},
			Targets:              []tokensv1alpha1.TargetSecret{{Name: name + targetSuffix}},
		},
	}
}

// runSteady watches a converged manager for the window: it should neither call Vipps nor
// write.
func (s *session) runSteady(ctx context.Context) error {
	s.say("Steady state: watching for %s.", duration(s.steadyWindow))
	from, err := s.mark(ctx)
	if err != nil {
		return err
	}
	if err := s.sleep(ctx, s.steadyWindow); err != nil {
		return err
	}
	a, err := s.since(ctx, from)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("2. steady state (%s)", duration(s.steadyWindow))
	s.res.goal(name, "Vipps calls", a.vippsCalls, "= 0", a.vippsCalls == 0)
	s.res.goal(name, "API writes", a.requests.writes(), "= 0", a.requests.writes() == 0)
	s.res.add(name, "API requests by verb", a.requests)
	return nil
}

// runRenewal makes every token short-lived with one refresh request each, then watches the
// renewals for the window.
func (s *session) runRenewal(ctx context.Context) error {
	s.say("Renewal wave: tokens of %s, watched for %s.", duration(renewalLifetime), duration(renewalWindow))
	start := time.Now()
	if err := s.shortenTokens(ctx); err != nil {
		return err
	}
	refreshing := duration(time.Since(start))
	from, err := s.mark(ctx)
	if err != nil {
		return err
	}
	start = time.Now()
	if err := s.sleep(ctx, renewalWindow); err != nil {
		return err
	}
	end := time.Now()
	a, err := s.since(ctx, from)
	if err != nil {
		return err
	}
	// Lateness is, per renewal, from the renewalTime status gave the old token to the new
	// token seen in the target; and, of the targets overdue at the end, so far.
	var lateness []time.Duration
	renewals, afterExpiry, overdue := 0, 0, 0
	seen := s.watch.now()
	for _, c := range seen.changes {
		if c.seen.Before(start) || c.seen.After(end) || !isLifetime(c.old, renewalLifetime) {
			continue
		}
		renewals++
		i := int(c.seen.Sub(start) / histogramBucket)
		s.res.histogram = append(s.res.histogram, make([]int, max(0, i+1-len(s.res.histogram)))...)
		s.res.histogram[i]++
		if !c.seen.Before(c.old.expires) {
			afterExpiry++
		}
		if renewAt, ok := seen.renewalTime(c.key, c.old.expires); ok {
			lateness = append(lateness, c.seen.Sub(renewAt))
		}
	}
	for key, held := range seen.held {
		if renewAt, ok := seen.renewalTime(key, held.expires); ok && end.Sub(renewAt) > time.Second {
			overdue++
			lateness = append(lateness, end.Sub(renewAt))
		}
	}
	late := distributionOf(lateness)
	name := fmt.Sprintf("4. renewal wave (%s tokens, %s)", duration(renewalLifetime), duration(renewalWindow))
	s.res.add(name, "refreshing all to short-lived tokens", refreshing)
	s.res.add(name, "renewals", fmt.Sprintf("%d (%.1f/s)", renewals, float64(renewals)/end.Sub(start).Seconds()))
	s.res.goal(name, "renewals after the old token expired", afterExpiry, "= 0", afterExpiry == 0)
	s.res.add(name, "overdue at the end (renewal time passed > 1 s)", overdue)
	s.res.add(name, "expired at the end", seen.expiredAt(end))
	s.res.goal(name, "lateness against status.renewalTime", late, fmt.Sprintf("p99 < %s", goalLatenessP99),
		late.count > 0 && time.Duration(late.p99) < goalLatenessP99)
	s.res.add(name, "renewals over time (jitter's spread)", "histogram below the table")
	s.res.add(name, "Vipps calls", a.vippsCalls)
	s.res.add(name, "API requests by verb", a.requests)
	s.res.add(name, "peak RSS", a.peakRSS)
	return nil
}

// shortenTokens has the fake issue tokens of the renewal lifetime and every VippsToken
// refreshed (one patch of the refresh annotation each), and waits until every target holds
// such a token. It does nothing when they all do.
func (s *session) shortenTokens(ctx context.Context) error {
	if s.watch.now().shortLived(renewalLifetime) >= s.n {
		return nil
	}
	s.fake.SetLifetime(renewalLifetime)
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"metadata":{"annotations":{"`+
		tokensv1alpha1.AnnotationRefresh+`":"`+strconv.FormatInt(time.Now().UnixNano(), 10)+`"}}}`))
	if err := parallel(ctx, s.n, createWorkers, func(ctx context.Context, i int) error {
		return s.client.Patch(ctx, newToken(i, ""), patch)
	}); err != nil {
		return err
	}
	err := s.waitUntil(ctx, convergeTimeout, func() bool { return s.watch.now().shortLived(renewalLifetime) >= s.n })
	if err != nil {
		return fmt.Errorf("%d of %d targets hold a %s token: %w",
			s.watch.now().shortLived(renewalLifetime), s.n, renewalLifetime, err)
	}
	return nil
}

// untilNextRenewal waits until a second before the next renewal comes due.
func (s *session) untilNextRenewal(ctx context.Context) error {
	if next := s.watch.now().nextRenewal(time.Now()); !next.IsZero() {
		return s.sleep(ctx, time.Until(next)-time.Second)
	}
	return nil
}

// waitFresh waits until no target holds an expired token or one past its renewal time by
// more than a second; onPoll, if given, runs at every look.
func (s *session) waitFresh(ctx context.Context, onPoll ...func()) error {
	err := s.waitUntil(ctx, convergeTimeout, func() bool {
		for _, f := range onPoll {
			f()
		}
		return s.watch.now().overdue(time.Now()) == 0
	})
	if err != nil {
		return fmt.Errorf("waiting for every target to be fresh (%d overdue): %w", s.watch.now().overdue(time.Now()), err)
	}
	return nil
}

// runRestart kills the manager, as a node failure would, and starts it again after the
// downtime. In the renewal wave it kills it a second before the next renewals come due, so
// that they come due while it is down; the Vipps calls and writes are then the renewals'.
func (s *session) runRestart(ctx context.Context, inWave bool) error {
	s.say("Restart: killing the manager (in the renewal wave: %t), %s down.", inWave, duration(restartDowntime))
	name := fmt.Sprintf("3. restart (kill -9, %s down)", duration(restartDowntime))
	if inWave {
		name = fmt.Sprintf("3. restart (kill -9, %s down, in the renewal wave)", duration(restartDowntime))
		if err := s.untilNextRenewal(ctx); err != nil {
			return err
		}
	}
	from, killed := mark{calls: s.fake.Calls()}, time.Now() // and the new manager's metrics from its start
	s.op.Kill()
	s.op = nil // so that waiting does not fail on its exit
	if err := s.sleep(ctx, restartDowntime); err != nil {
		return err
	}
	start := time.Now()
	if err := s.startOperator("restart"); err != nil {
		return err
	}
	// Re-verified: at least N reconciles, nothing queued or in progress, and no reconcile
	// for a second (in the wave, renewals never leave it a second); the time is that of the
	// last reconcile counted.
	reverified, reconciles := time.Now(), -1.0
	if err := s.waitUntil(ctx, convergeTimeout, func() bool {
		m, err := s.op.Metrics(ctx)
		if err != nil {
			return false
		}
		if n := m.Sum("controller_runtime_reconcile_total", controllerLabels); n != reconciles {
			reverified, reconciles = time.Now(), n
		}
		busy := m.Sum("workqueue_depth", queueLabels) > 0 || m.Sum("controller_runtime_active_workers", controllerLabels) > 0
		return reconciles >= float64(s.n) && !busy && (inWave || time.Since(reverified) >= time.Second)
	}); err != nil {
		return fmt.Errorf("re-verifying every VippsToken (%v reconciles): %w", reconciles, err)
	}
	s.res.add(name, "until every VippsToken is re-verified", duration(reverified.Sub(start)))
	if inWave {
		if err := s.waitFresh(ctx); err != nil {
			return err
		}
		s.res.add(name, "until every target is fresh (renewal time passed <= 1 s)", duration(time.Since(start)))
	}
	if err := s.sleep(ctx, 10*time.Second); err != nil { // for late calls or writes
		return err
	}
	a, err := s.since(ctx, from)
	if err != nil {
		return err
	}
	if inWave {
		expired := s.watch.now().renewedLate(killed, time.Now())
		s.res.goal(name, "targets expired after the restart", expired, "= 0", expired == 0)
		s.res.add(name, "Vipps calls", a.vippsCalls)
		s.res.add(name, "API writes", a.requests.writes())
	} else {
		s.res.goal(name, "Vipps calls", a.vippsCalls, "= 0", a.vippsCalls == 0)
		s.res.goal(name, "API writes", a.requests.writes(), "= 0", a.requests.writes() == 0)
	}
	s.res.add(name, "API requests by verb", a.requests)
	s.res.add(name, "peak RSS", a.peakRSS)
	return nil
}

// runOutage gives every target a token of the renewal lifetime, then, a second before the
// next renewals come due, answers every token request with 503 for the outage's duration,
// and watches the recovery, and 10 s more for a token that expires before its renewal.
func (s *session) runOutage(ctx context.Context) error {
	s.say("Vipps outage: tokens of %s, Vipps down for %s.", duration(renewalLifetime), duration(s.outageDuration))
	if err := s.shortenTokens(ctx); err != nil {
		return err
	}
	if err := s.untilNextRenewal(ctx); err != nil { // so that the host is down from the start
		return err
	}
	from, err := s.mark(ctx)
	if err != nil {
		return err
	}
	s.fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
	start := time.Now()
	var downAfter duration
	err = s.waitUntil(ctx, s.outageDuration, func() bool {
		m, err := s.op.Metrics(ctx)
		return err == nil && m.Sum("vipps_token_host_down_since_timestamp_seconds", nil) > 0
	})
	if err == nil {
		downAfter = duration(time.Since(start))
		err = s.sleep(ctx, time.Until(start.Add(s.outageDuration)))
	}
	during := s.fake.Calls() - from.calls
	s.fake.ClearFaults()
	if err != nil {
		return fmt.Errorf("during the outage (host marked down after %s): %w", downAfter, err)
	}
	end := time.Now()
	calls, expired := s.fake.Calls(), s.watch.now().expiredAt(end)
	s.say("The outage cost %d token requests; %d targets hold an expired token.", during, expired)
	var probed duration // until the first token request after the outage: the probe's wait
	if err := s.waitFresh(ctx, func() {
		if probed == 0 && s.fake.Calls() > calls {
			probed = duration(time.Since(end))
		}
	}); err != nil {
		return err
	}
	untilFresh, recovery := duration(time.Since(end)), s.fake.Calls()-calls
	var replaced []time.Duration // from the end of the outage until each target's token was replaced
	for _, c := range s.watch.now().changes {
		if c.seen.After(end) {
			replaced = append(replaced, c.seen.Sub(end))
		}
	}
	if err := s.sleep(ctx, 10*time.Second); err != nil {
		return err
	}
	avoidable := s.watch.now().renewedLate(end, time.Now())
	a, err := s.since(ctx, from)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("6. Vipps outage (%s tokens, every request 503 for %s)", duration(renewalLifetime),
		duration(s.outageDuration))
	s.res.add(name, "host marked down after the start", downAfter)
	s.res.goal(name, "token requests during the outage", during, fmt.Sprintf("<= %d", goalOutageRequests),
		during <= goalOutageRequests)
	s.res.add(name, "targets expired during the outage", expired)
	s.res.add(name, "until the first token request after the outage", probed)
	s.res.goal(name, "until every target is fresh after the outage", untilFresh,
		fmt.Sprintf("<= %s", duration(goalOutageRecovery)), time.Duration(untilFresh) <= goalOutageRecovery)
	s.res.add(name, "token requests until then", recovery)
	s.res.add(name, "end of the outage -> replaced token", distributionOf(replaced))
	s.res.goal(name, "avoidable renewals after expiry (expired after the outage)", avoidable, "= 0", avoidable == 0)
	s.res.add(name, "API requests by verb", a.requests)
	s.res.add(name, "peak RSS", a.peakRSS)
	return nil
}
