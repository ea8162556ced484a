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

package monitoring

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tokensv1alpha1 "github.com/vipps-token-operator/vipps-token-operator/api/v1alpha1"
	"github.com/vipps-token-operator/vipps-token-operator/internal/localcluster"
	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/credentialstest"
)

// exported is what a manager's metrics endpoint serves, as Prometheus stores it: each
// series name (a histogram's _bucket, _sum and _count), its label names, and the values
// seen of each.
type exported map[string]map[string]map[string]bool

// scrapeOperator runs the manager binary against a local control plane and the fake
// Vipps, serving ClusterVippsTokens too, lets it issue a token for a VippsToken and one for a
// ClusterVippsToken, and scrapes it. The names come from the running manager, not from a
// list, so a metric renamed or dropped in the code fails the queries that use it.
func scrapeOperator(t *testing.T) exported {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	cluster, err := localcluster.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cluster.Stop() }()
	fake, err := fakevipps.Serve("127.0.0.1:0", fakevipps.NewServer())
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	binary, err := localcluster.BuildOperator(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(t.TempDir(), "operator.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logFile.Close() }()
	op, err := cluster.StartOperator(binary, logFile, "--allowed-endpoints="+fake.URL,
		"--cluster-resource-namespace="+clusterResourceNamespace)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = op.Stop() }()

	token := createToken(ctx, t, cluster.Client, fake.URL)
	clusterToken := createClusterToken(ctx, t, cluster.Client, fake.URL)
	controllers := []map[string]string{{"controller": "vippstoken"}, {"controller": "clustervippstoken"}}
	idle := func(scraped localcluster.Metrics) bool {
		for _, c := range controllers {
			if scraped.Sum("controller_runtime_reconcile_total", c) == 0 ||
				scraped.Sum("controller_runtime_active_workers", c) != 0 {
				return false
			}
		}
		return true
	}
	for {
		scraped, err := op.Metrics(ctx)
		// Ready, its request timed, the ClusterVippsToken's namespaces counted, and no
		// reconcile running: the reconciles that issued the tokens and wrote them have finished
		// and recorded all they record. A scrape gathers the metrics concurrently, so the next
		// one is sure to hold it all.
		if err == nil && scraped.Sum("vipps_token_ready", token) == 1 &&
			scraped.Has("vipps_token_request_duration_seconds", nil) &&
			clusterToken.counted(scraped) && idle(scraped) {
			if scraped, err = op.Metrics(ctx); err == nil {
				return seriesOf(scraped)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the VippsToken never showed as ready, or the ClusterVippsToken's namespaces as "+
				"counted, in the metrics (last scrape: %v); "+
				"the operator's log is %s", err, logFile.Name())
		case <-op.Exited():
			t.Fatalf("the operator exited; its log is %s", logFile.Name())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// createToken creates a Standard VippsToken for the fake's test credentials and returns
// the labels of its series.
func createToken(ctx context.Context, t *testing.T, c client.Client, fakeURL string) map[string]string {
	t.Helper()
	const namespace, name = "default", "webshop"
	createAll(ctx, t, c,
		credentialstest.Secret(namespace, "vipps-credentials", fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)),
		&tokensv1alpha1.VippsToken{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
			Spec: tokensv1alpha1.VippsTokenSpec{
				TokenSettings: tokensv1alpha1.TokenSettings{
					Type:        tokensv1alpha1.TokenTypeStandard,
					Environment: tokensv1alpha1.EnvironmentTest,
					Endpoint:    fakeURL,
				},
				CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
				Targets:              []tokensv1alpha1.TargetSecret{{Name: "vipps-token"}},
			},
		},
	)
	return map[string]string{"namespace": namespace, "name": name}
}

// createAll creates objects in order, and stops the test at the first that fails.
func createAll(ctx context.Context, t *testing.T, c client.Client, objects ...client.Object) {
	t.Helper()
	for _, obj := range objects {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatal(fmt.Errorf("creating %s: %w", obj.GetName(), err))
		}
	}
}

// clusterResourceNamespace is the manager's --cluster-resource-namespace.
const clusterResourceNamespace = "vipps-cluster"

// clusterNamespaces are the namespace counts that a ClusterVippsToken's series should show.
type clusterNamespaces struct {
	name                     string
	selected, ready, failing float64
}

// counted is true when scraped shows the counts of c.
func (c clusterNamespaces) counted(scraped localcluster.Metrics) bool {
	for state, want := range map[string]float64{"selected": c.selected, "ready": c.ready, "failing": c.failing} {
		labels := map[string]string{"name": c.name, "state": state}
		if !scraped.Has("vipps_cluster_token_namespaces", labels) ||
			scraped.Sum("vipps_cluster_token_namespaces", labels) != want {
			return false
		}
	}
	return true
}

// createClusterToken creates a ClusterVippsToken that selects two namespaces: one that
// receives its token, and one where a Secret of somebody else's stands in its target's place,
// so that every state of its namespaces has a count above 0. It returns those counts.
func createClusterToken(ctx context.Context, t *testing.T, c client.Client, fakeURL string) clusterNamespaces {
	t.Helper()
	const name, target = "webshop-shared", "vipps-shared-token"
	selected := map[string]string{"vipps.example.com/token": name}
	createAll(ctx, t, c,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusterResourceNamespace}},
		credentialstest.Secret(clusterResourceNamespace, "vipps-credentials",
			fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: selected}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "blocked", Labels: selected}},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: target, Namespace: "blocked"},
			StringData: map[string]string{"token": "somebody else's"},
		},
		&tokensv1alpha1.ClusterVippsToken{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: tokensv1alpha1.ClusterVippsTokenSpec{
				TokenSettings: tokensv1alpha1.TokenSettings{
					Type:        tokensv1alpha1.TokenTypeStandard,
					Environment: tokensv1alpha1.EnvironmentTest,
					Endpoint:    fakeURL,
				},
				CredentialsSecretRef: tokensv1alpha1.CredentialsSecretReference{Name: "vipps-credentials"},
				NamespaceSelector:    metav1.LabelSelector{MatchLabels: selected},
				Target:               tokensv1alpha1.TargetSecret{Name: target},
			},
		},
	)
	return clusterNamespaces{name: name, selected: 2, ready: 1, failing: 1}
}

// seriesOf lists the series names, label names and values of a scrape, as Prometheus
// stores the families of the text format.
func seriesOf(families localcluster.Metrics) exported {
	out := exported{}
	add := func(series string, m *dto.Metric, label string, values ...string) {
		labels := out[series]
		if labels == nil {
			labels = map[string]map[string]bool{}
			out[series] = labels
		}
		pairs := map[string][]string{}
		if label != "" {
			pairs[label] = values // le or quantile, which the text format folds into the family
		}
		for _, pair := range m.GetLabel() {
			pairs[pair.GetName()] = []string{pair.GetValue()}
		}
		for name, values := range pairs {
			if labels[name] == nil {
				labels[name] = map[string]bool{}
			}
			for _, v := range values {
				labels[name][v] = true
			}
		}
	}
	for name, family := range families {
		for _, m := range family.GetMetric() {
			switch family.GetType() {
			case dto.MetricType_HISTOGRAM:
				buckets := m.GetHistogram().GetBucket()
				bounds := make([]string, 0, 1+len(buckets))
				bounds = append(bounds, "+Inf")
				for _, b := range buckets {
					bounds = append(bounds, strconv.FormatFloat(b.GetUpperBound(), 'f', -1, 64))
				}
				add(name+"_bucket", m, "le", bounds...)
				add(name+"_sum", m, "")
				add(name+"_count", m, "")
			case dto.MetricType_SUMMARY:
				summary := m.GetSummary().GetQuantile()
				quantiles := make([]string, 0, len(summary))
				for _, q := range summary {
					quantiles = append(quantiles, strconv.FormatFloat(q.GetQuantile(), 'f', -1, 64))
				}
				add(name, m, "quantile", quantiles...)
				add(name+"_sum", m, "")
				add(name+"_count", m, "")
			default:
				add(name, m, "")
			}
		}
	}
	return out
}
