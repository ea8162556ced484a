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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// A value the chart cannot use must fail `helm template` and `helm lint` alike (helm install
// and upgrade validate as template does), with a message that names the value, rather than
// be ignored or reach the cluster.
var _ = Describe("A mistyped value", func() {
	DescribeTable("fails the rendering and the lint, naming the value",
		func(values string, message ...string) {
			_, stderr, err := helmTemplate(values)
			Expect(err).To(HaveOccurred(), "helm template accepted %s", values)
			for _, m := range message {
				Expect(stderr).To(ContainSubstring(m))
			}

			stdout, _, err := helmLint(values)
			Expect(err).To(HaveOccurred(), "helm lint accepted %s", values)
			for _, m := range message {
				Expect(stdout).To(ContainSubstring(m))
			}
		},
		Entry("an unknown key", `replicas: 2`, "additional properties 'replicas' not allowed"),
		Entry("an unknown key, deeper down", `manager: {kubeApiQps: 20}`,
			"/manager", "additional properties 'kubeApiQps' not allowed"),
		Entry("a wrong type", `replicaCount: two`, "/replicaCount", "got string, want integer"),
		Entry("a boolean as a string", `crds: {keep: "false"}`, "/crds/keep", "got string, want boolean"),
		Entry("a bad enum", `image: {pullPolicy: Sometimes}`, "/image/pullPolicy", "'Always', 'IfNotPresent', 'Never'"),
		Entry("a number below the minimum", `manager: {maxConcurrentReconciles: 0}`,
			"/manager/maxConcurrentReconciles", "minimum"),
		Entry("a negative QPS", `manager: {kubeAPIQPS: -1}`, "/manager/kubeAPIQPS", "minimum"),
		Entry("a fraction for an integer flag", `manager: {vippsRateBurst: 2.5}`,
			"/manager/vippsRateBurst", "got number, want null or integer"),
		Entry("a timeout without a unit", `manager: {vippsTimeout: "10"}`, "/manager/vippsTimeout", "'10'"),
		Entry("an allowed endpoint that is not a URL", `manager: {allowedEndpoints: [api.vipps.no]}`,
			"/manager/allowedEndpoints/0", "'api.vipps.no'"),
		Entry("a namespace that cannot be one", `manager: {namespaces: [Shop]}`, "/manager/namespaces/0", "'Shop'"),
		Entry("a cluster resource namespace that cannot be one", `manager: {clusterResourceNamespace: Vipps_Platform}`,
			"/manager/clusterResourceNamespace", "'Vipps_Platform'"),
		Entry("a ClusterVippsToken role switch as a string", `rbac: {clusterVippsTokenRoles: "false"}`,
			"/rbac/clusterVippsTokenRoles", "got string, want boolean"),
		Entry("a flag without its dashes", `extraArgs: [zap-log-level=debug]`, "/extraArgs/0", "'zap-log-level=debug'"),
		Entry("a digest that is not one", `image: {digest: latest}`, "/image/digest", "'latest'"),
		Entry("a misspelt resource field", `resources: {limit: {memory: 1Gi}}`,
			"/resources", "additional properties 'limit' not allowed"),
		Entry("no one allowed to scrape, which a NetworkPolicy reads as everyone", `networkPolicy: {metricsFrom: []}`,
			"/networkPolicy/metricsFrom", "minItems"),
		Entry("rollout restarts as a string", `rolloutRestarts: {enabled: "true"}`,
			"/rolloutRestarts/enabled", "got string, want boolean"),
		Entry("a misspelt rollout restart key", `rolloutRestarts: {interval: 5m}`,
			"/rolloutRestarts", "additional properties 'interval' not allowed"),
		Entry("a restart interval without a unit", `rolloutRestarts: {enabled: true, minInterval: "5"}`,
			"/rolloutRestarts/minInterval", "'5'"),
		Entry("a restart interval of zero, which the manager refuses", `rolloutRestarts: {enabled: true, minInterval: 0s}`,
			"/rolloutRestarts/minInterval", "'not' failed"),
	)

	DescribeTable("that the schema cannot catch fails the rendering with the chart's own message",
		func(values, message string) {
			_, stderr, err := helmTemplate(values)
			Expect(err).To(HaveOccurred(), "helm template accepted %s", values)
			Expect(stderr).To(ContainSubstring(message))
		},
		Entry("replicas without leader election", `{replicaCount: 2, manager: {leaderElection: {enabled: false}}}`,
			"replicaCount above 1 needs manager.leaderElection.enabled"),
		Entry("no ServiceAccount at all", `serviceAccount: {create: false}`,
			"serviceAccount.name must name an existing ServiceAccount"),
		Entry("a ServiceMonitor without metrics", `{serviceMonitor: {enabled: true}, metrics: {enabled: false}}`,
			"serviceMonitor.enabled needs metrics.enabled"),
		Entry("alerts without metrics", `{prometheusRule: {enabled: true}, metrics: {enabled: false}}`,
			"prometheusRule.enabled needs metrics.enabled"),
		Entry("a cluster resource namespace outside the namespaces, which the manager refuses",
			`manager: {namespaces: [shop], clusterResourceNamespace: vipps-platform}`,
			"manager.namespaces must include manager.clusterResourceNamespace vipps-platform"),
	)
})
