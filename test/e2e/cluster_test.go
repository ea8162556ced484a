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
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// kubectlRun runs the real kubectl against the cluster.
func kubectlRun(args ...string) {
	GinkgoHelper()
	kubectlIn(Default, args...)
}

// kubectlIn is kubectlRun for a polled function, returning kubectl's stdout: a failure fails
// that poll only.
func kubectlIn(g Gomega, args ...string) string {
	stdout, stderr, err := installtest.Run(kubectl.Path, append([]string{"--kubeconfig", kubectl.Kubeconfig}, args...)...)
	g.Expect(err).NotTo(HaveOccurred(), stderr)
	return stdout
}

// followLogs streams a pod's log with `kubectl logs --follow` from now until its container
// ends, so that nothing it writes while it shuts down is lost; the returned function waits for
// that end and returns the whole log.
func followLogs(namespace, pod string) (wait func() string) {
	GinkgoHelper()
	var out bytes.Buffer
	cmd := exec.Command(kubectl.Path, "--kubeconfig", kubectl.Kubeconfig,
		"logs", "--follow", "--namespace", namespace, pod)
	cmd.Stdout, cmd.Stderr = &out, GinkgoWriter
	Expect(cmd.Start()).To(Succeed())
	return func() string {
		GinkgoHelper()
		Expect(cmd.Wait()).To(Succeed())
		return out.String()
	}
}

// podLogs is what `kubectl logs` shows of a pod's only container.
func podLogs(g Gomega, namespace, pod string) string {
	return kubectlIn(g, "logs", "--namespace", namespace, pod)
}

func operatorPods() []corev1.Pod {
	GinkgoHelper()
	pods := &corev1.PodList{}
	Expect(k8s.List(context.Background(), pods, client.InNamespace(operatorNamespace),
		client.MatchingLabels{"control-plane": "controller-manager"})).To(Succeed())
	return pods.Items
}

// leaseHolder is the pod named by the leader election Lease ("" when none holds it); its
// holder identity is the pod's name, an underscore and a unique suffix.
func leaseHolder() string {
	lease := &coordinationv1.Lease{}
	key := client.ObjectKey{Namespace: operatorNamespace, Name: leaderLease}
	if err := k8s.Get(context.Background(), key, lease); err != nil {
		return ""
	}
	if lease.Spec.HolderIdentity == nil {
		return ""
	}
	holder, _, _ := strings.Cut(*lease.Spec.HolderIdentity, "_")
	return holder
}

// vippsRequests counts the token requests the fake Vipps server's log shows.
func vippsRequests(g Gomega) int {
	return strings.Count(podLogs(g, appNamespace, "fake-vipps"), `msg="Served request" method=POST`)
}

// fileChanges parses the workload's output.
func fileChanges(g Gomega) []FileChange {
	var changes []FileChange
	scanner := bufio.NewScanner(strings.NewReader(podLogs(g, appNamespace, "reader")))
	for scanner.Scan() {
		var change FileChange
		g.Expect(json.Unmarshal(scanner.Bytes(), &change)).To(Succeed(), scanner.Text())
		changes = append(changes, change)
	}
	return changes
}

// serviceAccountToken is a short-lived token for a ServiceAccount, from the TokenRequest API
// (what `kubectl create token` calls, without printing the token into the suite's output).
func serviceAccountToken(namespace, name string) string {
	GinkgoHelper()
	request, err := clientset.CoreV1().ServiceAccounts(namespace).CreateToken(context.Background(), name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}},
		metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
	return request.Status.Token
}

// secretHistory records each new token in the target Secret as a watch sees it, with the
// time it saw it: the start of a renewal's way to the workload's file.
type secretHistory struct {
	mu      sync.Mutex
	changes []SecretChange
	tokens  []string
}

func watchTargetSecret(ctx context.Context) *secretHistory {
	GinkgoHelper()
	history := &secretHistory{}
	selector := fields.OneTermEqualSelector("metadata.name", targetName).String()
	list, err := clientset.CoreV1().Secrets(appNamespace).List(ctx, metav1.ListOptions{FieldSelector: selector})
	Expect(err).NotTo(HaveOccurred())
	for i := range list.Items {
		history.record(&list.Items[i])
	}
	watcher, err := watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
			options.FieldSelector = selector
			return clientset.CoreV1().Secrets(appNamespace).Watch(ctx, options)
		},
	})
	Expect(err).NotTo(HaveOccurred())
	go func() {
		defer GinkgoRecover()
		for event := range watcher.ResultChan() {
			if secret, ok := event.Object.(*corev1.Secret); ok && event.Type != watch.Deleted {
				history.record(secret)
			}
		}
	}()
	DeferCleanup(watcher.Stop) // when the container that started the watch ends
	return history
}

func (h *secretHistory) record(secret *corev1.Secret) {
	token := secret.Data[tokensv1alpha1.KeyAccessToken]
	if len(token) == 0 {
		return
	}
	expiry, err := time.Parse(time.RFC3339, string(secret.Data[tokensv1alpha1.KeyExpiresAt]))
	if err != nil {
		Fail(fmt.Sprintf("the target's %s is not RFC 3339: %v", tokensv1alpha1.KeyExpiresAt, err))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	fingerprint := Fingerprint(token)
	if n := len(h.changes); n > 0 && h.changes[n-1].Fingerprint == fingerprint {
		return
	}
	h.changes = append(h.changes, SecretChange{At: time.Now(), Fingerprint: fingerprint, Expiry: expiry})
	h.tokens = append(h.tokens, string(token))
}

// Changes returns the tokens seen so far, oldest first.
func (h *secretHistory) Changes() []SecretChange {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]SecretChange(nil), h.changes...)
}

// Tokens returns every token the target held, for the search of the logs.
func (h *secretHistory) Tokens() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.tokens...)
}
