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
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// One VippsToken through each fault of Vipps, or of the way to it: what it reports, when it
// retries, that it keeps a valid token meanwhile, and that it recovers by itself.
// Serial: every spec changes what the fake answers everybody (faults, lifetime, encoding).
var _ = Describe("A VippsToken through a Vipps fault", Serial, func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	DescribeTable("classifies a failed first request and schedules a retry",
		func(fault fakevipps.Fault, reason, advice string) {
			creds := newCredentials(namespace, "vipps-credentials")
			fake.InjectFaults(fault, 1)
			DeferCleanup(fake.ClearFaults)
			create(newToken(namespace, "shop", "vipps-credentials"))

			tok := eventuallyNotReady(namespace, "shop", reason)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
			Expect(refreshed.Reason).To(Equal(reason))
			Expect(refreshed.Message).To(ContainSubstring(advice))
			Expect(tok.Status.FailureCount).To(BeEquivalentTo(1))
			Expect(tok.Status.NextRetryTime).NotTo(BeNil())
			Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))
			expectNothingLeaked(namespace, secretsOf(creds)...)
		},
		Entry("503", fakevipps.Status503, tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"),
		Entry("502 with an HTML page", fakevipps.Status502, tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"),
		Entry("no answer within the client's timeout", fakevipps.Hang(5*time.Second),
			tokensv1alpha1.ReasonVippsUnavailable, "retries with backoff"),
		Entry("429 without Retry-After", fakevipps.RateLimited(0), tokensv1alpha1.ReasonRateLimited, "honours Retry-After"),
		Entry("JSON cut off", fakevipps.MalformedJSON, tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"),
		Entry("an HTML page with 200", fakevipps.HTMLBody, tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"),
		Entry("no access_token", fakevipps.MissingAccessToken, tokensv1alpha1.ReasonMalformedResponse, "retries with backoff"),
	)

	It("retries a transient failure with its host's first probe, within a jittered probeBackoffBase, and not before", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		fake.InjectFaults(fakevipps.Status503, 1)
		DeferCleanup(fake.ClearFaults)
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonVippsUnavailable)
		// The first probe's delay is in (1.6s, 2s], and status truncates both times to whole
		// seconds: 1 or 2 seconds apart.
		Expect(retryDelayIn(tok)).To(And(BeNumerically(">=", time.Second), BeNumerically("<=", 2*time.Second)))
		nextRetry := tok.Status.NextRetryTime.Time

		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		requests := requestsNaming(creds.ClientID)
		Expect(requests).To(HaveLen(2))
		Expect(requests[1].Time).To(BeTemporally(">=", nextRetry), "the retry waited for nextRetryTime")
		expectNothingLeaked(namespace, append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)
	})

	It("waits at least as long as Retry-After, even when its own backoff is shorter", func() {
		creds := newCredentials(namespace, "vipps-credentials")
		fake.InjectFaults(fakevipps.RateLimited(20*time.Second), 1)
		DeferCleanup(fake.ClearFaults)
		create(newToken(namespace, "shop", "vipps-credentials"))

		tok := eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonRateLimited)
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonRateLimited))
		// Rounded up to whole seconds, never down: no retry comes before Retry-After.
		Expect(retryDelayIn(tok)).To(And(BeNumerically(">=", 20*time.Second), BeNumerically("<=", 21*time.Second)))
		// Without Retry-After the first retry would come within 5s.
		Consistently(func() int { return fake.CallsBy(creds.ClientID) }, 5*time.Second).Should(Equal(1))
		expectNothingLeaked(namespace, secretsOf(creds)...)
	})

	It("keeps a valid token in the targets through an outage, reports its expiry, and bounds its retries", func() {
		withShortLifetime(6 * time.Second) // renewed from about 4s, expires at 6s
		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		token := accessToken(Default, namespace, "shop-token")

		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(1), "the outage began before the renewal")

		By("the renewal fails; Ready stays True with the failure's reason and the target keeps its token")
		Eventually(func() int { return fake.CallsBy(creds.ClientID) }).Should(Equal(2))
		tok := eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonVippsUnavailable)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("the last refresh failed"))
		refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
		Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
		Expect(refreshed.Reason).To(Equal(tokensv1alpha1.ReasonVippsUnavailable))
		Expect(accessToken(Default, namespace, "shop-token")).To(Equal(token))

		By("over the next 8s the host's probes back off, and the target keeps its token throughout")
		// The VippsToken is the only one waiting for the host, so the probes are its requests.
		// Probe k waits more than four fifths of 2s·2^(k-1), up to 6s: the probes come more
		// than 1.6s, 4.8s and 9.6s after the first failed call, the first within 2s of it, so
		// 8s hold at most 3 calls of the outage, and at least 2.
		Consistently(func(g Gomega) {
			g.Expect(fake.CallsBy(creds.ClientID) - 1).To(BeNumerically("<=", 3))
			g.Expect(accessToken(g, namespace, "shop-token")).To(Equal(token))
		}, 8*time.Second).Should(Succeed())
		outageCalls := fake.CallsBy(creds.ClientID) - 1
		Expect(outageCalls).To(BeNumerically(">=", 2))

		By("the token has expired: Ready is False with TokenExpired and names the failure")
		tok = eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonTokenExpired)
		Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("The last refresh failed"))
		Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonVippsUnavailable))
		Expect(tok.Status.FailureCount).To(BeEquivalentTo(outageCalls))

		By("after the outage a refresh request is served at once, as the host's probe")
		fake.ClearFaults()
		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "after-outage")
		tok = eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		Expect(tok.Status.FailureCount).To(BeZero())
		Expect(tok.Status.NextRetryTime).To(BeNil())
		renewed := accessToken(Default, namespace, "shop-token")
		Expect(renewed).NotTo(Equal(token))
		expectNothingLeaked(namespace, append(secretsOf(creds), token, renewed)...)
	})

	DescribeTable("keeps its valid token in the target, backs off, and recovers by itself when the fault clears",
		func(outage vippsOutage, reason, message string) {
			creds := newCredentials(namespace, "vipps-credentials")
			tok := newToken(namespace, "shop", "vipps-credentials")
			if outage.prepare != nil {
				outage.prepare(tok)
			}
			create(tok)
			eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
			token := accessToken(Default, namespace, "shop-token")
			Expect(fake.CallsBy(creds.ClientID)).To(Equal(1))

			By("the fault begins and a refresh is requested")
			outage.start()
			requested := time.Now()
			annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "during-the-fault")

			By("Ready stays True with the failure's reason, and the target keeps its token")
			tok = eventuallyReady(namespace, "shop", reason)
			refreshed := condition(tok, tokensv1alpha1.ConditionRefreshed)
			Expect(refreshed.Status).To(Equal(metav1.ConditionFalse))
			Expect(refreshed.Reason).To(Equal(reason))
			Expect(refreshed.Message).To(ContainSubstring(message))
			Expect(condition(tok, tokensv1alpha1.ConditionReady).Message).To(ContainSubstring("the last refresh failed"))
			Consistently(func(g Gomega) {
				g.Expect(accessToken(g, namespace, "shop-token")).To(Equal(token))
				tok := &tokensv1alpha1.VippsToken{}
				g.Expect(k8sClient.Get(suiteCtx, nameIn(namespace, "shop"), tok)).To(Succeed())
				g.Expect(condition(tok, tokensv1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
				g.Expect(condition(tok, tokensv1alpha1.ConditionReady).Reason).To(Equal(reason))
			}, faultWindow).Should(Succeed())

			By("the requests during the fault stay within the backoff bound")
			during := getToken(namespace, "shop")
			clearedAt := time.Now()
			outage.clear()
			bound := maxRequestsWithin(clearedAt.Sub(requested))
			Expect(during.Status.FailureCount).To(And(BeNumerically(">=", 1), BeNumerically("<=", bound)))
			failed := requestsBetween(creds.ClientID, requested, clearedAt)
			if outage.reachesFake {
				Expect(len(failed)).To(And(BeNumerically(">=", 1), BeNumerically("<=", bound)))
				// lastFailureTime is whole seconds, up to a second early; a quarter of a second more
				// is slack for the way from the client to the fake.
				Expect(during.Status.LastFailureTime.Time).To(
					BeTemporally(">=", failed[len(failed)-1].Time.Add(outage.lasts-time.Second-time.Second/4)),
					"the backoff counts from the failure, not from the request")
			} else {
				Expect(failed).To(BeEmpty())
			}

			By("once the fault clears, the next retry (the host's probe) brings a new token without anybody's help")
			Eventually(func(g Gomega) {
				g.Expect(accessToken(g, namespace, "shop-token")).NotTo(Equal(token))
				tok := &tokensv1alpha1.VippsToken{}
				g.Expect(k8sClient.Get(suiteCtx, nameIn(namespace, "shop"), tok)).To(Succeed())
				g.Expect(condition(tok, tokensv1alpha1.ConditionReady).Reason).To(Equal(tokensv1alpha1.ReasonTokenValid))
			}, recoveryTimeout).Should(Succeed())
			tok = eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
			Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))
			Expect(tok.Status.FailureCount).To(BeZero())
			Expect(tok.Status.NextRetryTime).To(BeNil())

			recovery := requestsBetween(creds.ClientID, clearedAt, time.Now())
			Expect(recovery).NotTo(BeEmpty())
			Expect(recovery[0].Time).To(BeTemporally(">=", during.Status.NextRetryTime.Time),
				"the retry waited for nextRetryTime")
			if outage.retryAfter > 0 {
				Expect(recovery[0].Time.Sub(failed[len(failed)-1].Time)).To(BeNumerically(">=", outage.retryAfter),
					"no request before Retry-After")
			}
			Expect(fake.CallsBy(creds.ClientID)).To(Equal(1+len(failed)+1), "the first token, the failed requests, the recovery")
			if outage.verify != nil {
				outage.verify(creds)
			}
			expectNothingLeaked(namespace, append(secretsOf(creds), token, accessToken(Default, namespace, "shop-token"))...)
		},
		Entry("a burst of 500", fakeFault(fakevipps.Status500), tokensv1alpha1.ReasonVippsUnavailable, "HTTP 500"),
		Entry("a burst of 502 with an HTML page", fakeFault(fakevipps.Status502), tokensv1alpha1.ReasonVippsUnavailable,
			"HTTP 502"),
		Entry("a burst of 503", fakeFault(fakevipps.Status503), tokensv1alpha1.ReasonVippsUnavailable, "HTTP 503"),
		Entry("a server that hangs past the client's timeout", hangingServer(),
			tokensv1alpha1.ReasonVippsUnavailable, "Timeout"),
		Entry("a refused connection", connectionRefused(), tokensv1alpha1.ReasonVippsUnavailable, "connection refused"),
		Entry("429 with Retry-After", rateLimitedFor(5*time.Second), tokensv1alpha1.ReasonRateLimited, "retry after 5s"),
		Entry("429 without Retry-After", fakeFault(fakevipps.RateLimited(0)), tokensv1alpha1.ReasonRateLimited, "HTTP 429"),
		Entry("JSON cut off", fakeFault(fakevipps.MalformedJSON), tokensv1alpha1.ReasonMalformedResponse,
			"not a JSON token response"),
		Entry("an HTML page with 200", fakeFault(fakevipps.HTMLBody), tokensv1alpha1.ReasonMalformedResponse, "HTML"),
		Entry("no access_token", fakeFault(fakevipps.MissingAccessToken), tokensv1alpha1.ReasonMalformedResponse,
			"access_token is missing"),
		Entry("expires_in of 0", fakeFault(fakevipps.ExpiresIn(0)), tokensv1alpha1.ReasonMalformedResponse,
			"expires at or before the time it was requested"),
		Entry("a negative expires_in", fakeFault(fakevipps.ExpiresIn(-3600)), tokensv1alpha1.ReasonMalformedResponse,
			"expires at or before the time it was requested"),
		Entry("an expires_in of ten years", fakeFault(fakevipps.ExpiresIn(10*365*24*3600)),
			tokensv1alpha1.ReasonMalformedResponse, "expires more than"),
		Entry("a token_type other than Bearer", fakeFault(fakevipps.WrongTokenType), tokensv1alpha1.ReasonMalformedResponse,
			"token_type is not Bearer"),
		Entry("a body over the size limit", fakeFault(fakevipps.OversizedBody), tokensv1alpha1.ReasonMalformedResponse,
			"larger than"),
		Entry("a redirect to another host", redirectElsewhere(), tokensv1alpha1.ReasonVippsUnavailable,
			"redirect not followed"),
	)
})

var _ = Describe("Every token type", Serial, func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	DescribeTable("is issued and renewed whichever way Vipps encodes its numbers",
		func(encoding fakevipps.NumericEncoding) {
			fake.SetNumericEncoding(encoding)
			DeferCleanup(fake.SetNumericEncoding, fakevipps.AsDocumented)
			withShortLifetime(4 * time.Second) // renewed about 2.7 s after issue

			tokenTypes := []tokensv1alpha1.TokenType{
				tokensv1alpha1.TokenTypeStandard, tokensv1alpha1.TokenTypePartner, tokensv1alpha1.TokenTypeLegacy,
			}
			clients := map[string]string{}
			for _, tokenType := range tokenTypes {
				name := strings.ToLower(string(tokenType))
				clients[name] = newCredentials(namespace, name+"-credentials").ClientID
				tok := newToken(namespace, name, name+"-credentials")
				tok.Spec.Type = tokenType
				if tokenType == tokensv1alpha1.TokenTypeLegacy {
					tok.Spec.Resource = "https://testapivipps.no/vippsas/invoice-isp-service"
				}
				create(tok)
			}

			first := map[string]string{}
			for name := range clients {
				tok := eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
				// The lifetime read from the response, whose iat and expiry may straddle a second.
				Expect(tok.Status.ExpiresAt.Sub(tok.Status.LastRefreshTime.Time)).To(
					And(BeNumerically(">=", 3*time.Second), BeNumerically("<=", 4*time.Second)), name)
				first[name] = accessToken(Default, namespace, name+"-token")
			}

			By("each is renewed before it expires, for one more call")
			for name, clientID := range clients {
				Eventually(func(g Gomega) {
					g.Expect(accessToken(g, namespace, name+"-token")).NotTo(Equal(first[name]))
					tok := &tokensv1alpha1.VippsToken{}
					g.Expect(k8sClient.Get(suiteCtx, nameIn(namespace, name), tok)).To(Succeed())
					g.Expect(condition(tok, tokensv1alpha1.ConditionReady).Reason).To(Equal(tokensv1alpha1.ReasonTokenValid))
					g.Expect(condition(tok, tokensv1alpha1.ConditionRefreshed).Reason).To(Equal(tokensv1alpha1.ReasonTokenIssued))
					g.Expect(fake.CallsBy(clientID)).To(Equal(2))
				}).Should(Succeed(), name)
			}
		},
		Entry("as strings", fakevipps.Strings),
		Entry("as numbers", fakevipps.Numbers),
	)
})

// faultWindow is how long each fault of the table is watched before it clears: shorter
// than the earliest first retry (the host's first probe after four fifths of
// probeBackoffBase; a malformed answer's own retry after transientBackoffBase/2, less the
// second that storing nextRetryTime in whole seconds may take off), so that the fault
// usually clears before that retry and the operator recovers with it.
const faultWindow = time.Second

// maxRequestsWithin is the most token requests one VippsToken sends in d from its first
// failed request during an outage. When the fault takes the host down, the VippsToken, the
// only one waiting for it, sends the host's probes (maxProbesWithin). A malformed answer
// concerns the VippsToken alone, whose retry k waits at least half of
// exponential(transientBackoffBase, transientBackoffMax, k) after the failure before it (the
// jitter spreads it over [d/2, d)), less under a second as nextRetryTime is stored in whole
// seconds. Rejected credentials and a Retry-After only wait longer.
func maxRequestsWithin(d time.Duration) int {
	requests, elapsed := 1, time.Duration(0)
	for k := int32(1); ; k++ {
		elapsed += exponential(transientBackoffBase, transientBackoffMax, k)/2 - time.Second
		if elapsed > d {
			return max(requests, 1+maxProbesWithin(d))
		}
		requests++
	}
}

// recoveryTimeout bounds the wait for the retry that recovers: within transientBackoffBase of
// the failure as a rule, twice that when a slow machine let a first retry fail too.
const recoveryTimeout = 3 * transientBackoffBase

// vippsOutage is a fault of Vipps, or of the way to it, that a spec starts and clears.
type vippsOutage struct {
	// prepare, when set, runs before the VippsToken is created and may change it.
	prepare func(tok *tokensv1alpha1.VippsToken)
	start   func()
	clear   func()
	// reachesFake is false when the failed requests never reach the fake.
	reachesFake bool
	// retryAfter is the wait the fault asks for: no request may come sooner.
	retryAfter time.Duration
	// lasts is how long a failed request takes to fail, when that is long.
	lasts time.Duration
	// verify, when set, checks what the fault must not have caused.
	verify func(creds fakevipps.Credentials)
}

// fakeFault is an outage of the fake: every token request fails with f until cleared.
func fakeFault(f fakevipps.Fault) vippsOutage {
	return vippsOutage{
		start: func() {
			fake.InjectFaults(f, fakevipps.UntilCleared)
			DeferCleanup(fake.ClearFaults)
		},
		clear:       func() { fake.ClearFaults() },
		reachesFake: true,
	}
}

// rateLimitedFor is a 429 outage whose Retry-After asks for wait.
func rateLimitedFor(wait time.Duration) vippsOutage {
	o := fakeFault(fakevipps.RateLimited(wait))
	o.retryAfter = wait
	return o
}

// vippsClientTimeout is the timeout startManager gives the Vipps client.
const vippsClientTimeout = 2 * time.Second

// hangingServer is an outage in which every token request waits past the client's timeout.
func hangingServer() vippsOutage {
	o := fakeFault(fakevipps.Hang(time.Minute))
	o.lasts = vippsClientTimeout
	return o
}

// connectionRefused serves the fake on closedPortURL, and closes it for the outage.
func connectionRefused() vippsOutage {
	var srv *httptest.Server
	return vippsOutage{
		prepare: func(tok *tokensv1alpha1.VippsToken) {
			srv = serveFakeAt(closedPortURL)
			tok.Spec.Endpoint = closedPortURL
		},
		start: func() { srv.Close() },
		clear: func() { srv = serveFakeAt(closedPortURL) },
	}
}

// serveFakeAt serves the fake on the base URL's host and port until the spec ends.
func serveFakeAt(baseURL string) *httptest.Server {
	GinkgoHelper()
	listener, err := net.Listen("tcp", strings.TrimPrefix(baseURL, "http://"))
	Expect(err).NotTo(HaveOccurred())
	srv := &httptest.Server{Listener: listener, Config: &http.Server{Handler: fake, ReadHeaderTimeout: specTimeout}}
	srv.Start()
	DeferCleanup(srv.Close)
	return srv
}

// redirectElsewhere answers every token request with a 302 to another server, which
// records whatever reaches it.
func redirectElsewhere() vippsOutage {
	var (
		mu       sync.Mutex
		received []http.Header
	)
	o := vippsOutage{reachesFake: true, clear: func() { fake.ClearFaults() }}
	o.start = func() {
		received = nil
		elsewhere := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			received = append(received, r.Header.Clone())
		}))
		DeferCleanup(elsewhere.Close)
		fake.InjectFaults(fakevipps.Redirect(elsewhere.URL+string(fakevipps.EndpointStandard)), fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
	}
	o.verify = func(creds fakevipps.Credentials) {
		mu.Lock()
		defer mu.Unlock()
		for _, header := range received {
			Expect(header.Get("client_secret")).NotTo(Equal(creds.ClientSecret), "the client secret went to another host")
		}
		Expect(received).To(BeEmpty(), "the redirect was followed")
	}
	return o
}
