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
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// parseNumber reads a numeric field that Vipps sends either as a JSON number
// (3600) or as a string holding one ("3600"): the spec changed from one to the
// other in 2023 and both are in use. Absent, null and "" mean "not given".
// Fractions are truncated and values beyond int64 are clamped, so that callers
// only have to judge the value, never overflow. Errors never quote the value.
func parseNumber(raw json.RawMessage) (value int64, present bool, err error) {
	text := strings.TrimSpace(string(raw))
	if text == "" || text == "null" {
		return 0, false, nil
	}
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, false, errors.New("is not a number")
		}
		if text = strings.TrimSpace(text); text == "" {
			return 0, false, nil
		}
	}
	if !isJSONNumber(text) {
		return 0, false, errors.New("is not a number")
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true, nil
	}
	// A fraction, an exponent or a value beyond int64.
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false, errors.New("is not a number")
	}
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64, true, nil
	case f <= math.MinInt64:
		return math.MinInt64, true, nil
	}
	return int64(f), true, nil
}

// isJSONNumber reports whether text is a number in JSON's grammar, which unlike
// strconv has no hex, no underscores, no Inf and no NaN.
func isJSONNumber(text string) bool {
	if text == "" || (text[0] != '-' && (text[0] < '0' || text[0] > '9')) {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(text), &n) == nil
}
