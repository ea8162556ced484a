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

package helm

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

const keepAnnotation = "helm.sh/resource-policy"

// allOn turns on every optional part of the chart at once.
const allOn = `
crds: {enabled: true, keep: true}
replicaCount: 2
manager:
  allowedEndpoints: [https://vipps-proxy.example.com/vipps, https://apitest.vipps.no]
  namespaces: [shop, checkout, vipps-platform]
  clusterResourceNamespace: vipps-platform
  kubeAPIQPS: 75.5
  kubeAPIBurst: 1000000
  maxConcurrentReconciles: 20
  vippsTimeout: 1m30s
  vippsRateLimit: 20
  vippsRateBurst: 5
  leaderElection: {enabled: true, id: shop-tokens, namespace: vipps-leases}
extraArgs: [--zap-log-level=debug]
serviceMonitor:
  enabled: true
  labels: {release: kube-prometheus-stack}
  interval: 30s
  scrapeTimeout: 10s
  relabelings: [{action: replace, targetLabel: cluster, replacement: test}]
  metricRelabelings: [{action: drop, sourceLabels: [__name__], regex: go_.*}]
prometheusRule: {enabled: true, labels: {release: kube-prometheus-stack}}
grafanaDashboard: {enabled: true}
networkPolicy: {enabled: true}
rolloutRestarts: {enabled: true, minInterval: 10m}
serviceAccount: {annotations: {example.com/role: vipps}}
podAnnotations: {example.com/scrape: "false"}
podLabels: {team: payments}
imagePullSecrets: [{name: regcred}]
priorityClassName: system-cluster-critical
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: operators, effect: NoSchedule}]
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}]}]
`

var _ = Describe("Every rendering", func() {
	DescribeTable("is accepted by the API server, every object of it, without a warning, and fits together",
		func(values string, check func(r *rendering)) {
			r := render(values)
			expectWired(r)
			kubectl.ExpectAccepted(r.Manifest)
			check(r)
		},
		Entry("the defaults", ``, func(r *rendering) {
			for _, name := range crdNames {
				crd := r.Object("CustomResourceDefinition", name)
				Expect(crd.GetAnnotations()).To(HaveKeyWithValue(keepAnnotation, "keep"))
			}
			expectClusterVippsTokenRoles(r, "vipps-token-operator")
			Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--cluster-resource-namespace")),
				"the manager's own namespace by default")
			Expect(r.manager().Image).To(Equal("ghcr.io/vipps-token-operator/vipps-token-operator:v0.1.0"),
				"the tag defaults to the chart's appVersion")
			Expect(r.All("ServiceMonitor")).To(BeEmpty())
			Expect(r.All("PrometheusRule")).To(BeEmpty())
			Expect(r.All("NetworkPolicy")).To(BeEmpty())
			Expect(r.All("ConfigMap")).To(BeEmpty())
			r.ExpectNoWorkloadAccess()
			Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--enable-rollout-restarts")))
		}),
		Entry("crds.enabled off", `crds: {enabled: false}`, func(r *rendering) {
			Expect(r.All("CustomResourceDefinition")).To(BeEmpty())
		}),
		Entry("crds.keep off", `crds: {keep: false}`, func(r *rendering) {
			for _, name := range crdNames {
				crd := r.Object("CustomResourceDefinition", name)
				Expect(crd.GetAnnotations()).NotTo(HaveKey(keepAnnotation))
			}
		}),
		Entry("no ClusterVippsToken roles", `rbac: {clusterVippsTokenRoles: false}`, func(r *rendering) {
			Expect(r.names()).NotTo(ContainElement(HavePrefix("ClusterRole vipps-token-operator-clustervippstoken-")))
			Expect(r.names()).To(ContainElement("ClusterRole vipps-token-operator-vippstoken-editor-role"))
		}),
		Entry("no aggregated VippsToken roles: the ClusterVippsToken roles stay", `rbac: {aggregateClusterRoles: false}`,
			func(r *rendering) {
				Expect(r.names()).NotTo(ContainElement(ContainSubstring("-vippstoken-")))
				expectClusterVippsTokenRoles(r, "vipps-token-operator")
			}),
		Entry("a cluster resource namespace", `manager: {clusterResourceNamespace: vipps-platform}`, func(r *rendering) {
			Expect(r.manager().Args).To(ContainElement("--cluster-resource-namespace=vipps-platform"))
		}),
		Entry("a cluster resource namespace among the namespaces",
			`manager: {namespaces: [shop, vipps-platform], clusterResourceNamespace: vipps-platform}`, func(r *rendering) {
				Expect(r.manager().Args).To(ContainElements(
					"--namespaces=shop,vipps-platform", "--cluster-resource-namespace=vipps-platform"))
			}),
		Entry("the ServiceMonitor", `serviceMonitor: {enabled: true, labels: {release: prom}, interval: 1m}`,
			func(r *rendering) {
				monitor := r.Object("ServiceMonitor", "vipps-token-operator-controller-manager-metrics-monitor")
				Expect(monitor.GetLabels()).To(HaveKeyWithValue("release", "prom"))
				Expect(monitor.GetNamespace()).To(Equal(namespace))
			}),
		Entry("the PrometheusRule", `prometheusRule: {enabled: true, labels: {release: prom}}`, func(r *rendering) {
			rules := r.All("PrometheusRule")
			Expect(rules).To(HaveLen(1))
			Expect(rules[0].GetLabels()).To(HaveKeyWithValue("release", "prom"))
			groups, _, err := unstructured.NestedSlice(rules[0].Object, "spec", "groups")
			Expect(err).NotTo(HaveOccurred())
			Expect(groups).NotTo(BeEmpty())
		}),
		Entry("the Grafana dashboard", `grafanaDashboard: {enabled: true, labels: {team: payments}}`,
			func(r *rendering) {
				dashboard := r.Object("ConfigMap", "vipps-token-operator-grafana-dashboard")
				Expect(dashboard.GetLabels()).To(HaveKeyWithValue("grafana_dashboard", "1"))
				Expect(dashboard.GetLabels()).To(HaveKeyWithValue("team", "payments"))
				Expect(dashboard.Object["data"]).To(HaveKeyWithValue("vipps-token-operator.json",
					WithTransform(func(s string) bool { return json.Valid([]byte(s)) }, BeTrue())))
			}),
		Entry("the NetworkPolicies", `networkPolicy: {enabled: true}`, func(r *rendering) {
			Expect(r.All("NetworkPolicy")).To(HaveLen(2), "one for ingress to the metrics, one for egress")
		}),
		Entry("rollout restarts", `rolloutRestarts: {enabled: true, minInterval: 1h30m}`, func(r *rendering) {
			Expect(r.manager().Args).To(ContainElements(
				"--enable-rollout-restarts", "--rollout-restart-min-interval=1h30m"))
			expectRolloutRestartRBAC(r, "vipps-token-operator")
		}),
		Entry("rollout restarts with the manager's default interval", `rolloutRestarts: {enabled: true}`,
			func(r *rendering) {
				Expect(r.manager().Args).To(ContainElement("--enable-rollout-restarts"))
				Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--rollout-restart-min-interval")))
			}),
		Entry("no rollout restarts, whatever the interval", `rolloutRestarts: {enabled: false, minInterval: 1h}`,
			func(r *rendering) {
				Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--rollout-restart")))
				Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--enable-rollout-restarts")))
				r.ExpectNoWorkloadAccess()
			}),
		Entry("rollout restarts under another name, for an existing ServiceAccount", `{fullnameOverride: tokens, `+
			`serviceAccount: {create: false, name: vipps-operator}, rolloutRestarts: {enabled: true}}`,
			func(r *rendering) {
				expectRolloutRestartRBAC(r, "tokens")
				binding := r.Object("ClusterRoleBinding", "tokens-rollout-restart-rolebinding")
				Expect(binding.Object["subjects"]).To(ConsistOf(HaveKeyWithValue("name", "vipps-operator")))
			}),
		Entry("leader election off", `manager: {leaderElection: {enabled: false}}`, func(r *rendering) {
			Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--leader-elect")))
			Expect(r.All("Role")).To(BeEmpty(), "no Lease, so no Role for it")
			Expect(r.All("RoleBinding")).To(BeEmpty())
		}),
		Entry("the Lease elsewhere", `manager: {leaderElection: {id: shop, namespace: `+leaseNamespace+`}}`,
			func(r *rendering) {
				Expect(r.manager().Args).To(ContainElements(
					"--leader-elect", "--leader-election-id=shop", "--leader-election-namespace="+leaseNamespace))
				Expect(r.Object("Role", "vipps-token-operator-leader-election-role").GetNamespace()).
					To(Equal(leaseNamespace))
			}),
		Entry("namespaces", `manager: {namespaces: [shop, checkout]}`, func(r *rendering) {
			Expect(r.manager().Args).To(ContainElement("--namespaces=shop,checkout"))
		}),
		Entry("allowed endpoints", `manager: {allowedEndpoints: [https://proxy.example.com/vipps]}`,
			func(r *rendering) {
				Expect(r.manager().Args).To(ContainElement("--allowed-endpoints=https://proxy.example.com/vipps"))
			}),
		Entry("no allowed endpoint: an empty list is not the default", `manager: {allowedEndpoints: []}`,
			func(r *rendering) {
				Expect(r.manager().Args).To(ContainElement("--allowed-endpoints="))
			}),
		Entry("extraArgs, after the chart's", `extraArgs: [--zap-log-level=debug, --enable-http2]`,
			func(r *rendering) {
				Expect(r.manager().Args).To(HaveExactElements(
					"--metrics-bind-address=:8443", "--leader-elect", "--health-probe-bind-address=:8081",
					"--zap-log-level=debug", "--enable-http2"))
			}),
		Entry("2 replicas", `replicaCount: 2`, func(r *rendering) {
			Expect(r.deployment().Spec.Replicas).To(HaveValue(BeEquivalentTo(2)))
		}),
		Entry("metrics off", `metrics: {enabled: false}`, func(r *rendering) {
			Expect(r.All("Service")).To(BeEmpty())
			Expect(r.manager().Args).NotTo(ContainElement(HavePrefix("--metrics-bind-address")))
			Expect(r.manager().Ports).To(ConsistOf(HaveField("Name", "health")))
			Expect(r.names()).NotTo(ContainElement(ContainSubstring("metrics")))
		}),
		Entry("metrics off, behind NetworkPolicies", `{metrics: {enabled: false}, networkPolicy: {enabled: true}}`,
			func(r *rendering) {
				ingress := r.Object("NetworkPolicy", "vipps-token-operator-allow-metrics-traffic")
				Expect(ingress.Object["spec"]).To(HaveKeyWithValue("ingress", BeEmpty()), "nothing to let in")
			}),
		Entry("an existing ServiceAccount", `serviceAccount: {create: false, name: vipps-operator}`,
			func(r *rendering) {
				Expect(r.All("ServiceAccount")).To(BeEmpty())
				Expect(r.deployment().Spec.Template.Spec.ServiceAccountName).To(Equal("vipps-operator"))
			}),
		Entry("another name", `fullnameOverride: tokens`, func(r *rendering) {
			Expect(r.deployment().Name).To(Equal("tokens-controller-manager"))
			for _, obj := range r.Objects {
				if obj.GetKind() != "CustomResourceDefinition" {
					Expect(obj.GetName()).To(HavePrefix("tokens-"), "%s %s", obj.GetKind(), obj.GetName())
				}
			}
		}),
		Entry("the alerts under another name", `{fullnameOverride: tokens, prometheusRule: {enabled: true}}`,
			func(r *rendering) {
				rules := r.Object("PrometheusRule", "tokens-alerts")
				Expect(rules.Object["spec"]).To(HaveKeyWithValue("groups", ContainElement(HaveKeyWithValue("rules",
					ContainElement(HaveKeyWithValue("expr", ContainSubstring(
						`job="tokens-controller-manager-metrics-service"`)))))),
					"the alert on the operator's absence names the Service's scrape job")
			}),
		Entry("an image by digest", `image: {repository: registry.example.com/vto, tag: v9, digest: sha256:`+
			`0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}`, func(r *rendering) {
			Expect(r.manager().Image).To(Equal(
				"registry.example.com/vto@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
		}),
		Entry("an image by tag", `image: {repository: registry.example.com/vto, tag: v9, pullPolicy: Always}`,
			func(r *rendering) {
				Expect(r.manager().Image).To(Equal("registry.example.com/vto:v9"))
				Expect(r.manager().ImagePullPolicy).To(Equal(corev1.PullAlways))
			}),
		Entry("everything on", allOn, func(r *rendering) {
			pod := r.deployment().Spec.Template
			Expect(pod.Labels).To(HaveKeyWithValue("team", "payments"))
			Expect(pod.Annotations).To(HaveKeyWithValue("example.com/scrape", "false"))
			Expect(pod.Annotations).To(HaveKeyWithValue("kubectl.kubernetes.io/default-container", "manager"))
			Expect(pod.Spec.ImagePullSecrets).To(ConsistOf(corev1.LocalObjectReference{Name: "regcred"}))
			Expect(pod.Spec.PriorityClassName).To(Equal("system-cluster-critical"))
			Expect(pod.Spec.NodeSelector).To(HaveKeyWithValue("kubernetes.io/os", "linux"))
			Expect(pod.Spec.Tolerations).To(HaveLen(1))
			Expect(pod.Spec.Affinity).To(HaveValue(HaveField("NodeAffinity", Not(BeNil()))))
			Expect(r.All("ServiceAccount")[0].GetAnnotations()).To(HaveKeyWithValue("example.com/role", "vipps"))
			Expect(r.manager().Args).To(ContainElements(
				"--kube-api-qps=75.5", "--kube-api-burst=1000000", "--max-concurrent-reconciles=20",
				"--vipps-timeout=1m30s", "--vipps-rate-limit=20", "--vipps-rate-burst=5",
				"--enable-rollout-restarts", "--rollout-restart-min-interval=10m",
				"--cluster-resource-namespace=vipps-platform"))
			expectRolloutRestartRBAC(r, "vipps-token-operator")
			expectClusterVippsTokenRoles(r, "vipps-token-operator")
		}),
	)
})

var _ = Describe("The dry run", func() {
	It("reports a manager pod that breaks the restricted Pod Security Standard, so its silence means something", func() {
		r := render(`securityContext: {allowPrivilegeEscalation: true}`)
		_, stderr, err := kubectl.ApplyDryRun(r.Manifest)
		Expect(err).NotTo(HaveOccurred(), "PodSecurity warns about a Deployment; it refuses only its pods")
		Expect(stderr).To(ContainSubstring(`would violate PodSecurity "restricted:latest"`))
		Expect(stderr).To(ContainSubstring("allowPrivilegeEscalation != false"))
	})
})

// crdNames are the CRDs that config/crd holds, and the chart with it.
var crdNames = []string{"vippstokens.tokens.vippsoperator.dev", "clustervippstokens.tokens.vippsoperator.dev"}

// expectClusterVippsTokenRoles expects the admin, editor and viewer ClusterRoles of
// ClusterVippsTokens to be in the rendering, to grant nothing but on ClusterVippsTokens, and to
// aggregate into no built-in role: whoever may create a ClusterVippsToken has the operator hand
// the platform's token to the namespaces it selects, which no namespace role may grant.
func expectClusterVippsTokenRoles(r *rendering, fullname string) {
	GinkgoHelper()
	for _, suffix := range []string{"admin", "editor", "viewer"} {
		role := &rbacv1.ClusterRole{}
		installtest.FromUnstructured(r.Object("ClusterRole", fullname+"-clustervippstoken-"+suffix+"-role"), role)
		Expect(role.AggregationRule).To(BeNil())
		for key := range role.Labels {
			Expect(key).NotTo(HavePrefix("rbac.authorization.k8s.io/aggregate-to-"), role.Name)
		}
		for _, rule := range role.Rules {
			Expect(rule.APIGroups).To(ConsistOf("tokens.vippsoperator.dev"), role.Name)
			Expect(rule.Resources).To(HaveEach(HavePrefix("clustervippstokens")), role.Name)
		}
	}
	for _, binding := range append(r.All("ClusterRoleBinding"), r.All("RoleBinding")...) {
		Expect(binding.Object["roleRef"]).NotTo(HaveKeyWithValue("name", ContainSubstring("clustervippstoken")),
			"the chart binds the ClusterVippsToken roles to nobody")
	}
}

// expectRolloutRestartRBAC expects the rendering to grant get and patch on Deployments,
// StatefulSets and DaemonSets, in every namespace, and nothing else in apps, through the
// ClusterRole <fullname>-rollout-restart-role, which aggregates into no built-in role.
// expectWired checks that its binding binds it to the manager's ServiceAccount.
func expectRolloutRestartRBAC(r *rendering, fullname string) {
	GinkgoHelper()
	role := &rbacv1.ClusterRole{}
	installtest.FromUnstructured(r.Object("ClusterRole", fullname+"-rollout-restart-role"), role)
	Expect(role.Rules).To(HaveExactElements(rbacv1.PolicyRule{
		APIGroups: []string{"apps"},
		Resources: []string{"daemonsets", "deployments", "statefulsets"},
		Verbs:     []string{"get", "patch"},
	}))
	Expect(role.AggregationRule).To(BeNil())
	for key := range role.Labels {
		Expect(key).NotTo(HavePrefix("rbac.authorization.k8s.io/aggregate-to-"))
	}
	binding := &rbacv1.ClusterRoleBinding{}
	installtest.FromUnstructured(r.Object("ClusterRoleBinding", fullname+"-rollout-restart-rolebinding"), binding)
	Expect(binding.RoleRef.Name).To(Equal(role.Name))

	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, obj := range r.All(kind) {
			if obj.GetName() == role.Name {
				continue
			}
			other := &rbacv1.ClusterRole{}
			installtest.FromUnstructured(obj, other)
			for _, rule := range other.Rules {
				Expect(rule.APIGroups).NotTo(ContainElement(BeElementOf("apps", "*")), "%s %s", kind, other.Name)
			}
		}
	}
}
