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

// The helpers that the envtest specs share. The specs stand in one file per family of
// behaviour:
//
//	credentials_specs_test.go     the credentials Secret: missing, unusable, rejected, changed
//	vipps_faults_specs_test.go    one VippsToken through each fault of Vipps, and Vipps's encodings
//	outage_specs_test.go          a host that is down: one probe at a time, and the recovery
//	targets_specs_test.go         what the targets hold, and who else writes them
//	renewal_specs_test.go         when a new token is fetched, and when not
//	restart_specs_test.go         an operator that restarts, with work waiting
//	events_metrics_specs_test.go  events and metrics
//	kstatus_specs_test.go         the status that GitOps tools read
//
// Serial marks the specs that change what the fake does for every caller (faults, token
// lifetime, the encoding of numbers), or that stop the suite's manager, so that no other spec
// runs beside them. Under go test (make test) the specs run one at a time anyway; under
// ginkgo -p the Serial ones run alone, after all the others.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// closedPortURL is a local base URL that nothing listens on unless a spec serves the fake
// there: the suite allows it as an endpoint, so that a VippsToken can meet a refused
// connection and, once a spec listens there again, recover.
var closedPortURL = reserveClosedPort()

func reserveClosedPort() string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("reserving a local port: %v", err))
	}
	defer func() { _ = listener.Close() }()
	return "http://" + listener.Addr().String()
}

// newNamespace creates a namespace of the spec's own.
func newNamespace() string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "vt-"}}
	Expect(k8sClient.Create(suiteCtx, ns)).To(Succeed())
	return ns.Name
}

// registerCredentials registers credentials of the spec's own with the fake, so that the
// fake's per-client counters count this spec's calls only. They may fetch Partner tokens too.
func registerCredentials() fakevipps.Credentials {
	creds := credentialstest.New()
	creds.Partner = true
	fake.AddCredentials(creds)
	return creds
}

// newCredentials registers credentials of the spec's own with the fake and stores them in
// a Secret.
func newCredentials(namespace, secretName string) fakevipps.Credentials {
	creds := registerCredentials()
	Expect(k8sClient.Create(suiteCtx, credentialstest.Secret(namespace, secretName, creds))).To(Succeed())
	return creds
}

// newWrongCredentials registers credentials of the spec's own with the fake, and stores them
// in the Secret secretName with a client secret that Vipps rejects. It returns the right ones
// and the wrong ones.
func newWrongCredentials(namespace, secretName string) (right, wrong fakevipps.Credentials) {
	right = registerCredentials()
	wrong = right
	wrong.ClientSecret = credentialstest.ClientSecret()
	Expect(k8sClient.Create(suiteCtx, credentialstest.Secret(namespace, secretName, wrong))).To(Succeed())
	return right, wrong
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secretsOf are the values of creds that must stay in the credentials Secret.
func secretsOf(creds fakevipps.Credentials) []string {
	return append([]string{creds.ClientSecret}, creds.SubscriptionKeys...)
}

// foreignSecret creates the Secret name of somebody else's, with a label and data of theirs.
func foreignSecret(namespace, name string) *corev1.Secret {
	GinkgoHelper()
	theirs := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"team": "other"}},
		Data:       map[string][]byte{"access-token": []byte("theirs"), "password": []byte("hunter2")},
	}
	Expect(k8sClient.Create(suiteCtx, theirs)).To(Succeed())
	return theirs
}

// newToken builds a Standard VippsToken against the fake with one target, "<name>-token".
// The short minimum interval lets specs use tokens that live seconds.
func newToken(namespace, name, credentialsSecret string) *tokensv1alpha1.VippsToken {
	return &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: tokensv1alpha1.VippsTokenSpec{
			TokenSettings: tokensv1alpha1.TokenSettings{
				Type:          tokensv1alpha1.TokenTypeStandard,
				Environment:   tokensv1alpha1.EnvironmentTest,
				Endpoint:      fakeServer.URL,
				RefreshPolicy: &tokensv1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: time.Second}},
			},
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: credentialsSecret},
			Targets:              []tokensv1alpha1.TargetSecret{{Name: name + "-token"}},
		},
	}
}

// create creates tok and deletes it when the spec ends, so that no renewal of an earlier
// spec reaches the fake during a later one.
func create(tok *tokensv1alpha1.VippsToken) {
	Expect(k8sClient.Create(suiteCtx, tok)).To(Succeed())
	DeferCleanup(func() {
		Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, tok))).To(Succeed())
	})
}

// newReadyToken creates the VippsToken name with credentials of its own in the Secret
// "<name>-credentials", waits until it is Ready, and returns the credentials and the token
// its target, "<name>-token", holds.
func newReadyToken(namespace, name string) (fakevipps.Credentials, string) {
	GinkgoHelper()
	creds := newCredentials(namespace, name+"-credentials")
	create(newToken(namespace, name, name+"-credentials"))
	eventuallyReady(namespace, name, tokensv1alpha1.ReasonTokenValid)
	return creds, accessToken(Default, namespace, name+"-token")
}

// withShortLifetime makes the fake issue tokens that live d for the rest of the spec.
func withShortLifetime(d time.Duration) {
	fake.SetLifetime(d)
	DeferCleanup(func() { fake.SetLifetime(0) })
}

func nameIn(namespace, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: namespace, Name: name}
}

func getToken(namespace, name string) *tokensv1alpha1.VippsToken {
	tok := &tokensv1alpha1.VippsToken{}
	Expect(k8sClient.Get(suiteCtx, nameIn(namespace, name), tok)).To(Succeed())
	return tok
}

func getSecret(g Gomega, namespace, name string) *corev1.Secret {
	secret := &corev1.Secret{}
	g.Expect(k8sClient.Get(suiteCtx, nameIn(namespace, name), secret)).To(Succeed())
	return secret
}

// accessToken reads the token a target holds.
func accessToken(g Gomega, namespace, name string) string {
	return string(getSecret(g, namespace, name).Data[tokensv1alpha1.KeyAccessToken])
}

// targetExpiry is when the token a target holds expires.
func targetExpiry(g Gomega, namespace, name string) time.Time {
	unix, err := strconv.ParseInt(string(getSecret(g, namespace, name).Data[tokensv1alpha1.KeyExpiresAtUnix]), 10, 64)
	g.Expect(err).NotTo(HaveOccurred())
	return time.Unix(unix, 0)
}

// eventuallyNewToken waits until the target holds a token other than old.
func eventuallyNewToken(namespace, target, old string) {
	GinkgoHelper()
	Eventually(func(g Gomega) { g.Expect(accessToken(g, namespace, target)).NotTo(Equal(old)) }).Should(Succeed())
}

// condition returns tok's condition of the type, or an empty one.
func condition(tok *tokensv1alpha1.VippsToken, conditionType string) metav1.Condition {
	if c := meta.FindStatusCondition(tok.Status.Conditions, conditionType); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// eventuallyReady waits for Ready=True with the reason given and returns the VippsToken.
func eventuallyReady(namespace, name, reason string) *tokensv1alpha1.VippsToken {
	return eventuallyReadyIs(metav1.ConditionTrue, namespace, name, reason)
}

// eventuallyNotReady waits for Ready=False with the reason given and returns the VippsToken.
func eventuallyNotReady(namespace, name, reason string) *tokensv1alpha1.VippsToken {
	return eventuallyReadyIs(metav1.ConditionFalse, namespace, name, reason)
}

func eventuallyReadyIs(status metav1.ConditionStatus, namespace, name, reason string) *tokensv1alpha1.VippsToken {
	var tok *tokensv1alpha1.VippsToken
	Eventually(func(g Gomega) {
		tok = &tokensv1alpha1.VippsToken{}
		g.Expect(k8sClient.Get(suiteCtx, nameIn(namespace, name), tok)).To(Succeed())
		ready := condition(tok, tokensv1alpha1.ConditionReady)
		g.Expect(ready.Status).To(Equal(status), ready.Message)
		g.Expect(ready.Reason).To(Equal(reason), ready.Message)
		g.Expect(tok.Status.ObservedGeneration).To(Equal(tok.Generation))
	}).Should(Succeed())
	return tok
}

// retryDelayIn is how long after the last failure the next retry is scheduled.
func retryDelayIn(tok *tokensv1alpha1.VippsToken) time.Duration {
	if tok.Status.NextRetryTime == nil || tok.Status.LastFailureTime == nil {
		return 0
	}
	return tok.Status.NextRetryTime.Sub(tok.Status.LastFailureTime.Time)
}

// annotate sets an annotation on a VippsToken.
func annotate(namespace, name, key, value string) {
	GinkgoHelper()
	tok := getToken(namespace, name)
	patch := client.MergeFrom(tok.DeepCopy())
	if tok.Annotations == nil {
		tok.Annotations = map[string]string{}
	}
	tok.Annotations[key] = value
	Expect(k8sClient.Patch(suiteCtx, tok, patch)).To(Succeed())
}

// touch brings a VippsToken back to the reconciler without changing what it asks for.
func touch(tok *tokensv1alpha1.VippsToken) {
	GinkgoHelper()
	annotate(tok.Namespace, tok.Name, "example.com/touched", randomHex(4))
}

// editSpec changes a VippsToken's spec.
func editSpec(namespace, name string, edit func(*tokensv1alpha1.VippsTokenSpec)) {
	GinkgoHelper()
	tok := getToken(namespace, name)
	patch := client.MergeFrom(tok.DeepCopy())
	edit(&tok.Spec)
	Expect(k8sClient.Patch(suiteCtx, tok, patch)).To(Succeed())
}

// setClientSecret changes the client secret in the spec's credentials Secret, "vipps-credentials".
func setClientSecret(namespace, value string) {
	GinkgoHelper()
	secret := getSecret(Default, namespace, "vipps-credentials")
	patch := client.MergeFrom(secret.DeepCopy())
	secret.Data["client-secret"] = []byte(value)
	Expect(k8sClient.Patch(suiteCtx, secret, patch)).To(Succeed())
}

// requestsNaming are the requests the fake received with the client ID in any form, on any
// path, oldest first.
func requestsNaming(clientID string) []fakevipps.RecordedRequest {
	var named []fakevipps.RecordedRequest
	for _, req := range fake.Requests() {
		if req.ClientID == clientID || req.Header.Get("client_id") == clientID {
			named = append(named, req)
		}
	}
	return named
}

// requestsBetween are the token requests naming clientID that the fake received in [from, to).
func requestsBetween(clientID string, from, to time.Time) []fakevipps.RecordedRequest {
	var between []fakevipps.RecordedRequest
	for _, req := range requestsNaming(clientID) {
		if !req.Time.Before(from) && req.Time.Before(to) {
			between = append(between, req)
		}
	}
	return between
}

// requestsCarrying are the requests the fake received that carry any of the values in a
// header or in the body, whatever their path.
func requestsCarrying(values ...string) []fakevipps.RecordedRequest {
	var carrying []fakevipps.RecordedRequest
	for _, req := range fake.Requests() {
		for _, value := range values {
			if carries(req, value) {
				carrying = append(carrying, req)
				break
			}
		}
	}
	return carrying
}

func carries(req fakevipps.RecordedRequest, value string) bool {
	if strings.Contains(string(req.Body), value) {
		return true
	}
	for _, headerValues := range req.Header {
		for _, v := range headerValues {
			if strings.Contains(v, value) {
				return true
			}
		}
	}
	return false
}

// maxProbesWithin is the most probes a host that is down gets in d after the failure that
// took it down: probe k comes at least four fifths of its backoff after the one before.
func maxProbesWithin(d time.Duration) int {
	probes, elapsed := 0, time.Duration(0)
	for k := int32(1); ; k++ {
		elapsed += exponential(probeBackoffBase, probeBackoffMax, k) * 4 / 5
		if elapsed > d {
			return probes
		}
		probes++
	}
}

// expectNothingLeaked searches every VippsToken (status and conditions included) and every
// event in the namespace for the planted values.
func expectNothingLeaked(namespace string, planted ...string) {
	GinkgoHelper()
	tokens := &tokensv1alpha1.VippsTokenList{}
	Expect(k8sClient.List(suiteCtx, tokens, client.InNamespace(namespace))).To(Succeed())
	Expect(tokens.Items).NotTo(BeEmpty())
	events := &eventsv1.EventList{}
	Eventually(func(g Gomega) []eventsv1.Event {
		g.Expect(k8sClient.List(suiteCtx, events, client.InNamespace(namespace))).To(Succeed())
		return events.Items
	}).ShouldNot(BeEmpty(), "events are recorded asynchronously")

	for _, value := range planted {
		Expect(value).NotTo(BeEmpty())
		for _, tok := range tokens.Items {
			raw, err := json.Marshal(tok)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(raw)).NotTo(ContainSubstring(value), "VippsToken %s", tok.Name)
			for _, c := range tok.Status.Conditions {
				Expect(c.Message).NotTo(ContainSubstring(value), "condition %s", c.Type)
			}
		}
		for _, ev := range events.Items {
			Expect(ev.Note).NotTo(ContainSubstring(value), "event %s", ev.Reason)
		}
	}
}

// Events are events.k8s.io/v1: repeats of an event (same type, reason, action and object)
// are aggregated into the first one's series. Its count reaches the API server at the second
// occurrence, and later counts only at client-go's series refresh, every 30 minutes.

// eventsFor lists the events about obj: in its namespace, or for a cluster-scoped object such
// as a ClusterVippsToken, in "default", where the events API keeps them.
func eventsFor(g Gomega, obj client.Object) []eventsv1.Event {
	namespace := obj.GetNamespace()
	if namespace == "" {
		namespace = metav1.NamespaceDefault
	}
	list := &eventsv1.EventList{}
	g.Expect(k8sClient.List(suiteCtx, list, client.InNamespace(namespace))).To(Succeed())
	var about []eventsv1.Event
	for _, ev := range list.Items {
		if ev.Regarding.UID == obj.GetUID() {
			about = append(about, ev)
		}
	}
	return about
}

// eventsWith filters events by type and, unless empty, reason.
func eventsWith(events []eventsv1.Event, eventType, reason string) []eventsv1.Event {
	var matching []eventsv1.Event
	for _, ev := range events {
		if ev.Type == eventType && (reason == "" || ev.Reason == reason) {
			matching = append(matching, ev)
		}
	}
	return matching
}

// occurrences is how often an event happened, as far as the API server knows.
func occurrences(ev eventsv1.Event) int32 {
	if ev.Series == nil {
		return 1
	}
	return ev.Series.Count
}

// Metric names, as the manager's metrics endpoint serves them.
const (
	metricExpiry   = "vipps_token_expiry_timestamp_seconds"
	metricRenewal  = "vipps_token_renewal_timestamp_seconds"
	metricReady    = "vipps_token_ready"
	metricRequests = "vipps_token_requests_total"
	metricDuration = "vipps_token_request_duration_seconds"
)

// withResult is labels plus a result.
func withResult(labels map[string]string, result string) map[string]string {
	out := maps.Clone(labels)
	out["result"] = result
	return out
}

// metricValue sums the series of a metric that carry the labels given (and any others): a
// counter's or gauge's value, a histogram's count of observations. Zero when there is none.
func metricValue(name string, labels map[string]string) float64 {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	var sum float64
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
		for _, m := range family.GetMetric() {
			if !hasLabels(labelsOf(m.GetLabel()), labels) {
				continue
			}
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				sum += m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

// gauge is the value of the one series of a gauge with exactly these labels.
func gauge(g Gomega, name string, labels map[string]string) float64 {
	g.Expect(seriesWith(name, labels)).To(HaveLen(1), "one series of %s for %v", name, labels)
	return metricValue(name, labels)
}

// seriesWith lists the label sets of a metric's series that carry the labels given.
func seriesWith(name string, labels map[string]string) []map[string]string {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	var found []map[string]string
	for _, family := range families {
		if family.GetName() != name {
			continue
		}
		for _, m := range family.GetMetric() {
			if have := labelsOf(m.GetLabel()); hasLabels(have, labels) {
				found = append(found, have)
			}
		}
	}
	return found
}

// expectNoSecretInLabels searches every label value of every metric of the operator.
func expectNoSecretInLabels(planted ...string) {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	seen := 0
	for _, family := range families {
		for _, m := range family.GetMetric() {
			for _, label := range m.GetLabel() {
				seen++
				for _, value := range planted {
					Expect(value).NotTo(BeEmpty())
					Expect(label.GetValue()).NotTo(ContainSubstring(value), "label %s of %s", label.GetName(), family.GetName())
				}
			}
		}
	}
	Expect(seen).To(BeNumerically(">", 0))
}

func labelsOf[L interface {
	GetName() string
	GetValue() string
}](pairs []L) map[string]string {
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		out[p.GetName()] = p.GetValue()
	}
	return out
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
