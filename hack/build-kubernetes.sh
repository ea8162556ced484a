#!/usr/bin/env bash
# Builds commands of k8s.io/kubernetes from source through the Go module proxy.
#
# Usage: hack/build-kubernetes.sh VERSION OUT_DIR COMMAND...
#   e.g. hack/build-kubernetes.sh 1.36.3 /tmp/out kube-apiserver kubectl
#
# k8s.io/kubernetes requires every staging module at v0.0.0 and replaces it with a local path;
# a module that depends on it must replace each of them with the tagged release instead. The
# list comes from k8s.io/kubernetes's own go.mod. Every caller builds in the same throwaway
# module with the same flags, so the Go build cache is shared: the envtest binaries
# (hack/envtest-assets.sh) and the end-to-end cluster's (hack/e2e/assets.sh) cost one cold build.
set -euo pipefail

version="$1"; out="$2"; shift 2
[[ $# -gt 0 ]] || { echo "usage: $0 VERSION OUT_DIR COMMAND..." >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
mkdir -p "${out}"
cd "${work}"
go mod init build-kubernetes/kube >/dev/null 2>&1
go mod edit -require="k8s.io/kubernetes@v${version}"
kube_mod="$(go mod download -json "k8s.io/kubernetes@v${version}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "${kube_mod}" | awk '{print $1}' | while read -r staging; do
  go mod edit -replace="${staging}=${staging}@v0.${version#1.}"
done
packages=()
{
  echo '//go:build tools'
  echo
  echo 'package tools'
  echo
  echo 'import ('
  for cmd in "$@"; do
    packages+=("k8s.io/kubernetes/cmd/${cmd}")
    echo "	_ \"k8s.io/kubernetes/cmd/${cmd}\""
  done
  echo ')'
} > tools.go
go mod tidy >/dev/null 2>&1 || go get "${packages[@]/%/@v${version}}"
major="${version%%.*}"
minor="${version#*.}"; minor="${minor%%.*}"
ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X ${pkg}.gitVersion=v${version} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
done
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ${ldflags}" -o "${out}/" "${packages[@]}"
