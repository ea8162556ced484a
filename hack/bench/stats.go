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

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// distribution summarises durations: how many, the median, the 99th percentile, the worst.
type distribution struct {
	Count int      `json:"count"`
	P50   duration `json:"p50"`
	P99   duration `json:"p99"`
	Max   duration `json:"max"`
}

func distributionOf(values []time.Duration) distribution {
	if len(values) == 0 {
		return distribution{}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return distribution{
		Count: len(sorted),
		P50:   duration(percentile(sorted, 50)),
		P99:   duration(percentile(sorted, 99)),
		Max:   duration(sorted[len(sorted)-1]),
	}
}

// percentile is the nearest-rank percentile p of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func (d distribution) String() string {
	if d.Count == 0 {
		return "-"
	}
	return fmt.Sprintf("p50 %s, p99 %s, max %s", d.P50, d.P99, d.Max)
}

// duration is a time.Duration that prints and marshals as seconds with millisecond precision.
type duration time.Duration

func (d duration) String() string { return seconds(time.Duration(d)) }

// MarshalJSON writes seconds as a JSON number.
func (d duration) MarshalJSON() ([]byte, error) { //nolint:unparam // the signature of json.Marshaler
	return fmt.Appendf(nil, "%.3f", time.Duration(d).Seconds()), nil
}

// UnmarshalJSON reads seconds, so that --from-json can render a run again.
func (d *duration) UnmarshalJSON(data []byte) error {
	var s float64
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*d = duration(time.Duration(s * float64(time.Second)))
	return nil
}

func seconds(d time.Duration) string {
	if d < 10*time.Second && d > -10*time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// histogram counts times in buckets of width from start.
func histogram(times []time.Time, start time.Time, width time.Duration) []int {
	var buckets []int
	for _, t := range times {
		i := max(int(t.Sub(start)/width), 0)
		for len(buckets) <= i {
			buckets = append(buckets, 0)
		}
		buckets[i]++
	}
	return buckets
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }
