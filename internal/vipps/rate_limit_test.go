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

package vipps

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

// TestWithRateLimitHoldsBackRequestsPastTheBurst uses a rate so low that a request past the
// burst could only go out after hours: it must wait for its context instead of reaching Vipps.
func TestWithRateLimitHoldsBackRequestsPastTheBurst(t *testing.T) {
	fake, url := startFake(t)
	client := NewClient(WithClock(fixedClock), WithRateLimit(0.0001, 2))
	req := requestFor(TokenTypeStandard, fakevipps.EnvironmentTest, url)

	for i := range 2 {
		if _, err := client.FetchToken(context.Background(), req); err != nil {
			t.Fatalf("request %d within the burst: %v", i+1, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.FetchToken(ctx, req)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a request past the burst: err = %v, want one of class ErrUnavailable", err)
	}
	if got := len(fake.Requests()); got != 2 {
		t.Fatalf("Vipps got %d requests, want the burst of 2", got)
	}
}
