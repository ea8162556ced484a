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
// Reconcile (vippstoken_controller.go) is the table of contents. The decisions it makes are
// pure functions, each in a file of its own with table tests:
//
//   - renewal.go: when a token is renewed (a share of its lifetime, jitter, minimum interval)
//   - refresh_decision.go: whether to request a token now, and when to come back
//   - backoff.go: how long to wait after a failed request, and between the probes of a host
//     that is down
//   - host_state.go: whether a Vipps host is up, down or probing, and whether a due request
//     may go to it: an outage is the host's, so while it is down one probe at a time goes
//   - failure.go: which condition reason an error gets, and the advice that goes with it
//   - conditions.go: the Ready and Refreshed conditions
//   - progress_conditions.go: the kstatus conditions Reconciling and Stalled, which GitOps
//     tools read
//   - endpoint.go: which base URL a VippsToken may use
//   - work_priority.go: which VippsToken the work queue hands out first: one whose token is
//     due goes ahead of ordinary work, so that no churn of others can starve it
//
// The rest talks to Kubernetes: credentials.go reads credentials Secrets, held_token.go and
// target_data.go read and build target Secrets, targets.go writes them (and sends no request
// when every target belongs to somebody else), recent_writes.go guards against a cache that
// lags behind the reconciler's own writes and keeps a token obtained but not yet written
// apart from the one the targets hold, which alone status describes, setup.go wires the
// caches and watches (a VippsToken's own events enqueued by urgency), queue.go keeps the
// work queue from blocking the shutdown, metrics.go exports Prometheus metrics, and
// rate_limit.go bounds the requests to Vipps. host_availability.go keeps each host's state
// and the VippsTokens that wait for it, offers them its probe, and wakes them all at its first
// success, the closest to expiry first; host_wait.go records the wait in status. The HTTP
// side is internal/vipps, behind the TokenFetcher interface.
package controller
