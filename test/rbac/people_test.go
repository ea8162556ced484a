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

package rbac

import (
	"path/filepath"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/vipps-token-operator/vipps-token-operator/internal/testenv"
	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// peopleRoleFiles are the ClusterRoles of config/rbac for the people and tools that manage
// tokens, which the installer binds to nobody.
var peopleRoleFiles = []string{
	"vippstoken_admin_role.yaml", "vippstoken_editor_role.yaml", "vippstoken_viewer_role.yaml",
	"clustervippstoken_admin_role.yaml", "clustervippstoken_editor_role.yaml", "clustervippstoken_viewer_role.yaml",
}

// The users of these specs, each bound to one role.
const (
	teamNamespace = "team"
	teamAdmin     = "team-admin"     // admin, bound in teamNamespace
	teamEditor    = "team-editor"    // edit, bound in teamNamespace
	teamViewer    = "team-viewer"    // view, bound in teamNamespace
	clusterEditor = "cluster-editor" // edit, bound in every namespace
	platformTeam  = "platform-team"  // clustervippstoken-editor-role, bound in every namespace
)

var _ = Describe("The built-in roles, with config/rbac's ClusterRoles aggregated into them", Ordered, func() {
	BeforeAll(func() {
		for _, file := range peopleRoleFiles {
			for _, obj := range installtest.ReadManifest(filepath.Join(testenv.RepoRoot(), "config", "rbac", file)).Objects {
				Expect(adminClient.Create(suiteCtx, obj)).To(Succeed(), "%s of config/rbac/%s", obj.GetName(), file)
			}
		}
		aggregateClusterRoles()

		Expect(adminClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: teamNamespace}})).
			To(Succeed())
		bind(teamAdmin, "admin", teamNamespace)
		bind(teamEditor, "edit", teamNamespace)
		bind(teamViewer, "view", teamNamespace)
		bind(clusterEditor, "edit", "")
		bind(platformTeam, "clustervippstoken-editor-role", "")

		// The authoriser sees a binding through an informer: until every user may do what the
		// built-in roles grant anyway, a refusal below would prove nothing.
		for _, user := range []string{teamAdmin, teamEditor, teamViewer, clusterEditor} {
			Eventually(userMay).WithArguments(user, attributes("", "pods", "list", teamNamespace)).Should(BeTrue(), user)
		}
		Eventually(userMay).WithArguments(platformTeam, attributes(tokensGroup, "clustervippstokens", "get", "")).
			Should(BeTrue())
	})

	// Each entry is one request, and whether each user it names may make it: the same request
	// asked of several users is one entry, so that who may and who may not stand side by side.
	DescribeTable("let a namespace's people manage its VippsTokens, and no one but the platform team a ClusterVippsToken",
		func(attrs authorizationv1.ResourceAttributes, want whoMay) {
			got := whoMay{}
			for user := range want {
				allowed, err := userMay(user, attrs)
				Expect(err).NotTo(HaveOccurred(), user)
				got[user] = allowed
			}
			// Compared whole, so that a failure names every user wrongly allowed or refused.
			Expect(got).To(Equal(want), "%+v", attrs)
		},
		// The VippsToken roles aggregate: this proves that aggregation took place.
		Entry("create a VippsToken in the namespace", attributes(tokensGroup, "vippstokens", "create", teamNamespace),
			whoMay{teamAdmin: true, teamEditor: true, teamViewer: false}),
		Entry("list the namespace's VippsTokens", attributes(tokensGroup, "vippstokens", "list", teamNamespace),
			whoMay{teamViewer: true}),

		// A RoleBinding grants nothing on a cluster-scoped resource, but a review names no
		// scope: with the namespace, it says whether the aggregated role holds the rule at all.
		Entry("create a ClusterVippsToken, asked in the namespace",
			attributes(tokensGroup, "clustervippstokens", "create", teamNamespace),
			whoMay{teamAdmin: false, teamEditor: false}),
		Entry("update one, asked in the namespace", attributes(tokensGroup, "clustervippstokens", "update", teamNamespace),
			whoMay{teamAdmin: false}),
		Entry("patch one, asked in the namespace", attributes(tokensGroup, "clustervippstokens", "patch", teamNamespace),
			whoMay{teamEditor: false}),
		Entry("list them, asked in the namespace", attributes(tokensGroup, "clustervippstokens", "list", teamNamespace),
			whoMay{teamViewer: false}),

		// In the cluster's scope, only the platform team, bound to clustervippstoken-editor-role,
		// may create one. Where the built-in roles are bound cluster-wide, aggregation would
		// reach the cluster's scope: it does not.
		Entry("create a ClusterVippsToken", attributes(tokensGroup, "clustervippstokens", "create", ""),
			whoMay{teamAdmin: false, clusterEditor: false, platformTeam: true}),
		Entry("create a VippsToken in any namespace", attributes(tokensGroup, "vippstokens", "create", "kube-system"),
			whoMay{clusterEditor: true}),
		Entry("update a ClusterVippsToken", attributes(tokensGroup, "clustervippstokens", "update", ""),
			whoMay{clusterEditor: false}),
		Entry("label a namespace into a selector", attributes("", "namespaces", "patch", ""),
			whoMay{clusterEditor: false}),

		// The platform team's role holds ClusterVippsTokens and nothing else; their status is
		// the operator's to write.
		Entry("read a ClusterVippsToken's status", attributes(tokensGroup, "clustervippstokens", "get", "", "status"),
			whoMay{platformTeam: true}),
		Entry("write a ClusterVippsToken's status", attributes(tokensGroup, "clustervippstokens", "patch", "", "status"),
			whoMay{platformTeam: false}),
		Entry("get a Secret of the operator's", attributes("", "secrets", "get", operatorNamespace),
			whoMay{platformTeam: false}),
	)

	It("aggregate none of the ClusterVippsToken roles", func() {
		for _, name := range []string{"admin", "edit", "view"} {
			role := &rbacv1.ClusterRole{}
			Expect(adminClient.Get(suiteCtx, client.ObjectKey{Name: name}, role)).To(Succeed())
			Expect(role.Rules).To(ContainElement(HaveField("Resources", ContainElement("vippstokens"))),
				"%s aggregates the VippsToken role", name)
			for _, rule := range role.Rules {
				Expect(rule.Resources).NotTo(ContainElement(HavePrefix("clustervippstokens")), name)
			}
		}
	})
})

// aggregateClusterRoles does once what kube-controller-manager's clusterrole-aggregation
// controller does all the time, which envtest does not run: it sets the rules of every
// ClusterRole with an aggregationRule to those of the ClusterRoles its selectors select. It
// repeats until nothing changes, since admin aggregates edit, which aggregates view.
func aggregateClusterRoles() {
	list := &rbacv1.ClusterRoleList{}
	Expect(adminClient.List(suiteCtx, list)).To(Succeed())
	roles := list.Items
	for changed := true; changed; {
		changed = false
		for i := range roles {
			aggregation := roles[i].AggregationRule
			if aggregation == nil {
				continue
			}
			var rules []rbacv1.PolicyRule
			for _, s := range aggregation.ClusterRoleSelectors {
				selector, err := metav1.LabelSelectorAsSelector(&s)
				Expect(err).NotTo(HaveOccurred())
				for j := range roles {
					if j != i && selector.Matches(labels.Set(roles[j].Labels)) {
						for _, rule := range roles[j].Rules {
							if !slices.ContainsFunc(rules, func(r rbacv1.PolicyRule) bool {
								return equality.Semantic.DeepEqual(r, rule)
							}) {
								rules = append(rules, rule)
							}
						}
					}
				}
			}
			if !equality.Semantic.DeepEqual(roles[i].Rules, rules) {
				roles[i].Rules, changed = rules, true
			}
		}
	}
	for i := range roles {
		if roles[i].AggregationRule != nil {
			Expect(adminClient.Update(suiteCtx, &roles[i])).To(Succeed(), roles[i].Name)
		}
	}
}

// whoMay maps each user an entry asks about to whether they may make its request.
type whoMay map[string]bool

// bind binds the ClusterRole role to user: in namespace, or in every namespace when it is
// empty.
func bind(user, role, namespace string) {
	roleRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
	subjects := []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}}
	objectMeta := metav1.ObjectMeta{Name: user + "-" + role, Namespace: namespace}
	if namespace == "" {
		Expect(adminClient.Create(suiteCtx, &rbacv1.ClusterRoleBinding{ObjectMeta: objectMeta, RoleRef: roleRef,
			Subjects: subjects})).To(Succeed())
		return
	}
	Expect(adminClient.Create(suiteCtx, &rbacv1.RoleBinding{ObjectMeta: objectMeta, RoleRef: roleRef,
		Subjects: subjects})).To(Succeed())
}

// userMay asks the API server whether user, authenticated, may do what attrs describe.
func userMay(user string, attrs authorizationv1.ResourceAttributes) (bool, error) {
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user, Groups: []string{"system:authenticated"}, ResourceAttributes: &attrs,
	}}
	if err := adminClient.Create(suiteCtx, review); err != nil {
		return false, err
	}
	return review.Status.Allowed, nil
}
