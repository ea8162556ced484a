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
	"errors"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/internal/vipps"
)

type countingFetcher struct{ calls int }

func (f *countingFetcher) FetchToken(context.Context, vipps.Request) (vipps.Token, error) {
	f.calls++
	return vipps.Token{AccessToken: "t"}, nil
}

// TestRateLimitedHoldsBackRequestsPastTheBurst uses a rate so low that a request past the
// burst could only go out after hours: it must wait for its context instead of reaching Vipps.
func TestRateLimitedHoldsBackRequestsPastTheBurst(t *testing.T) {
	next := &countingFetcher{}
	limited := RateLimited(next, 0.0001, 2)

	for i := range 2 {
		if _, err := limited.FetchToken(context.Background(), vipps.Request{}); err != nil {
			t.Fatalf("request %d within the burst: %v", i+1, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := limited.FetchToken(ctx, vipps.Request{})
	if err == nil || errors.Is(err, vipps.ErrUnavailable) {
		t.Fatalf("a request past the burst was not held back: err = %v", err)
	}
	if next.calls != 2 {
		t.Fatalf("Vipps got %d requests, want the burst of 2", next.calls)
	}
}
