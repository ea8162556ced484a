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
	"errors"
	"strconv"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// Backoff bounds. Rejected credentials will not fix themselves, so they are retried slowly
// (and at once when the credentials Secret or the spec changes); everything else is
// transient and retried sooner.
const (
	rejectedBackoffBase  = time.Minute
	rejectedBackoffMax   = time.Hour
	transientBackoffBase = 5 * time.Second
	transientBackoffMax  = 5 * time.Minute
)

// retryDelay is how long to wait after the failureCount-th failure in a row before the next
// token request. It doubles per failure up to a cap; the transient delays are spread over
// [d/2, d) by a jitter derived from seed (stable across restarts), and a Retry-After from
// Vipps is always honoured.
func retryDelay(err error, failureCount int32, seed string) time.Duration {
	if errors.Is(err, vipps.ErrCredentialsRejected) {
		return exponential(rejectedBackoffBase, rejectedBackoffMax, failureCount)
	}
	delay := exponential(transientBackoffBase, transientBackoffMax, failureCount)
	delay = delay/2 + time.Duration(float64(delay/2)*unitFraction(seed+"/"+strconv.Itoa(int(failureCount))))
	if retryAfter, ok := vipps.RetryAfter(err); ok && retryAfter > delay {
		return retryAfter
	}
	return delay
}

// nextRetryTime is when to retry a request that failed at failedAt, in the whole seconds
// that status stores. Truncating, as other status times are, could retry up to a second
// early; that is harmless for the backoff's own delays but breaks the promise a Retry-After
// asks for, so a time that honours one is rounded up.
func nextRetryTime(failedAt time.Time, err error, failureCount int32, seed string) time.Time {
	next := failedAt.Add(retryDelay(err, failureCount, seed))
	if _, ok := vipps.RetryAfter(err); ok {
		next = next.Add(time.Second - time.Nanosecond)
	}
	return next.Truncate(time.Second)
}

// The probe's backoff while a host is down (host_state.go). It bounds both what an outage
// costs Vipps and how long the VippsTokens wait once Vipps is back: a recovery is noticed
// within probeBackoffMax, and a 90-second outage costs 17 probes on average and 19 at most,
// however many VippsTokens wait: with the request that began it, the 20 that the benchmark
// allows. A token's own retries back off much further, because there are many.
const (
	probeBackoffBase = 2 * time.Second
	probeBackoffMax  = 6 * time.Second
)

// probeDelay is how long after the probesFailed-th failed probe of an outage (0: the failure
// that began it) the next probe goes: probeBackoffBase doubled per failed probe up to
// probeBackoffMax, less a jitter of up to a fifth derived from seed. One operator sends one
// probe at a time whatever the jitter; the jitter keeps the operators of many clusters, which
// saw the same outage begin, from probing in step. A fifth, where a token's own retries get
// half, keeps the number of probes in an outage predictable.
//
// The probe goes at exactly that delay. Status shows its time truncated to the second, so no
// probe comes before the time status gives; rounding the time up to the second instead, as
// an earlier version did, cost up to a second of every recovery and rounded the jitter away.
func probeDelay(probesFailed int32, seed string) time.Duration {
	delay := exponential(probeBackoffBase, probeBackoffMax, min(probesFailed, 1<<30)+1)
	return delay - time.Duration(float64(delay/5)*unitFraction(seed+"/probe/"+strconv.Itoa(int(probesFailed))))
}

// exponential is base doubled for every failure after the first, capped at limit.
func exponential(base, limit time.Duration, failureCount int32) time.Duration {
	delay := base
	for i := int32(1); i < failureCount && delay < limit; i++ {
		delay *= 2
	}
	return min(delay, limit)
}
