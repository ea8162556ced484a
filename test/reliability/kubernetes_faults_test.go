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
	"math"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

var _ = Describe("Kubernetes faults", func() {
	It("loses no token and sends no storm of Vipps calls when the API server goes away and comes back", func() {
		cluster := startCluster()
		outage, err := cluster.NewOutage()
		Expect(err).NotTo(HaveOccurred())
		startOperator(cluster, "operator", "--kubeconfig="+outage.Kubeconfig)
		creds := createTokens(cluster, "apiserver-restart", 20)
		Eventually(func(g Gomega) { allReady(g, cluster.Client, "apiserver-restart", 20) }).Should(Succeed())
		before := targetTokens(Default, cluster.Client, "apiserver-restart")
		Expect(fake.CallsBy(creds.ClientID)).To(Equal(20))

		By("the operator loses the API server for 10 seconds")
		outage.Begin()
		time.Sleep(10 * time.Second)
		Expect(outage.End()).To(Succeed())

		Eventually(func(g Gomega) { allReady(g, cluster.Client, "apiserver-restart", 20) }).Should(Succeed())
		Consistently(func(g Gomega) {
			g.Expect(targetTokens(g, cluster.Client, "apiserver-restart")).To(Equal(before), "the tokens in hand still serve")
			g.Expect(fake.CallsBy(creds.ClientID)).To(Equal(20), "no Vipps call follows")
		}, 5*time.Second, 500*time.Millisecond).Should(Succeed())
	})

	It("hands over to a second replica when the leader is killed, with no renewal fetched twice", func() {
		cluster := startCluster()
		Expect(cluster.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "operator"}})).To(Succeed())
		leaderFlags := []string{"--leader-elect", "--leader-election-namespace=operator", "--leader-election-id=vto"}
		first, _ := startOperator(cluster, "first", leaderFlags...)
		Eventually(func() string { return leaseHolder(cluster.Client) }).ShouldNot(BeEmpty())
		holder := leaseHolder(cluster.Client)
		startOperator(cluster, "second", leaderFlags...)

		fake.SetLifetime(30 * time.Second) // renewed about 20 s after issue
		DeferCleanup(func() { fake.SetLifetime(0) })
		creds := createTokens(cluster, "failover", 5)
		Eventually(func(g Gomega) { allReady(g, cluster.Client, "failover", 5) }).Should(Succeed())

		By("kill -9 of the leader")
		first.Kill()
		Eventually(func() string { return leaseHolder(cluster.Client) }, operatortest.LeaderHandoverBound).
			ShouldNot(Equal(holder), "the second replica takes over once the lease duration (15 s) has passed")

		By("renewals go on, every target valid throughout")
		seen := map[string]bool{}
		Consistently(func(g Gomega) {
			for _, token := range targetTokens(g, cluster.Client, "failover") {
				seen[token] = true
			}
		}, 45*time.Second, 500*time.Millisecond).Should(Succeed())
		Expect(len(seen)).To(BeNumerically(">=", 10), "the first tokens and at least one renewal each")

		By("one fetch per renewal: two replicas never fetched for the same renewal")
		// A renewal comes about 20 s after the last; a second fetch for the same one would
		// follow within a second or two.
		Expect(shortestGapBetweenFetches(creds.ClientID)).To(BeNumerically(">", 10*time.Second))
	})
})

// shortestGapBetweenFetches is the shortest time between two token requests for the same
// VippsToken, told apart by their merchant serial numbers.
func shortestGapBetweenFetches(clientID string) time.Duration {
	byToken := map[string][]time.Time{}
	for _, req := range fake.Requests() {
		if req.ClientID == clientID {
			msn := req.Header.Get("Merchant-Serial-Number")
			byToken[msn] = append(byToken[msn], req.Time)
		}
	}
	shortest := time.Duration(math.MaxInt64)
	for _, times := range byToken {
		for i := 1; i < len(times); i++ {
			shortest = min(shortest, times[i].Sub(times[i-1]))
		}
	}
	return shortest
}

// leaseHolder is the identity holding the leader election Lease, or "".
func leaseHolder(c client.Client) string {
	lease := &coordinationv1.Lease{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "operator", Name: "vto"}, lease); err != nil {
		return ""
	}
	if lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}
