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

// Package controller keeps each VippsToken's token fresh in its target Secrets, and each
// ClusterVippsToken's in its target in every namespace it selects.
//
// # The flow of one reconcile
//
// Reconcile (vippstoken_controller.go) is the table of contents:
//
//  1. getVippsToken reads the VippsToken; a deleted one is forgotten (the token obtained
//     last, the host wait, metrics).
//  2. ownedTargets and heldTokenOf find the heldToken: what the targets hold. Status,
//     conditions and metrics describe this token and no other.
//  3. tokenRequest assembles the request from the spec and the credentials Secret; a problem
//     found here is recorded once (recordUnsentFailure) and nothing is sent.
//  4. targetsTakenByOthers: when every target belongs to somebody else, nothing is requested.
//  5. obtainIfDue returns an obtainedToken, one Vipps issued that the targets do not hold:
//     the one obtained last if the targets lost it (a refused write, a target deleted or
//     edited), or a new one when a refresh trigger fires (refreshReason), no backoff holds
//     it back and its host lets it through.
//  6. writeObtained writes it into the targets, or syncTargets writes the held token into
//     targets the spec has gained; either waits until the cache shows each write.
//  7. restartWorkloads restarts spec.rolloutRestartTargets once for a new token
//     (rollout_restart.go), when the operator runs with --enable-rollout-restarts.
//  8. finish describes the held token in status, records Ready and the kstatus conditions,
//     and says when to come back; writeStatus patches the status, waits until the cache
//     shows it, and exports metrics.
//
// Waiting for the cache after every write (cache_wait.go) is what keeps the next reconcile,
// which the write itself brings, from reading old targets or status and requesting again.
//
// # ClusterVippsTokens
//
// A ClusterVippsToken obtains its token through a VippsToken of its own name in the cluster
// resource namespace, next to its credentials, so one request serves every namespace and every
// rule above applies to it unchanged. Its Reconcile (clustervippstoken_controller.go):
//
//  1. ensureChild creates that VippsToken, or brings it in line with the spec (cluster_child.go).
//  2. sourceSecret reads the Secret "<name>-token" that the VippsToken writes its token into.
//  3. selectedNamespaces and syncFanOut copy it into the target of every selected namespace and
//     delete the targets elsewhere (cluster_fanout.go); a namespace whose write fails is
//     reported and holds up no other.
//  4. describeClusterToken sets status from the VippsToken's and the fan-out's (cluster_status.go).
//  5. restartWorkloads restarts the rolloutRestartTargets once the token is in their namespace.
//
// The VippsToken's events are reported on the ClusterVippsToken (eventSubject).
//
// # Decisions
//
// The decisions are pure functions, each in a file of its own with table tests:
//
//   - renewal.go: when a token is renewed (a share of its lifetime, jitter, minimum interval)
//   - refresh_decision.go: the refresh triggers, whether a backoff holds a request back, and
//     when to come back
//   - backoff.go: how long to wait after a failed request, and between the probes of a host
//     that is down
//   - host_state.go: whether a Vipps host is up, down or probing, and whether a due request
//     may go to it: an outage is the host's, so while it is down one probe at a time goes
//   - failure.go: which condition reason an error gets (errors.go: the error classes), and
//     the advice that goes with it
//   - conditions.go: the Ready and Refreshed conditions
//   - progress_conditions.go: the kstatus conditions Reconciling and Stalled, which GitOps
//     tools read
//   - endpoint.go: which base URL a VippsToken may use
//   - work_priority.go: which VippsToken the work queue hands out first: one whose token is
//     due goes ahead of ordinary work, so that no churn of others can starve it
//   - rollout_restart_decision.go: whether to restart a VippsToken's workloads now, later or
//     never for the token the targets hold
//   - cluster_status.go: the Ready condition of a ClusterVippsToken; namespaceReceives in
//     cluster_fanout.go: which namespaces may receive its target
//
// # Kubernetes and memory
//
// reconciler.go holds the reconciler's state and its one constructor. credentials.go reads
// credentials Secrets; held_token.go reads target Secrets back and target_data.go builds
// them; targets.go decides what to write and owned_secrets.go writes it, for both kinds. obtained_tokens.go keeps the token Vipps issued last, to
// write back into targets that lost it without asking Vipps again.
// setup.go wires the caches and watches (a VippsToken's own events enqueued by urgency);
// cluster_setup.go those of ClusterVippsTokens (namespaces, the source and the targets);
// queue.go keeps the work queue from blocking the shutdown, and metrics.go holds the
// operator's Prometheus collectors. host_availability.go keeps each host's state and the
// VippsTokens that wait for it, offers them its probe, and wakes them all at its first
// success, the closest to expiry first; host_wait.go records the wait in status, and
// trailing_status.go lets the status of a VippsToken that returns trail its targets, which
// the next reconcile reads it back from. The HTTP
// side, with its rate limit, is internal/vipps, behind the TokenFetcher interface.
package controller
