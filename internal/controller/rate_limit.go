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
	"context"

	"golang.org/x/time/rate"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

// rateLimitedFetcher makes every token request of the operator wait for one global limiter,
// so that a cold start with thousands of VippsTokens does not hammer Vipps.
type rateLimitedFetcher struct {
	next    TokenFetcher
	limiter *rate.Limiter
}

// RateLimited returns a TokenFetcher that sends at most perSecond requests a second on
// average, and at most burst at once.
func RateLimited(next TokenFetcher, perSecond float64, burst int) TokenFetcher {
	return &rateLimitedFetcher{next: next, limiter: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

func (f *rateLimitedFetcher) FetchToken(ctx context.Context, req vipps.Request) (vipps.Token, error) {
	if err := f.limiter.Wait(ctx); err != nil {
		return vipps.Token{}, err
	}
	return f.next.FetchToken(ctx, req)
}
