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

package helm

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/vipps-token-operator/vipps-token-operator/test/support/installtest"
)

// helmLint runs `helm lint --strict`, which fails on warnings too, with values.
func helmLint(values ...string) (stdout, stderr string, err error) {
	args := append([]string{"lint", chart, "--strict", "--namespace", namespace}, valuesArgs(values)...)
	return installtest.Run(helm, args...)
}

var _ = Describe("helm lint --strict", func() {
	DescribeTable("passes",
		func(values string) {
			stdout, stderr, err := helmLint(values)
			Expect(err).NotTo(HaveOccurred(), stdout+stderr)
			Expect(stdout).To(ContainSubstring("0 chart(s) failed"))
		},
		Entry("with the defaults", ``),
		Entry("with everything on", allOn),
	)
})
