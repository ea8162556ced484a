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
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// The manager's shutdown bounds, as cmd/main.go sets them.
const (
	gracefulShutdownTimeout = 5 * time.Second
	shutdownDeadline        = 8 * time.Second
	// exitSlack is what a process needs to end and be reaped on a loaded machine.
	exitSlack = time.Second
)

// shutdownCase is a state the manager is in when SIGTERM comes.
type shutdownCase struct {
	name string
	// start starts the manager and brings it into the state, in a namespace of its own.
	start func(namespace string) *localcluster.Operator
	// within is how soon the manager must have exited, and code its exit code.
	within time.Duration
	code   int
	// logs is a line the manager's log must hold, if any.
	logs string
}

var _ = Describe("Shutdown", func() {
	It("exits within its shutdown timeout on SIGTERM, whatever the operator is doing", func() {
		cluster := startCluster()
		logs := map[string]string{}
		run := func(name string, flags ...string) *localcluster.Operator {
			op, logPath := startOperator(cluster, name, flags...)
			logs[name] = logPath
			return op
		}
		cases := []shutdownCase{
			{
				name: "idle", within: gracefulShutdownTimeout, code: 0,
				start: func(namespace string) *localcluster.Operator {
					op := run(namespace)
					createTokens(cluster, namespace, 5)
					Eventually(func(g Gomega) { allReady(g, cluster.Client, namespace, 5) }).Should(Succeed())
					return op
				},
			},
			{
				name: "vipps-hanging", within: gracefulShutdownTimeout, code: 0,
				start: func(namespace string) *localcluster.Operator {
					// Longer than the shutdown, and than the client's own timeout (10 s).
					fake.InjectFaults(fakevipps.Hang(time.Minute), fakevipps.UntilCleared)
					DeferCleanup(fake.ClearFaults) // also when the spec fails before the SIGTERM
					op := run(namespace)
					creds := createTokens(cluster, namespace, 10)
					// One request goes first to a host that has been quiet, and the others
					// hold until it answers (host_availability.go), so the SIGTERM finds one
					// request hanging rather than one per worker.
					Eventually(func() int { return fake.CallsBy(creds.ClientID) }).Should(BeNumerically(">=", 1),
						"a token request hangs in flight")
					return op
				},
			},
			{
				name: "apiserver-stalled", within: gracefulShutdownTimeout, code: 0,
				start: func(namespace string) *localcluster.Operator {
					outage := newOutage(cluster)
					op := run(namespace, "--kubeconfig="+outage.Kubeconfig)
					stallWhileReconciling(cluster, outage, namespace)
					return op
				},
			},
			{
				// With leader election, as the chart deploys it: after the workers the manager
				// gives up its lease, and the release waits for an API server that does not
				// answer until its client's timeout (5 s, half the renew deadline). The shutdown
				// deadline would end a longer wait.
				name: "apiserver-stalled-leader", within: shutdownDeadline, code: 0,
				logs: "error retrieving resource lock",
				start: func(namespace string) *localcluster.Operator {
					Expect(cluster.Client.Create(ctx, &corev1.Namespace{
						ObjectMeta: metav1.ObjectMeta{Name: namespace + "-lease"}})).To(Succeed())
					outage := newOutage(cluster)
					op := run(namespace, "--kubeconfig="+outage.Kubeconfig, "--leader-elect",
						"--leader-election-namespace="+namespace+"-lease", "--leader-election-id=vto")
					stallWhileReconciling(cluster, outage, namespace)
					return op
				},
			},
			{
				name: "reconciles-in-flight", within: gracefulShutdownTimeout, code: 0,
				start: func(namespace string) *localcluster.Operator {
					op := run(namespace)
					calls := fake.Calls()
					created := make(chan struct{})
					go func() {
						defer GinkgoRecover()
						defer close(created)
						createTokens(cluster, namespace, 200)
					}()
					DeferCleanup(func() { <-created })
					Eventually(func() int { return fake.Calls() - calls }, 30*time.Second, 10*time.Millisecond).
						Should(BeNumerically(">=", 20), "the operator is at work on the VippsTokens being created")
					return op
				},
			},
		}

		report := make([]string, 0, len(cases))
		for _, c := range cases {
			By(c.name)
			op := c.start(c.name)
			sent := time.Now()
			Expect(op.Signal(syscall.SIGTERM)).To(Succeed())
			select {
			case <-op.Exited():
			case <-time.After(c.within + exitSlack + 10*time.Second):
			}
			took := time.Since(sent)
			fake.ClearFaults() // for the next case: a hanging Vipps is one case's state only
			report = append(report, fmt.Sprintf("%-26s exited after %6s with code %d",
				c.name, took.Round(time.Millisecond), exitCode(op)))
			GinkgoWriter.Println(report[len(report)-1])
			if took > c.within+exitSlack || exitCode(op) != c.code {
				log, _ := os.ReadFile(logs[c.name])
				GinkgoWriter.Printf("The manager's log:\n%s\n", log)
			}
			Expect(took).To(BeNumerically("<=", c.within+exitSlack), "%s: the manager exits in time", c.name)
			Expect(exitCode(op)).To(Equal(c.code), "%s: the exit code", c.name)
			if c.logs != "" {
				Expect(os.ReadFile(logs[c.name])).To(ContainSubstring(c.logs))
			}
		}
		GinkgoWriter.Println("SIGTERM to exit:\n  " + strings.Join(report, "\n  "))
		AddReportEntry("SIGTERM to exit", strings.Join(report, "\n"))
	})
})

// exitCode is the manager's exit code, or -2 while it runs.
func exitCode(op *localcluster.Operator) int {
	select {
	case <-op.Exited():
		return op.ExitCode()
	default:
		return -2
	}
}

// newOutage puts a proxy between a manager and the API server; when the spec ends it cuts
// whatever is stalled in it, which the API server would otherwise wait for as it stops.
func newOutage(cluster *localcluster.Cluster) *localcluster.Outage {
	outage, err := cluster.NewOutage()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(outage.Begin)
	return outage
}

// stallWhileReconciling has the operator start on 30 VippsTokens and then holds every byte
// between it and the API server for a minute: reconciles wait on their writes, the watches
// on their events.
func stallWhileReconciling(cluster *localcluster.Cluster, outage *localcluster.Outage, namespace string) {
	calls := fake.Calls()
	createTokens(cluster, namespace, 30)
	Eventually(func() int { return fake.Calls() - calls }, 30*time.Second, 10*time.Millisecond).
		Should(BeNumerically(">=", 1), "the operator is at work")
	outage.Slow(time.Minute)
	time.Sleep(time.Second) // what was in flight is now waiting for the API server
}
