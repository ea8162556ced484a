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
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/leakscan"
)

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
				run := &verbosityRun{level: level, namespace: fmt.Sprintf("verbosity-%d", level), wrongSecret: randomSecret()}
				run.op, run.logPath = startOperator(cluster, run.namespace, "--zap-log-level="+zapLogLevel(level),
					"--namespaces="+run.namespace, "--allowed-endpoints="+vipps.URL, "--kubeconfig="+kubeconfig)
				run.creds = createVerbosityToken(cluster, vipps, run.namespace)
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

// createVerbosityToken creates, in a new namespace, credentials that vipps accepts and a
// VippsToken with one target, which holds the request headers as well as the token.
func createVerbosityToken(cluster *localcluster.Cluster, vipps *tokenTap, namespace string) fakevipps.Credentials {
	key := make([]byte, 16)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+).
	creds := fakevipps.Credentials{
		ClientID:         fmt.Sprintf("%08x-1111-4222-8333-%012x", time.Now().UnixNano()%1e8, time.Now().UnixNano()%1e12),
		ClientSecret:     randomSecret(),
		SubscriptionKeys: []string{hex.EncodeToString(key)},
	}
	vipps.AddCredentials(creds)
	c := cluster.Client
	Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
	Expect(c.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "credentials", Namespace: namespace},
		StringData: map[string]string{
			"client-id": creds.ClientID, "client-secret": creds.ClientSecret, "subscription-key": creds.SubscriptionKeys[0],
		},
	})).To(Succeed())
	Expect(c.Create(ctx, &tokensv1alpha1.VippsToken{
		ObjectMeta: metav1.ObjectMeta{Name: "token-0", Namespace: namespace},
		Spec: tokensv1alpha1.VippsTokenSpec{
			Type: tokensv1alpha1.TokenTypeStandard, Environment: tokensv1alpha1.EnvironmentTest,
			Endpoint:             vipps.URL,
			MerchantSerialNumber: "100000",
			CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "credentials"},
			Targets:              []tokensv1alpha1.TargetSecret{{Name: "token-0", IncludeRequestHeaders: true}},
			RefreshPolicy:        &tokensv1alpha1.RefreshPolicy{MinimumInterval: &metav1.Duration{Duration: time.Second}},
		},
	})).To(Succeed())
	return creds
}

// randomSecret is shaped like a Vipps client secret: base64, with its punctuation.
func randomSecret() string {
	return rand.Text() + "+/" + rand.Text()[:8] + "=="
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
