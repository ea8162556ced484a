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

// Package controller keeps each VippsToken's token fresh in its target Secrets.
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
//
// # Kubernetes and memory
//
// reconciler.go holds the reconciler's state and its one constructor. credentials.go reads
// credentials Secrets; held_token.go reads target Secrets back and target_data.go builds
// them; targets.go writes them. obtained_tokens.go keeps the token Vipps issued last, to
// write back into targets that lost it without asking Vipps again.
// setup.go wires the caches and watches (a VippsToken's own events enqueued by urgency),
// queue.go keeps the work queue from blocking the shutdown, and metrics.go holds the
// operator's Prometheus collectors. host_availability.go keeps each host's state and the
// VippsTokens that wait for it, offers them its probe, and wakes them all at its first
// success, the closest to expiry first; host_wait.go records the wait in status. The HTTP
// side, with its rate limit, is internal/vipps, behind the TokenFetcher interface.
package controller
