#!/usr/bin/env bash
# Prints the directory that holds kube-apiserver, etcd and kubectl for envtest.
#
# Order of preference:
#   1. KUBEBUILDER_ASSETS, when it is already set and holds a kube-apiserver.
#   2. The binaries setup-envtest keeps in its store (found there from an earlier run
#      of this script or of setup-envtest itself).
#   3. setup-envtest's normal download, where the network allows it.
#   4. A build from source through the Go module proxy, written into setup-envtest's
#      store so that later runs and later clones on this machine reuse it.
#
# The build from source exists because some machines reach the Go module proxy and
# nothing else; the first build takes about 10 minutes on 2 cores.
#
# Usage: hack/envtest-assets.sh   (progress goes to stderr, the directory to stdout)
set -euo pipefail

K8S_VERSION="${ENVTEST_K8S_VERSION:-1.36.3}"
ETCD_VERSION="${ENVTEST_ETCD_VERSION:-3.6.8}"
SETUP_ENVTEST="${SETUP_ENVTEST:-}"
GOOS="$(go env GOOS)"
GOARCH="$(go env GOARCH)"

log() { echo "envtest-assets: $*" >&2; }

has_assets() { [[ -x "$1/kube-apiserver" && -x "$1/etcd" && -x "$1/kubectl" ]]; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "${KUBEBUILDER_ASSETS}/kube-apiserver" ]]; then
  echo "${KUBEBUILDER_ASSETS}"
  exit 0
fi

# setup-envtest's store: $XDG_DATA_HOME/kubebuilder-envtest on Linux,
# ~/Library/Application Support/io.kubebuilder.envtest on macOS.
if [[ "${GOOS}" == "darwin" ]]; then
  store_root="${HOME}/Library/Application Support/io.kubebuilder.envtest"
else
  store_root="${XDG_DATA_HOME:-${HOME}/.local/share}/kubebuilder-envtest"
fi
store="${store_root}/k8s/${K8S_VERSION}-${GOOS}-${GOARCH}"

if has_assets "${store}"; then
  echo "${store}"
  exit 0
fi

if [[ -n "${SETUP_ENVTEST}" && -x "${SETUP_ENVTEST}" ]]; then
  log "trying setup-envtest's download of ${K8S_VERSION}"
  if dir="$(timeout 120 "${SETUP_ENVTEST}" use "${K8S_VERSION}" -p path 2>/dev/null)" && has_assets "${dir}"; then
    echo "${dir}"
    exit 0
  fi
  log "setup-envtest could not download; building from the Go module proxy instead"
fi

# Test packages run in parallel and each may land here on a fresh machine: one builds, the
# others wait for it and then find the binaries in the store.
mkdir -p "${store_root}"
if command -v flock >/dev/null 2>&1; then
  exec 9>"${store_root}/.envtest-assets.lock"
  flock 9
  if has_assets "${store}"; then
    echo "${store}"
    exit 0
  fi
fi

log "building kube-apiserver and kubectl ${K8S_VERSION} and etcd ${ETCD_VERSION} (10 to 15 minutes the first time)"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
out="${work}/out"
mkdir -p "${out}"

# kube-apiserver and kubectl, from k8s.io/kubernetes through the Go module proxy.
"$(dirname "$0")/build-kubernetes.sh" "${K8S_VERSION}" "${out}" kube-apiserver kubectl

# etcd: the server module is itself a main package; its go.mod replaces its sibling
# modules with local paths, so `go install module@version` refuses it and it is built
# from a module that requires it.
mkdir -p "${work}/etcd"
(
  cd "${work}/etcd"
  go mod init envtest-assets/etcd >/dev/null 2>&1
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
  go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >/dev/null 2>&1
  go mod tidy >/dev/null 2>&1
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${out}/etcd" go.etcd.io/etcd/server/v3
)

"${out}/kube-apiserver" --version >&2
"${out}/etcd" --version | head -1 >&2

mkdir -p "${store}"
mv "${out}/kube-apiserver" "${out}/kubectl" "${out}/etcd" "${store}/"
log "cached in ${store}"
echo "${store}"
