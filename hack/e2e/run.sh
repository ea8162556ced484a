#!/usr/bin/env bash
# `make e2e`: builds the images, starts the one-node cluster (hack/e2e/cluster.sh), runs the
# end-to-end suite (test/e2e) against it, and stops the cluster again whatever happens: when a
# spec fails, when the suite times out, on Ctrl-C or SIGTERM.
#
# With E2E_EXISTING_CLUSTER=true it runs against the cluster KUBECONFIG points at instead (kind
# on a laptop, say); E2E_IMAGE_LOAD names the command that gets an image archive onto its nodes,
# for kind: E2E_IMAGE_LOAD="kind load image-archive".
set -euo pipefail
cd "$(dirname "$0")/../.."

images="${PWD}/bin/e2e"
mkdir -p "${images}"
export E2E_OPERATOR_IMAGE="e2e.local/vipps-token-operator:e2e"
export E2E_FAKE_VIPPS_IMAGE="e2e.local/fake-vipps:e2e"
export E2E_READER_IMAGE="e2e.local/e2e-reader:e2e"

# image NAME PACKAGE TAG: a static binary of PACKAGE in an image of its own, as `make image`
# builds the operator's.
image() {
  CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o "${images}/$1" "$2"
  (cd tools/image && go run . --tag "$3" --output "${images}/$1.tar" --entrypoint "/$1" --file "${images}/$1=/$1") >&2
}
image manager ./cmd "${E2E_OPERATOR_IMAGE}"
image fake-vipps ./cmd/fake-vipps "${E2E_FAKE_VIPPS_IMAGE}"
image reader ./test/e2e/images/reader "${E2E_READER_IMAGE}"
archives=("${images}/manager.tar" "${images}/fake-vipps.tar" "${images}/reader.tar")

if [[ "${E2E_EXISTING_CLUSTER:-false}" == true ]]; then
  [[ -n "${KUBECONFIG:-}" ]] || { echo "e2e: E2E_EXISTING_CLUSTER=true needs KUBECONFIG" >&2; exit 2; }
  if [[ -n "${E2E_IMAGE_LOAD:-}" ]]; then
    for archive in "${archives[@]}"; do ${E2E_IMAGE_LOAD} "${archive}"; done
  fi
  export E2E_KUBECTL="${E2E_KUBECTL:-$(command -v kubectl)}"
else
  suite_pid=""
  teardown() {
    trap - EXIT INT TERM
    if [[ -n "${suite_pid}" ]]; then kill -INT "${suite_pid}" 2>/dev/null && wait "${suite_pid}" || true; fi
    hack/e2e/cluster.sh down
  }
  trap teardown EXIT
  trap 'exit 130' INT TERM
  KUBECONFIG="$(hack/e2e/cluster.sh up)"
  export KUBECONFIG
  hack/e2e/cluster.sh load "${archives[@]}"
  export E2E_KUBECTL="$(hack/e2e/assets.sh)/kubectl"
fi

# The suite runs in the background so that a signal reaches the trap at once, not when the
# suite ends.
go test -tags e2e ./test/e2e/ -count=1 -timeout 30m -v -ginkgo.v ${E2E_FLAGS:-} &
suite_pid=$!
wait "${suite_pid}"
