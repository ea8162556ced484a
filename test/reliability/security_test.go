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
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/leakscan"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

var _ = Describe("Security", func() {
	It("never puts a client secret, subscription key or token into logs, events, status or metrics", func() {
		cluster := startCluster()
		// The highest verbosity: debug lines must not leak either.
		op, logPath := startOperator(cluster, "operator", "--zap-log-level=10")
		creds := createTokens(cluster, "planted", 3)
		Eventually(func(g Gomega) { allReady(g, cluster.Client, "planted", 3) }).Should(Succeed())
		tokens := targetTokens(Default, cluster.Client, "planted")

		By("failures of every kind, with the credentials in play")
		wrongSecret := "d3JvbmctYnV0LXBsYW50ZWQ+/secret=="
		setClientSecret(cluster, "planted", wrongSecret)
		Eventually(func() string { return readyReason(cluster, "planted", "token-0") }).
			Should(Equal(tokensv1alpha1.ReasonCredentialsRejected))
		setClientSecret(cluster, "planted", creds.ClientSecret)
		for _, fault := range []fakevipps.Fault{fakevipps.Status503, fakevipps.HTMLBody, fakevipps.RateLimited(0)} {
			fake.InjectFaults(fault, 1)
			requestRefresh(cluster, "planted", "token-1")
		}
		Eventually(func(g Gomega) { allReady(g, cluster.Client, "planted", 3) }).Should(Succeed())
		for name, token := range targetTokens(Default, cluster.Client, "planted") {
			tokens["renewed "+name] = token
		}

		outputs := map[string]string{
			"log":     readFile(logPath),
			"events":  eventNotes(cluster, "planted"),
			"status":  statusJSON(cluster, "planted"),
			"metrics": scrape(op),
		}
		Expect(outputs["log"]).To(ContainSubstring("Requesting a token"), "the log is at debug verbosity")
		secrets := make([]leakscan.Secret, 0, 3+len(tokens))
		secrets = append(secrets,
			planted("client secret", creds.ClientSecret), planted("wrong client secret", wrongSecret),
			planted("subscription key", creds.SubscriptionKeys[0]))
		for name, token := range tokens {
			secrets = append(secrets, planted("token of "+name, token))
		}
		expectNoLeaks(outputs, secrets)
	})

	It("sends nothing to an endpoint outside the allow-list", func() {
		var received atomic.Int32
		harvester := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { received.Add(1) }))
		DeferCleanup(harvester.Close)

		cluster := startCluster()
		startOperator(cluster, "operator")
		createTokens(cluster, "harvest", 1)
		tok := &tokensv1alpha1.VippsToken{}
		Expect(cluster.Client.Get(ctx, client.ObjectKey{Namespace: "harvest", Name: "token-0"}, tok)).To(Succeed())
		tok.Name, tok.ResourceVersion, tok.Spec.Endpoint = "harvester", "", harvester.URL
		tok.Spec.Targets = []tokensv1alpha1.TargetSecret{{Name: "harvested"}}
		tok.Status = tokensv1alpha1.VippsTokenStatus{}
		Expect(cluster.Client.Create(ctx, tok)).To(Succeed())

		Eventually(func() string { return readyReason(cluster, "harvest", "harvester") }).
			Should(Equal(tokensv1alpha1.ReasonEndpointNotAllowed))
		Consistently(received.Load).Should(BeZero())
	})
})

// maxZapLogLevel is the most verbose --zap-log-level the spec runs: 10 is where client-go
// logs whole request and response bodies.
const maxZapLogLevel = 10

// shortLifetime makes the manager renew each token within a few seconds.
const shortLifetime = 5 * time.Second

// verbosityRun is the manager at one log level, reconciling the namespace of its own.
type verbosityRun struct {
	level       int
	namespace   string
	creds       fakevipps.Credentials
	wrongSecret string
	op          *localcluster.Operator
	logPath     string
}

var _ = Describe("Security at every verbosity", func() {
	It("logs no 12 characters of a credential or token at any --zap-log-level, through create, renew, fail and recover",
		func() {
			cluster := startCluster()
			vipps := startTokenTap(fakevipps.WithCredentials(), fakevipps.WithLifetime(shortLifetime))
			kubeconfig, bearerToken := serviceAccountKubeconfig(cluster)

			// One manager per level, all at once, each confined to its namespace: the run
			// takes as long as one level's, not eleven.
			By("a manager at each level, as a ServiceAccount, creates a token")
			runs := make([]*verbosityRun, 0, maxZapLogLevel+1)
			for level := range maxZapLogLevel + 1 {
				run := &verbosityRun{
					level: level, namespace: fmt.Sprintf("verbosity-%d", level), wrongSecret: credentialstest.ClientSecret(),
				}
				run.op, run.logPath = startOperator(cluster, run.namespace, "--zap-log-level="+zapLogLevel(level),
					"--namespaces="+run.namespace, "--allowed-endpoints="+vipps.URL, "--kubeconfig="+kubeconfig)
				run.creds = createTokensAt(cluster, vipps.Server, vipps.URL, run.namespace, 1)
				runs = append(runs, run)
			}
			eventuallyAll(runs, func(g Gomega, run *verbosityRun) { allReady(g, cluster.Client, run.namespace, 1) })

			By("it renews the token")
			created := heldTokens(cluster, runs)
			eventuallyAll(runs, func(g Gomega, run *verbosityRun) {
				g.Expect(heldToken(cluster, run.namespace)).NotTo(Equal(created[run.level]), "level %d", run.level)
			})

			By("Vipps rejects a wrong client secret")
			for _, run := range runs {
				setClientSecret(cluster, run.namespace, run.wrongSecret)
			}
			eventuallyAll(runs, func(g Gomega, run *verbosityRun) {
				g.Expect(readyReason(cluster, run.namespace, "token-0")).
					To(Equal(tokensv1alpha1.ReasonCredentialsRejected), "level %d", run.level)
			})

			By("it recovers with the right one")
			rejected := heldTokens(cluster, runs)
			for _, run := range runs {
				setClientSecret(cluster, run.namespace, run.creds.ClientSecret)
			}
			eventuallyAll(runs, func(g Gomega, run *verbosityRun) {
				allReady(g, cluster.Client, run.namespace, 1)
				g.Expect(heldToken(cluster, run.namespace)).NotTo(Equal(rejected[run.level]), "level %d", run.level)
			})

			By("no log holds a window of any of them")
			for _, run := range runs {
				Expect(run.op.Stop()).To(Succeed())
			}
			tokens := vipps.Tokens()
			Expect(len(tokens)).To(BeNumerically(">=", 3*len(runs)), "each level created, renewed and recovered a token")
			secrets := make([]leakscan.Secret, 0, 1+3*len(runs)+len(tokens))
			secrets = append(secrets, planted("the manager's bearer token", bearerToken))
			for i, token := range tokens {
				secrets = append(secrets, planted(fmt.Sprintf("access token %d", i), token))
			}
			logs := map[string]string{}
			for _, run := range runs {
				secrets = append(secrets,
					planted(fmt.Sprintf("client secret of level %d", run.level), run.creds.ClientSecret),
					planted(fmt.Sprintf("wrong client secret of level %d", run.level), run.wrongSecret),
					planted(fmt.Sprintf("subscription key of level %d", run.level), run.creds.SubscriptionKeys[0]))
				log := readFile(run.logPath)
				if run.level > 0 {
					Expect(log).To(ContainSubstring("Requesting a token"), "the operator's debug lines at level %d", run.level)
				}
				logs[fmt.Sprintf("log at level %2d", run.level)] = log
			}
			expectNoLeaks(logs, secrets)
		})
})

// zapLogLevel is the --zap-log-level for a logr verbosity: controller-runtime takes 1 and
// up as numbers, and 0 only as "info".
func zapLogLevel(level int) string {
	if level == 0 {
		return "info"
	}
	return fmt.Sprint(level)
}

// eventuallyAll waits until check succeeds for every run at once: the managers work side
// by side, so the wait is as long as the slowest one's, not the sum.
func eventuallyAll(runs []*verbosityRun, check func(g Gomega, run *verbosityRun)) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		for _, run := range runs {
			check(g, run)
		}
	}).Should(Succeed())
}

// heldTokens maps each run's level to the token its target holds now.
func heldTokens(cluster *localcluster.Cluster, runs []*verbosityRun) map[int]string {
	held := make(map[int]string, len(runs))
	for _, run := range runs {
		held[run.level] = heldToken(cluster, run.namespace)
	}
	return held
}

// heldToken is the token in the target Secret token-0 of namespace, "" before there is one.
func heldToken(cluster *localcluster.Cluster, namespace string) string {
	secret := &corev1.Secret{}
	if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "token-0"}, secret); err != nil {
		return ""
	}
	return string(secret.Data[tokensv1alpha1.KeyAccessToken])
}

func setClientSecret(cluster *localcluster.Cluster, namespace, value string) {
	secret := &corev1.Secret{}
	Expect(cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "credentials"}, secret)).To(Succeed())
	before := secret.DeepCopy()
	secret.Data["client-secret"] = []byte(value)
	Expect(cluster.Client.Patch(ctx, secret, client.MergeFrom(before))).To(Succeed())
}

func requestRefresh(cluster *localcluster.Cluster, namespace, name string) {
	tok := &tokensv1alpha1.VippsToken{}
	Expect(cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, tok)).To(Succeed())
	before := tok.DeepCopy()
	tok.Annotations = map[string]string{tokensv1alpha1.AnnotationRefresh: randomValue()}
	Expect(cluster.Client.Patch(ctx, tok, client.MergeFrom(before))).To(Succeed())
}

func readyReason(cluster *localcluster.Cluster, namespace, name string) string {
	tok := &tokensv1alpha1.VippsToken{}
	if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, tok); err != nil {
		return ""
	}
	for _, c := range tok.Status.Conditions {
		if c.Type == tokensv1alpha1.ConditionReady {
			return c.Reason
		}
	}
	return ""
}

func readFile(path string) string {
	data, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	return string(data)
}

func eventNotes(cluster *localcluster.Cluster, namespace string) string {
	list := &eventsv1.EventList{}
	Expect(cluster.Client.List(ctx, list, client.InNamespace(namespace))).To(Succeed())
	Expect(list.Items).NotTo(BeEmpty())
	var notes strings.Builder
	for _, event := range list.Items {
		notes.WriteString(event.Reason + ": " + event.Note + "\n")
	}
	return notes.String()
}

func statusJSON(cluster *localcluster.Cluster, namespace string) string {
	list := &tokensv1alpha1.VippsTokenList{}
	Expect(cluster.Client.List(ctx, list, client.InNamespace(namespace))).To(Succeed())
	data, err := json.Marshal(list)
	Expect(err).NotTo(HaveOccurred())
	return string(data)
}

func scrape(op *localcluster.Operator) string {
	resp, err := http.Get(op.MetricsURL)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(body)).To(ContainSubstring("vipps_token_requests_total"))
	return string(body)
}

func randomValue() string { return metav1.Now().Format("150405.000000000") }
