#!/usr/bin/env bash
# Prints the directory that holds every binary of the end-to-end cluster (hack/e2e/cluster.sh):
# the envtest control plane (kube-apiserver, etcd, kubectl, from hack/envtest-assets.sh) and
# kubelet, kube-controller-manager, kube-scheduler, kube-proxy and crictl, built from source
# through the Go module proxy and cached beside the envtest binaries. The first build takes
# about 5 minutes after the envtest one (the Go build cache is shared); later runs take none.
#
# Usage: hack/e2e/assets.sh   (progress goes to stderr, the directory to stdout)
set -euo pipefail
cd "$(dirname "$0")/../.."

K8S_VERSION="${ENVTEST_K8S_VERSION:-1.36.3}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.37.0}"
log() { echo "e2e-assets: $*" >&2; }

envtest="$(hack/envtest-assets.sh)"
store="${XDG_DATA_HOME:-${HOME}/.local/share}/vipps-token-operator-e2e/${K8S_VERSION}-$(go env GOOS)-$(go env GOARCH)"
node_binaries=(kubelet kube-controller-manager kube-scheduler kube-proxy)

complete() {
  local b
  for b in "${node_binaries[@]}" crictl kube-apiserver etcd kubectl; do
    [[ -x "${store}/${b}" ]] || return 1
  done
}

mkdir -p "${store}"
exec 9>"${store}/.lock"
flock 9
if ! complete; then
  log "building ${node_binaries[*]} ${K8S_VERSION} (about 5 minutes the first time)"
  out="$(mktemp -d)"
  trap 'rm -rf "${out}"' EXIT
  hack/build-kubernetes.sh "${K8S_VERSION}" "${out}" "${node_binaries[@]}"
  log "building crictl ${CRICTL_VERSION}"
  CGO_ENABLED=0 GOBIN="${out}" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/cri-tools/cmd/crictl@${CRICTL_VERSION}"
  mv "${out}"/* "${store}/"
  # The control plane's own binaries are the envtest ones: linked, so there is one build of each.
  for b in kube-apiserver etcd kubectl; do ln -sf "${envtest}/${b}" "${store}/${b}"; done
  log "cached in ${store}"
fi
echo "${store}"
