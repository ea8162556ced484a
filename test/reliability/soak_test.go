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

package reliability

import (
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
)

// sample is what the soak reads from the manager every ten seconds.
type sample struct {
	at             time.Duration
	rssMiB         float64
	goroutines     float64
	vippsCallsRate float64
}

var _ = Describe("Soak", Label("soak"), func() {
	It("keeps 200 tokens of 20 s valid throughout, with flat memory and goroutines", func() {
		duration, err := time.ParseDuration(os.Getenv("SOAK_DURATION"))
		if err != nil {
			Skip("minutes long: run make soak (SOAK_DURATION=10m)")
		}
		Expect(duration).To(BeNumerically(">=", 3*time.Minute), "the warm-up minute and two to compare")

		cluster := startCluster()
		op, _ := startOperator(cluster, "operator")
		fake.SetLifetime(20 * time.Second) // renewed about 13 s after issue
		DeferCleanup(func() { fake.SetLifetime(0) })
		creds := createTokens(cluster, "soak", 200)
		Eventually(func(g Gomega) { allReady(g, cluster.Client, "soak", 200) }, 2*time.Minute).Should(Succeed())

		start := time.Now()
		var samples []sample
		lastCalls := fake.CallsBy(creds.ClientID)
		for elapsed := time.Duration(0); elapsed < duration; elapsed = time.Since(start) {
			targetTokens(Default, cluster.Client, "soak") // fails on any expired token
			if len(samples) == 0 || elapsed-samples[len(samples)-1].at >= 10*time.Second {
				calls := fake.CallsBy(creds.ClientID)
				samples = append(samples, readSample(op, elapsed, float64(calls-lastCalls)/10))
				lastCalls = calls
			}
			time.Sleep(time.Second)
		}

		for _, s := range samples {
			GinkgoWriter.Printf("%6s  rss %6.1f MiB  goroutines %4.0f  Vipps calls %5.1f/s\n",
				s.at.Round(time.Second), s.rssMiB, s.goroutines, s.vippsCallsRate)
		}
		// The first minute is warm-up; compare the second minute with the last.
		second, last := samples[6:12], samples[len(samples)-6:]
		Expect(mean(last, rss)).To(BeNumerically("<=", 1.25*mean(second, rss)), "memory grows")
		Expect(mean(last, goroutinesOf)).To(BeNumerically("<=", mean(second, goroutinesOf)+10), "goroutines leak")
	})
})

func readSample(op *localcluster.Operator, at time.Duration, callsPerSecond float64) sample {
	m, err := op.Metrics(ctx)
	Expect(err).NotTo(HaveOccurred())
	Expect(m.Has("go_goroutines", nil)).To(BeTrue(), "the manager exports the Go runtime's metrics")
	return sample{
		at:             at,
		rssMiB:         m.Sum("process_resident_memory_bytes", nil) / (1 << 20),
		goroutines:     m.Sum("go_goroutines", nil),
		vippsCallsRate: callsPerSecond,
	}
}

func rss(s sample) float64          { return s.rssMiB }
func goroutinesOf(s sample) float64 { return s.goroutines }

func mean(samples []sample, of func(sample) float64) float64 {
	sum := 0.0
	for _, s := range samples {
		sum += of(s)
	}
	return sum / float64(len(samples))
}
