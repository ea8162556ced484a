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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
)

// Workloads that read the token once, restarted after a new token: once per token, never
// sooner than the minimum interval, never by a resync or a restart of the operator. The
// suite's manager runs with restarts enabled and restartMinInterval.
var _ = Describe("Restarting the workloads of a VippsToken", func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("restarts each named workload once for a new token, and not again on a resync", func() {
		workloads := []client.Object{
			newDeployment(namespace, "checkout"), newStatefulSet(namespace, "ledger"), newDaemonSet(namespace, "agent"),
		}
		for _, w := range workloads {
			createWorkload(w)
		}
		newCredentials(namespace, "vipps-credentials")
		tok := tokenRestarting(namespace,
			restartTarget(tokensv1alpha1.WorkloadDeployment, "checkout"),
			restartTarget(tokensv1alpha1.WorkloadStatefulSet, "ledger"),
			restartTarget(tokensv1alpha1.WorkloadDaemonSet, "agent"))
		create(tok)

		restarted := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestarted)
		Expect(restarted.Status.LastRolloutRestart.TokenRefreshTime).To(Equal(*restarted.Status.LastRefreshTime))
		stamps := restartStamps(Default, workloads...)
		Expect(stamps).To(HaveEach(Not(BeEmpty())), "every workload restarted")
		Eventually(func(g Gomega) []eventsv1.Event {
			return eventsWith(eventsFor(g, restarted), corev1.EventTypeNormal, tokensv1alpha1.ReasonRestarted)
		}).Should(HaveLen(3))

		touch(restarted)
		Consistently(func(g Gomega) []string { return restartStamps(g, workloads...) }).
			WithTimeout(restartMinInterval + 2*time.Second).Should(Equal(stamps))
	})

	It("restarts again for the next token, but not sooner than the minimum interval", func() {
		deployment := restartingCheckout(namespace)
		first := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestarted).Status.LastRolloutRestart
		firstStamp := restartStamps(Default, deployment)[0]

		By("a new token within the minimum interval waits for it")
		refreshInANewSecond(namespace, "shop", first.TokenRefreshTime.Time)
		pending := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestartPending)
		Expect(pending.Status.LastRefreshTime.Time).To(BeTemporally(">", first.TokenRefreshTime.Time))
		Expect(restartStamps(Default, deployment)[0]).To(Equal(firstStamp))

		By("then it restarts once, for the new token")
		again := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestarted)
		Expect(again.Status.LastRolloutRestart.TokenRefreshTime).To(Equal(*again.Status.LastRefreshTime))
		Expect(again.Status.LastRolloutRestart.Time.Sub(first.Time.Time)).To(BeNumerically(">=", restartMinInterval))
		Expect(restartStamps(Default, deployment)[0]).NotTo(Equal(firstStamp))
	})

	It("reports a paused or missing workload once, restarts the others, and retries none", func() {
		paused := newDeployment(namespace, "paused")
		paused.Spec.Paused = true
		running := newDeployment(namespace, "running")
		createWorkload(paused)
		createWorkload(running)
		newCredentials(namespace, "vipps-credentials")
		create(tokenRestarting(namespace,
			restartTarget(tokensv1alpha1.WorkloadDeployment, "paused"),
			restartTarget(tokensv1alpha1.WorkloadDeployment, "running"),
			restartTarget(tokensv1alpha1.WorkloadDeployment, "missing")))

		failed := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestartFailed)
		message := condition(failed, tokensv1alpha1.ConditionRolloutRestarted).Message
		Expect(message).To(And(ContainSubstring("Deployment paused is paused"),
			ContainSubstring("Deployment missing does not exist")))
		stamps := restartStamps(Default, paused, running)
		Expect(stamps[0]).To(BeEmpty(), "the paused Deployment is left alone")
		Expect(stamps[1]).NotTo(BeEmpty(), "the running Deployment is restarted")

		warnings := func(g Gomega) int {
			return len(eventsWith(eventsFor(g, failed), corev1.EventTypeWarning, tokensv1alpha1.ReasonRestartFailed))
		}
		Eventually(warnings).Should(Equal(2))
		touch(failed)
		Consistently(warnings).WithTimeout(restartMinInterval + 2*time.Second).Should(Equal(2))
		Expect(getToken(namespace, "shop").Status.LastRolloutRestart).To(Equal(failed.Status.LastRolloutRestart))
	})

	It("does not restart for a token that was in place before the workloads were named, only for the next", func() {
		deployment := newDeployment(namespace, "checkout")
		createWorkload(deployment)
		newReadyToken(namespace, "shop")

		editSpec(namespace, "shop", func(spec *tokensv1alpha1.VippsTokenSpec) {
			spec.RolloutRestartTargets = []tokensv1alpha1.RolloutRestartTarget{
				restartTarget(tokensv1alpha1.WorkloadDeployment, "checkout"),
			}
		})
		adopted := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestarted)
		Expect(adopted.Status.LastRolloutRestart.TokenRefreshTime).To(Equal(*adopted.Status.LastRefreshTime))
		Expect(restartStamps(Default, deployment)).To(Equal([]string{""}))

		refreshInANewSecond(namespace, "shop", adopted.Status.LastRefreshTime.Time)
		Eventually(func(g Gomega) []string { return restartStamps(g, deployment) }).
			WithTimeout(restartMinInterval + 10*time.Second).Should(HaveEach(Not(BeEmpty())))
	})
})

var _ = Describe("Restarting workloads across a restart of the operator", Serial, func() {
	var namespace string
	BeforeEach(func() { namespace = newNamespace() })

	It("restarts nothing when the operator restarts", func() {
		deployment := restartingCheckout(namespace)
		before := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestarted)
		stamp := restartStamps(Default, deployment)

		manager.stop()
		manager = startManager()
		Consistently(func(g Gomega) []string { return restartStamps(g, deployment) }).
			WithTimeout(restartMinInterval + 2*time.Second).Should(Equal(stamp))
		Expect(getToken(namespace, "shop").Status.LastRolloutRestart).To(Equal(before.Status.LastRolloutRestart))
	})

	It("says so in a condition, and restarts nothing, when restarts are not enabled", func() {
		manager.stop()
		manager = startManager(withoutRolloutRestarts())
		DeferCleanup(func() {
			manager.stop()
			manager = startManager()
		})
		deployment := restartingCheckout(namespace)

		eventuallyReady(namespace, "shop", tokensv1alpha1.ReasonTokenValid)
		disabled := eventuallyRestarted(namespace, tokensv1alpha1.ReasonRestartsDisabled)
		Expect(condition(disabled, tokensv1alpha1.ConditionRolloutRestarted).Message).
			To(ContainSubstring("--enable-rollout-restarts"))
		Expect(restartStamps(Default, deployment)).To(Equal([]string{""}))
		Expect(disabled.Status.LastRolloutRestart).To(BeNil())
	})
})

// refreshInANewSecond requests a refresh once the second of the token issued at last has
// passed: a token is known by the second it was requested in (status.lastRefreshTime), so a
// second token within the same second is not restarted for.
func refreshInANewSecond(namespace, name string, last time.Time) {
	time.Sleep(time.Until(last.Add(time.Second)))
	annotate(namespace, name, tokensv1alpha1.AnnotationRefresh, randomHex(4))
}

func restartTarget(kind tokensv1alpha1.WorkloadKind, name string) tokensv1alpha1.RolloutRestartTarget {
	return tokensv1alpha1.RolloutRestartTarget{Kind: kind, Name: name}
}

// restartingCheckout creates the Deployment "checkout" and the VippsToken "shop" that
// restarts it, and returns the Deployment.
func restartingCheckout(namespace string) *appsv1.Deployment {
	GinkgoHelper()
	deployment := newDeployment(namespace, "checkout")
	createWorkload(deployment)
	newCredentials(namespace, "vipps-credentials")
	create(tokenRestarting(namespace, restartTarget(tokensv1alpha1.WorkloadDeployment, "checkout")))
	return deployment
}

// tokenRestarting is the VippsToken "shop", with the credentials Secret "vipps-credentials",
// that restarts targets.
func tokenRestarting(namespace string, targets ...tokensv1alpha1.RolloutRestartTarget) *tokensv1alpha1.VippsToken {
	tok := newToken(namespace, "shop", "vipps-credentials")
	tok.Spec.RolloutRestartTargets = targets
	return tok
}

// eventuallyRestarted waits until the RolloutRestarted condition of the VippsToken "shop" has
// reason, and returns the VippsToken as it is then.
func eventuallyRestarted(namespace, reason string) *tokensv1alpha1.VippsToken {
	GinkgoHelper()
	var tok *tokensv1alpha1.VippsToken
	Eventually(func(g Gomega) {
		tok = &tokensv1alpha1.VippsToken{}
		g.Expect(k8sClient.Get(suiteCtx, nameIn(namespace, "shop"), tok)).To(Succeed())
		g.Expect(tok.Status.Conditions).To(ContainElement(And(
			HaveField("Type", tokensv1alpha1.ConditionRolloutRestarted), HaveField("Reason", reason))))
	}).WithTimeout(restartMinInterval + 10*time.Second).Should(Succeed())
	return tok
}

// createWorkload creates w and deletes it when the spec ends.
func createWorkload(w client.Object) {
	GinkgoHelper()
	Expect(k8sClient.Create(suiteCtx, w)).To(Succeed())
	DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, w))).To(Succeed()) })
}

// restartStamps reads the restarted-at annotation of each workload's pod template, "" where
// it has none.
func restartStamps(g Gomega, workloads ...client.Object) []string {
	stamps := make([]string, 0, len(workloads))
	for _, w := range workloads {
		live := w.DeepCopyObject().(client.Object)
		g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(w), live)).To(Succeed())
		var template corev1.PodTemplateSpec
		switch workload := live.(type) {
		case *appsv1.Deployment:
			template = workload.Spec.Template
		case *appsv1.StatefulSet:
			template = workload.Spec.Template
		case *appsv1.DaemonSet:
			template = workload.Spec.Template
		}
		stamps = append(stamps, template.Annotations[tokensv1alpha1.AnnotationRestartedAt])
	}
	return stamps
}

// podTemplate is the smallest pod template the API server accepts, for workloads that no
// controller runs in envtest.
func podTemplate(app string) (*metav1.LabelSelector, corev1.PodTemplateSpec) {
	labels := map[string]string{"app": app}
	return &metav1.LabelSelector{MatchLabels: labels}, corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: app, Image: "example.com/" + app}}},
	}
}

func newDeployment(namespace, name string) *appsv1.Deployment {
	selector, template := podTemplate(name)
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DeploymentSpec{Selector: selector, Template: template}}
}

func newStatefulSet(namespace, name string) *appsv1.StatefulSet {
	selector, template := podTemplate(name)
	return &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.StatefulSetSpec{Selector: selector, Template: template, ServiceName: name}}
}

func newDaemonSet(namespace, name string) *appsv1.DaemonSet {
	selector, template := podTemplate(name)
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DaemonSetSpec{Selector: selector, Template: template}}
}
