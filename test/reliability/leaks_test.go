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

package reliability

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/vipps-token-operator/vipps-token-operator/test/leakscan"
)

// planted is value as a secret to look for. Of a JWT it is the payload and signature: the
// header is the same in every token an issuer signs, and secret in none.
func planted(name, value string) leakscan.Secret {
	if header, rest, ok := strings.Cut(value, "."); ok && strings.HasPrefix(header, "eyJ") && strings.Contains(rest, ".") {
		value = rest
	}
	return leakscan.Secret{Name: name, Value: value}
}

// expectNoLeaks fails the spec when any output holds leakscan.WindowSize characters of a
// secret, and says where, never what.
func expectNoLeaks(outputs map[string]string, secrets []leakscan.Secret) {
	GinkgoHelper()
	found := make([]string, 0, len(outputs))
	for _, output := range slices.Sorted(maps.Keys(outputs)) {
		var order []string
		bySecret := map[string][]leakscan.Finding{}
		for _, f := range leakscan.Scan(outputs[output], secrets) {
			if bySecret[f.Secret] == nil {
				order = append(order, f.Secret)
			}
			bySecret[f.Secret] = append(bySecret[f.Secret], f)
		}
		for _, secret := range order {
			findings := bySecret[secret]
			found = append(found, fmt.Sprintf("the %s: %s; found in %d views and forms", output, findings[0], len(findings)))
		}
	}
	if len(found) > 0 {
		Fail(fmt.Sprintf("%d outputs and secrets, by position:\n%s", len(found), strings.Join(found, "\n")))
	}
}
