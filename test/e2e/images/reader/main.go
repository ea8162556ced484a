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

// Command reader is the workload of the end-to-end tests: a restricted Pod's only process,
// which reads the token from the mounted target Secret as an application would and prints one
// JSON line each time the file's content changes: when it saw the change, a fingerprint of the
// token (never the token) and the expiry the token itself claims.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/test/e2e"
)

func main() {
	file := flag.String("file", "/var/run/vipps/accessToken", "the token file to watch")
	every := flag.Duration("every", 200*time.Millisecond, "how often to read it")
	flag.Parse()

	out := json.NewEncoder(os.Stdout)
	last, lastError := "", ""
	for ; ; time.Sleep(*every) {
		content, err := os.ReadFile(*file)
		observation := e2e.FileChange{Seen: time.Now().UTC()}
		switch {
		case err != nil && err.Error() == lastError:
			continue
		case err != nil:
			lastError = err.Error()
			observation.Error = lastError
		case string(content) == last:
			continue
		default:
			last, lastError = string(content), ""
			observation.Fingerprint = e2e.Fingerprint(content)
			observation.Expiry = expiryClaim(last)
		}
		_ = out.Encode(observation)
	}
}

// expiryClaim reads exp from a JWT's payload without checking the signature: the reader wants
// to know what the token says of itself, as a workload's client library would.
func expiryClaim(token string) int64 {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return 0
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return 0
	}
	return claims.Exp
}
