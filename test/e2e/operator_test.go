//go:build e2e

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

package e2e

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/leakscan"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/operatortest"
)

var _ = Describe("The operator installed in a real cluster", Ordered, func() {
	var (
		ctx      = context.Background()
		manifest *installtest.Manifest
		endpoint string
		secrets  *secretHistory
		// operatorLogs gathers the log of every operator pod before the suite deletes it.
		operatorLogs strings.Builder
	)

	BeforeAll(func() {
		By("creating the application's namespace, with the fake Vipps server as a pod")
		recreateNamespace(ctx, restrictedNamespace(appNamespace))
		createMetricsAccounts(ctx)
		endpoint = startFakeVipps(ctx)
		// Watched from now to the end of the suite: every token the target will hold.
		secrets = watchTargetSecret(ctx)

		By("installing the operator from dist/install.yaml")
		manifest = installer(endpoint)
		// What an earlier, interrupted run on the same cluster may have left.
		kubectlRun("delete", "--ignore-not-found", "--wait", "--timeout=3m", "-f", manifest.Path)
		kubectlRun("apply", "--server-side", "--field-manager=vipps-e2e", "-f", manifest.Path)
	})

	JustAfterEach(func() {
		if CurrentSpecReport().Failed() {
			stdout, _, _ := installtest.Run(kubectl.Path, "--kubeconfig", kubectl.Kubeconfig,
				"get", "pods,events", "--all-namespaces", "-o", "wide")
			AddReportEntry("cluster at the failure", stdout)
		}
	})

	It("becomes Available under the restricted Pod Security level, non-root with a read-only root filesystem, "+
		"and takes the Lease", func() {
		kubectlRun("wait", "--namespace", operatorNamespace, "--for=condition=Available", "--timeout=3m",
			"deployment/"+operatorDeployment)

		namespace := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: operatorNamespace}, namespace)).To(Succeed())
		Expect(namespace.Labels).To(HaveKeyWithValue("pod-security.kubernetes.io/enforce", "restricted"))

		pods := operatorPods()
		Expect(pods).To(HaveLen(1))
		pod := pods[0]
		Expect(isReady(&pod)).To(BeTrue(), "the readiness probe passes")
		Expect(pod.Status.ContainerStatuses[0].RestartCount).To(BeZero(), "the liveness probe passes")
		Expect(*pod.Spec.SecurityContext.RunAsNonRoot).To(BeTrue())
		Expect(*pod.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem).To(BeTrue())
		Eventually(leaseHolder).WithTimeout(time.Minute).Should(Equal(pod.Name))
	})

	It("renews a token from the fake Vipps pod that a restricted workload reads from its file", func() {
		credentials := credentialstest.Secret(appNamespace, credentialsSecret, fakeCredentials())
		Expect(k8s.Create(ctx, credentials)).To(Succeed())
		Expect(k8s.Create(ctx, vippsToken(endpoint))).To(Succeed())
		Eventually(func(g Gomega) {
			token := &tokensv1alpha1.VippsToken{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: appNamespace, Name: tokenName}, token)).To(Succeed())
			g.Expect(meta.IsStatusConditionTrue(token.Status.Conditions, tokensv1alpha1.ConditionReady)).To(BeTrue())
		}).WithTimeout(time.Minute).Should(Succeed())

		Expect(k8s.Create(ctx, readerPod())).To(Succeed())
		Eventually(func(g Gomega) {
			changes := secrets.Changes()
			g.Expect(changes).NotTo(BeEmpty())
			g.Expect(fileChanges(g)).To(ContainElement(HaveField("Fingerprint", changes[len(changes)-1].Fingerprint)))
		}).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(Succeed())
	})

	It("gets each renewal into the workload's file before the token it replaces expires", func() {
		const renewals = 3
		Eventually(func() int { return len(secrets.Changes()) }).
			WithTimeout(renewals * 90 * time.Second).WithPolling(time.Second).Should(BeNumerically(">", renewals))
		// The last renewal has the kubelet's sync period and a margin to reach the file.
		var delivered []Delivery
		Eventually(func(g Gomega) {
			var problems []string
			delivered, problems = Deliveries(secrets.Changes(), fileChanges(g), time.Now())
			g.Expect(problems).To(BeEmpty())
			g.Expect(len(delivered)).To(BeNumerically(">=", renewals))
		}).WithTimeout(30 * time.Second).WithPolling(time.Second).Should(Succeed())
		for _, d := range delivered {
			AddReportEntry("renewal reached the file",
				fmt.Sprintf("token %s: %.1f s after the Secret changed, %.1f s before the previous token expired",
					d.Fingerprint, d.Delay.Seconds(), d.Margin.Seconds()))
		}
	})

	It("serves metrics over HTTPS to a ServiceAccount bound to the metrics-reader role, and to no other", func() {
		service := &corev1.Service{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: metricsService}, service)).To(Succeed())
		address := net.JoinHostPort(service.Spec.ClusterIP, strconv.Itoa(int(service.Spec.Ports[0].Port)))

		reader := serviceAccountToken(appNamespace, "metrics-reader")
		Eventually(func(g Gomega) {
			status, body := operatortest.ScrapeMetrics(g, address, reader)
			g.Expect(status).To(Equal(200))
			g.Expect(body).To(ContainSubstring(fmt.Sprintf(`vipps_token_expiry_timestamp_seconds{name=%q,namespace=%q}`,
				tokenName, appNamespace)))
		}).WithTimeout(time.Minute).Should(Succeed())
		status, _ := operatortest.ScrapeMetrics(Default, address, serviceAccountToken(appNamespace, "no-metrics"))
		Expect(status).To(Equal(403))
	})

	It("sends no extra Vipps request when its pod is deleted, and the new pod takes the Lease", func() {
		token := awaitRenewalAtLeast(ctx, 30*time.Second)
		before := vippsRequests(Default)
		old := operatorPods()[0]
		oldLog := followLogs(operatorNamespace, old.Name)
		Expect(k8s.Delete(ctx, &old)).To(Succeed())
		operatorLogs.WriteString(oldLog())

		Eventually(func() string { return leaseHolder() }).WithTimeout(2 * time.Minute).
			ShouldNot(Or(BeEmpty(), Equal(old.Name)))
		kubectlRun("wait", "--namespace", operatorNamespace, "--for=condition=Available", "--timeout=2m",
			"deployment/"+operatorDeployment)
		// The new leader has read the targets by now; until the renewal is due it must not ask
		// Vipps for anything.
		quiet := time.Until(token.Status.RenewalTime.Time) - 2*time.Second
		Expect(quiet).To(BeNumerically(">=", 5*time.Second), "the restart took so long that the renewal is due")
		Consistently(func(g Gomega) int { return vippsRequests(g) }).WithTimeout(quiet).
			WithPolling(2 * time.Second).Should(Equal(before))
	})

	// scaleBackToOneReplica ends the two-replica spec. The replica that the scale-down deletes
	// goes with its log, so its log is followed to its end for the scan below, and the next
	// spec starts when only the other replica is left: listing the Pods while one is being
	// deleted races with its deletion. Both replicas run first (the spec deleted one, whose
	// replacement may still be starting), so that each has a log to follow. The remaining
	// replica's follower ends with its Pod.
	scaleBackToOneReplica := func() {
		running := func() []corev1.Pod {
			var pods []corev1.Pod
			for _, pod := range operatorPods() {
				if pod.DeletionTimestamp.IsZero() && pod.Status.Phase == corev1.PodRunning {
					pods = append(pods, pod)
				}
			}
			return pods
		}
		Eventually(running).WithTimeout(3 * time.Minute).WithPolling(time.Second).Should(HaveLen(2))
		followed := map[string]func() string{}
		for _, pod := range running() {
			followed[pod.Name] = followLogs(operatorNamespace, pod.Name)
		}
		kubectlRun("scale", "--namespace", operatorNamespace, "deployment/"+operatorDeployment, "--replicas=1")
		var left []corev1.Pod
		Eventually(func() []corev1.Pod { left = operatorPods(); return left }).WithTimeout(time.Minute).
			WithPolling(time.Second).Should(HaveLen(1))
		for name, logOf := range followed {
			if name != left[0].Name {
				operatorLogs.WriteString(logOf())
			}
		}
	}

	It("reconciles only on the leader of two replicas, and hands over within the lease duration when it goes", func() {
		kubectlRun("scale", "--namespace", operatorNamespace, "deployment/"+operatorDeployment, "--replicas=2")
		DeferCleanup(scaleBackToOneReplica)
		Eventually(func(g Gomega) {
			deployment := &appsv1.Deployment{}
			key := client.ObjectKey{Namespace: operatorNamespace, Name: operatorDeployment}
			g.Expect(k8s.Get(ctx, key, deployment)).To(Succeed())
			g.Expect(deployment.Status.ReadyReplicas).To(BeEquivalentTo(2))
		}).WithTimeout(3 * time.Minute).Should(Succeed())

		reader := serviceAccountToken(appNamespace, "metrics-reader")
		leader := leaseHolder()
		var follower corev1.Pod
		for _, pod := range operatorPods() {
			reconciles := reconcileCount(Default, pod, reader)
			if pod.Name == leader {
				Expect(reconciles).To(BeNumerically(">", 0), "the leader reconciles")
			} else {
				follower = pod
				Expect(reconciles).To(BeZero(), "pod %s, not the leader, reconciles", pod.Name)
			}
		}
		Expect(follower.Name).NotTo(BeEmpty())

		leaderPod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: leader}}
		leaderLog := followLogs(operatorNamespace, leader)
		gone := time.Now()
		Expect(k8s.Delete(ctx, leaderPod)).To(Succeed())
		// The Deployment replaces the deleted Pod at once, and either the other replica or the
		// replacement may win the Lease.
		var successor string
		handover := InterceptGomegaFailure(func() {
			Eventually(func() string { successor = leaseHolder(); return successor }).
				WithTimeout(operatortest.LeaderHandoverBound).WithPolling(200 * time.Millisecond).
				ShouldNot(Or(BeEmpty(), Equal(leader)))
		})
		AddReportEntry("leader handover", fmt.Sprintf("%.1f s from the leader's deletion", time.Since(gone).Seconds()))
		log := leaderLog()
		operatorLogs.WriteString(log)
		Expect(handover).NotTo(HaveOccurred(), "the leader's log:\n%s", log)
		// A replacement Pod can hold the Lease before the kubelet has reported its IP.
		Eventually(func(g Gomega) {
			newLeader := &corev1.Pod{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: successor}, newLeader)).To(Succeed())
			g.Expect(newLeader.Status.PodIP).NotTo(BeEmpty())
			g.Expect(reconcileCount(g, *newLeader, reader)).To(BeNumerically(">", 0))
		}).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed())
	})

	It("writes no token or credential into its log", func() {
		for _, pod := range operatorPods() {
			operatorLogs.WriteString(podLogs(Default, operatorNamespace, pod.Name))
		}
		creds := fakeCredentials()
		tokens := secrets.Tokens()
		secretsToFind := make([]leakscan.Secret, 0, 2+len(tokens))
		secretsToFind = append(secretsToFind,
			leakscan.Secret{Name: "client secret", Value: creds.ClientSecret},
			leakscan.Secret{Name: "subscription key", Value: creds.SubscriptionKeys[0]},
		)
		for i, token := range tokens {
			secretsToFind = append(secretsToFind, leakscan.Secret{Name: fmt.Sprintf("token %d", i), Value: token})
		}
		Expect(secretsToFind).To(HaveLen(2 + len(secrets.Changes())))
		Expect(operatorLogs.Len()).To(BeNumerically(">", 0))
		Expect(leakscan.Scan(operatorLogs.String(), secretsToFind)).To(BeEmpty())
	})

	It("is removed completely by deleting what it installed, and the VippsToken's targets with it", func() {
		kubectlRun("delete", "--wait", "--timeout=3m", "-f", manifest.Path)
		for _, obj := range manifest.Objects {
			found := &unstructured.Unstructured{}
			found.SetGroupVersionKind(obj.GroupVersionKind())
			Eventually(func() bool {
				return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(obj), found))
			}).WithTimeout(time.Minute).Should(BeTrue(), "%s %s is left", obj.GetKind(), obj.GetName())
		}
		Eventually(func() bool {
			key := client.ObjectKey{Namespace: appNamespace, Name: targetName}
			return apierrors.IsNotFound(k8s.Get(ctx, key, &corev1.Secret{}))
		}).WithTimeout(time.Minute).Should(BeTrue(), "the garbage collector deletes the target with its VippsToken")
	})
})

// recreateNamespace creates the namespace afresh, and deletes it when the suite ends.
func recreateNamespace(ctx context.Context, namespace *corev1.Namespace) {
	GinkgoHelper()
	_ = k8s.Delete(ctx, namespace.DeepCopy())
	Eventually(func() error { return k8s.Create(ctx, namespace.DeepCopy()) }).WithTimeout(2 * time.Minute).
		Should(Succeed())
	DeferCleanup(func() { _ = k8s.Delete(context.Background(), namespace) })
}

// createMetricsAccounts creates a ServiceAccount bound to the installer's metrics-reader role,
// and one bound to nothing.
func createMetricsAccounts(ctx context.Context) {
	GinkgoHelper()
	for _, sa := range []string{"metrics-reader", "no-metrics"} {
		account := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: appNamespace, Name: sa}}
		Expect(k8s.Create(ctx, account)).To(Succeed())
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "vipps-e2e-metrics-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: metricsReaderRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: appNamespace, Name: "metrics-reader"}},
	}
	_ = k8s.Delete(ctx, binding.DeepCopy())
	Expect(k8s.Create(ctx, binding)).To(Succeed())
	DeferCleanup(func() { _ = k8s.Delete(context.Background(), binding) })
}

// startFakeVipps runs the fake Vipps server as a pod and returns its URL. Pods reach it by its
// pod IP: the cluster has no DNS.
func startFakeVipps(ctx context.Context) (endpoint string) {
	GinkgoHelper()
	Expect(k8s.Create(ctx, fakeVippsPod())).To(Succeed())
	fake := &corev1.Pod{}
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: appNamespace, Name: "fake-vipps"}, fake)).To(Succeed())
		g.Expect(isReady(fake)).To(BeTrue())
	}).WithTimeout(2 * time.Minute).Should(Succeed())
	return "http://" + net.JoinHostPort(fake.Status.PodIP, strconv.Itoa(fakeVippsPort))
}

func isReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// awaitRenewalAtLeast waits until the VippsToken's next renewal is at least d away, so that
// what a spec does before it is not mistaken for a renewal.
func awaitRenewalAtLeast(ctx context.Context, d time.Duration) *tokensv1alpha1.VippsToken {
	GinkgoHelper()
	token := &tokensv1alpha1.VippsToken{}
	Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: appNamespace, Name: tokenName}, token)).To(Succeed())
		g.Expect(token.Status.RenewalTime).NotTo(BeNil())
		g.Expect(time.Until(token.Status.RenewalTime.Time)).To(BeNumerically(">=", d))
	}).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(Succeed())
	return token
}

// reconcileCount is controller-runtime's count of the pod's VippsToken reconciles, from its
// metrics endpoint.
func reconcileCount(g Gomega, pod corev1.Pod, bearer string) float64 {
	GinkgoHelper()
	status, body := operatortest.ScrapeMetrics(g, net.JoinHostPort(pod.Status.PodIP, "8443"), bearer)
	g.Expect(status).To(Equal(200))
	total := 0.0
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, "controller_runtime_reconcile_total{") &&
			strings.Contains(line, `controller="vippstoken"`) {
			fields := strings.Fields(line)
			value, err := strconv.ParseFloat(fields[len(fields)-1], 64)
			g.Expect(err).NotTo(HaveOccurred())
			total += value
		}
	}
	return total
}
