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

package kubectlvipps

import (
	"fmt"
	"io"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/printers"
)

// none is what a cell shows for a value that is not set.
const none = "-"

// human is d in kubectl's human units (41m, 2h30m, 3d), d at least zero.
func human(d time.Duration) string {
	return duration.HumanDuration(max(d, 0))
}

// untilOrAgo says when t is relative to now: "in 41m" or "3m ago".
func untilOrAgo(now, t time.Time) string {
	if t.After(now) {
		return "in " + human(t.Sub(now))
	}
	return human(now.Sub(t)) + " ago"
}

// expiresIn is the EXPIRES IN cell: how long the token has left, or how long ago it expired.
func expiresIn(now time.Time, expiresAt *metav1.Time) string {
	switch {
	case expiresAt == nil:
		return none
	case expiresAt.After(now):
		return human(expiresAt.Sub(now))
	}
	return expired(now, expiresAt.Time)
}

// expiresWhen says when an expiry t is relative to now: "in 41m" or "expired 3m ago".
func expiresWhen(now, t time.Time) string {
	if t.After(now) {
		return "in " + human(t.Sub(now))
	}
	return expired(now, t)
}

// expired says how long ago t, an expiry, passed: "expired 3m ago".
func expired(now, t time.Time) string {
	return "expired " + human(now.Sub(t)) + " ago"
}

// renewsIn is the RENEWS IN cell: how long until the operator requests the next token. While
// requests fail, that is the retry (with the failures so far); a renewal time that has passed
// with no retry pending means the operator has not acted on it.
func renewsIn(now time.Time, s tokenSummary) string {
	if s.nextRetryTime != nil {
		return fmt.Sprintf("retry %s (%s)", untilOrAgo(now, s.nextRetryTime.Time), plural(int(s.failures), "failure"))
	}
	switch {
	case s.renewalTime == nil:
		return none
	case s.renewalTime.After(now):
		return human(s.renewalTime.Sub(now))
	}
	return "overdue " + human(now.Sub(s.renewalTime.Time))
}

// plural is "1 failure" or "3 failures".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// orNone is value, or none when it is empty.
func orNone(value string) string {
	if value == "" {
		return none
	}
	return value
}

// displayName is the NAME cell: the name, with the kind in front when the list holds more
// than one kind, as kubectl get shows a list of several kinds.
func displayName(s tokenSummary, mixed bool) string {
	if mixed {
		return s.kind.names[0] + "/" + s.name
	}
	return s.name
}

// printStatus writes the status table of tokens to w, with a NAMESPACE column when
// allNamespaces is set.
func printStatus(w io.Writer, now time.Time, tokens []tokenSummary, allNamespaces bool) error {
	mixed := false
	for _, s := range tokens {
		mixed = mixed || s.kind != tokens[0].kind
	}
	tw := printers.GetNewTabWriter(w)
	header := []string{"NAME", "READY", "REASON", "EXPIRES IN", "RENEWS IN", "TARGETS"}
	if allNamespaces {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if _, err := fmt.Fprintln(tw, strings.Join(header, "\t")); err != nil {
		return err
	}
	for _, s := range tokens {
		row := []string{
			displayName(s, mixed), orNone(s.ready), orNone(s.reason),
			expiresIn(now, s.expiresAt), renewsIn(now, s), orNone(s.targets),
		}
		if allNamespaces {
			row = append([]string{orNone(s.namespace)}, row...)
		}
		if _, err := fmt.Fprintln(tw, strings.Join(row, "\t")); err != nil {
			return err
		}
	}
	return tw.Flush()
}
