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
	"maps"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// Metric names, as the manager's metrics endpoint serves them.
const (
	metricExpiry   = "vipps_token_expiry_timestamp_seconds"
	metricRenewal  = "vipps_token_renewal_timestamp_seconds"
	metricReady    = "vipps_token_ready"
	metricRequests = "vipps_token_requests_total"
	metricDuration = "vipps_token_request_duration_seconds"
)

// The request metrics are global to the suite; specs run one at a time, so a spec reads how
// much they grew while it ran.
var _ = Describe("Metrics of a VippsToken", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("exports expiry, renewal and readiness of each VippsToken and counts requests by result", func() {
		standardTest := map[string]string{"type": "Standard", "environment": "Test"}
		successes := metricValue(metricRequests, withResult(standardTest, "Success"))
		unavailable := metricValue(metricRequests, withResult(standardTest, tokensv1alpha1.ReasonVippsUnavailable))
		timed := metricValue(metricDuration, standardTest)

		creds := newCredentials(namespace, "vipps-credentials")
		create(newToken(namespace, "shop", "vipps-credentials"))
		tok := eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		self := map[string]string{"namespace": namespace, "name": "shop"}

		Eventually(func(g Gomega) {
			g.Expect(gauge(g, metricExpiry, self)).To(BeNumerically("==", tok.Status.ExpiresAt.Unix()))
			g.Expect(gauge(g, metricRenewal, self)).To(BeNumerically("==", tok.Status.RenewalTime.Unix()))
			g.Expect(gauge(g, metricReady, self)).To(BeNumerically("==", 1))
		}).Should(Succeed())
		Expect(metricValue(metricRequests, withResult(standardTest, "Success")) - successes).To(BeNumerically("==", 1))
		Expect(metricValue(metricDuration, standardTest)-timed).To(BeNumerically("==", 1), "one observed duration")

		By("a failed request is counted by its reason, and a valid token stays ready")
		fake.InjectFaults(fakevipps.Status503, fakevipps.UntilCleared)
		DeferCleanup(fake.ClearFaults)
		annotate(namespace, "shop", tokensv1alpha1.AnnotationRefresh, "1")
		Eventually(func() float64 {
			return metricValue(metricRequests, withResult(standardTest, tokensv1alpha1.ReasonVippsUnavailable)) - unavailable
		}).Should(BeNumerically("==", 1))
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(2))
		Consistently(func(g Gomega) {
			g.Expect(gauge(g, metricReady, self)).To(BeNumerically("==", 1))
			g.Expect(gauge(g, metricExpiry, self)).To(BeNumerically("==", tok.Status.ExpiresAt.Unix()))
		}, "1s").Should(Succeed())

		By("no label value holds a secret")
		expectNoSecretInLabels(append(secretsOf(creds), accessToken(Default, namespace, "shop-token"))...)

		By("a deleted VippsToken's series are dropped")
		Expect(k8sClient.Delete(suiteCtx, tok)).To(Succeed())
		Eventually(func() []map[string]string {
			return slices.Concat(seriesWith(metricExpiry, self), seriesWith(metricRenewal, self),
				seriesWith(metricReady, self))
		}).Should(BeEmpty())
	})

	It("exports a VippsToken without a token as not ready, with no expiry", func() {
		creds := newCredentials(namespace, "elsewhere")
		create(newToken(namespace, "shop", "vipps-credentials"))
		eventuallyNotReady(namespace, "shop", tokensv1alpha1.ReasonCredentialsNotFound)
		self := map[string]string{"namespace": namespace, "name": "shop"}

		Eventually(func(g Gomega) {
			g.Expect(gauge(g, metricReady, self)).To(BeNumerically("==", 0))
			g.Expect(seriesWith(metricExpiry, self)).To(BeEmpty())
			g.Expect(seriesWith(metricRenewal, self)).To(BeEmpty())
		}).Should(Succeed())
		expectNoSecretInLabels(secretsOf(creds)...)
	})
})

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
