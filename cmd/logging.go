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
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// maxVerbosity is the most verbose the manager's log gets, whatever --zap-log-level asks
// for. Levels 6 to 10 are client-go's wire debugging: from 8 up it logs the bodies of the
// requests to and responses from the API server (protobuf ones as hex dumps), which hold the
// client secret and subscription key of every credentials Secret read and the token of every
// target Secret written. client-go logs with the logger it finds in the request's context,
// and controller-runtime hands it the manager's own, in every reconcile and in its cache and
// event recorder: so --zap-log-level=10 showed all of that. The operator's debug lines are at
// level 1 and controller-runtime's at 5 or less, so the cap hides none of them. (klog's own
// verbosity, which decides whether client-go adds the round tripper that logs headers and
// curl commands, stays at 0: the manager has no -v flag.)
const maxVerbosity = 5

// capVerbosity lowers a --zap-log-level above maxVerbosity to maxVerbosity, and says
// whether it did.
func capVerbosity(opts *zap.Options) bool {
	if opts.Level == nil || !opts.Level.Enabled(-maxVerbosity-1) {
		return false // the default (info, or debug with --zap-devel) or a level within the cap
	}
	opts.Level = zapcore.Level(-maxVerbosity)
	return true
}
