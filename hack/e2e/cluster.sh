#!/usr/bin/env bash
# A Kubernetes cluster of one node on this machine, for the end-to-end tests: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy and a kubelet with
# containerd, runc and the bridge CNI plugin. Linux, as root.
#
#   hack/e2e/cluster.sh up     start it; prints the kubeconfig's path
#   hack/e2e/cluster.sh down   stop it and restore the machine as `up` found it
#   hack/e2e/cluster.sh load ARCHIVE...   import image archives into the node
#
# `down` is safe to run at any time, also twice or after a failed `up`: everything `up` starts
# or changes is recorded in the state directory first and undone from that record. The
# settings that are not defaults, and why, are in docs/e2e.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

STATE="${E2E_STATE_DIR:-/var/tmp/vipps-token-operator-e2e}"
NODE_NAME="vipps-e2e"
BRIDGE="vipps-e2e0"
POD_SUBNET="10.244.0.0/24"
NODE_IP="10.244.0.1"
SERVICE_SUBNET="10.96.0.0/24"
API_SERVICE_IP="10.96.0.1"
API_PORT=16443
ETCD_PORT=12379
PAUSE_IMAGE="e2e.local/pause:1"

# What the kubelet and kube-proxy change outside the state directory (docs/e2e.md).
SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.netfilter.nf_conntrack_max)
HOST_DIRS=(/var/log/pods /var/log/containers /var/lib/kubelet /var/lib/cni /var/run/netns /etc/cni)
CGROUP_ROOT=/sys/fs/cgroup

log() { echo "e2e-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

pids_dir="${STATE}/pids"
logs="${STATE}/logs"
pki="${STATE}/pki"
kubeconfig="${STATE}/admin.kubeconfig"

# --- the machine -----------------------------------------------------------------------------

check_machine() {
  [[ "$(uname -s)" == Linux ]] || die "needs Linux; on another system point KUBECONFIG at a cluster and set E2E_EXISTING_CLUSTER=true"
  [[ "$(id -u)" == 0 ]] || die "needs root (it starts a kubelet); or point KUBECONFIG at a cluster and set E2E_EXISTING_CLUSTER=true"
  local packages=() missing=()
  command -v containerd >/dev/null || packages+=(containerd)
  command -v runc >/dev/null || packages+=(runc)
  [[ -x /usr/lib/cni/bridge ]] || packages+=(containernetworking-plugins)
  command -v iptables >/dev/null || packages+=(iptables)
  command -v nft >/dev/null || packages+=(nftables)
  command -v conntrack >/dev/null || packages+=(conntrack)
  command -v openssl >/dev/null || packages+=(openssl)
  if ((${#packages[@]})); then
    if command -v apt-get >/dev/null; then
      log "installing Debian packages: ${packages[*]}"
      # A machine whose package lists are stale or absent needs an update first.
      { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" >&2; }; } ||
        die "could not install ${packages[*]}; install them and run again"
    else
      die "missing: ${packages[*]} (containerd, runc, the CNI plugins in /usr/lib/cni, iptables, nftables, conntrack, openssl)"
    fi
  fi
  for tool in containerd runc iptables nft openssl; do command -v "${tool}" >/dev/null || missing+=("${tool}"); done
  ((${#missing[@]} == 0)) || die "still missing: ${missing[*]}"
}

# record_host writes what `down` restores: sysctls, the nftables ruleset (iptables on Debian 12
# is its nf_tables front end), which host directories and cgroups existed.
record_host() {
  mkdir -p "${STATE}/host"
  local s
  for s in "${SYSCTLS[@]}"; do
    if v="$(sysctl -n "${s}" 2>/dev/null)"; then echo "${s}=${v}"; fi
  done > "${STATE}/host/sysctls"
  nft list ruleset > "${STATE}/host/ruleset.nft"
  for d in "${HOST_DIRS[@]}"; do [[ -e "${d}" ]] || echo "${d}"; done > "${STATE}/host/absent-dirs"
  find "${CGROUP_ROOT}" -mindepth 2 -maxdepth 2 -type d > "${STATE}/host/cgroups" 2>/dev/null || true
  host_links > "${STATE}/host/links"
  host_mounts > "${STATE}/host/mounts"
}

host_links() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort; }
host_mounts() { awk '{print $5}' /proc/self/mountinfo | sort; }

# verify_restored compares the machine with the record of `up` and fails on any difference,
# so that "restored" is checked on every run rather than assumed.
verify_restored() {
  local record="$1" differences=0 s
  diff <(cat "${record}/ruleset.nft") <(nft list ruleset) >&2 || { log "the nftables ruleset differs"; differences=1; }
  while IFS= read -r s; do
    [[ "$(sysctl -n "${s%%=*}" 2>/dev/null)" == "${s#*=}" ]] || { log "sysctl ${s%%=*} is not ${s#*=}"; differences=1; }
  done < "${record}/sysctls"
  diff "${record}/links" <(host_links) >&2 || { log "network devices differ"; differences=1; }
  diff "${record}/mounts" <(host_mounts) >&2 || { log "mounts differ"; differences=1; }
  diff <(sort "${record}/cgroups") <(find "${CGROUP_ROOT}" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | sort) >&2 ||
    { log "cgroups differ"; differences=1; }
  while IFS= read -r d; do [[ ! -e "${d}" ]] || { log "${d} is left"; differences=1; }; done < "${record}/absent-dirs"
  if pgrep -f "${STATE}" >/dev/null; then log "processes of the cluster are left: $(pgrep -f "${STATE}" | tr '\n' ' ')"; differences=1; fi
  return "${differences}"
}

restore_host() {
  [[ -d "${STATE}/host" ]] || return 0
  if [[ -f "${STATE}/host/ruleset.nft" ]]; then
    { echo "flush ruleset"; cat "${STATE}/host/ruleset.nft"; } | nft -f - || log "could not restore the nftables ruleset"
  fi
  if [[ -f "${STATE}/host/sysctls" ]]; then
    while IFS= read -r line; do sysctl -q -w "${line}" >/dev/null || log "could not restore ${line}"; done < "${STATE}/host/sysctls"
  fi
  remove_new_cgroups
  if [[ -f "${STATE}/host/absent-dirs" ]]; then
    while IFS= read -r d; do rm -rf "${d}"; done < "${STATE}/host/absent-dirs"
  fi
}

# remove_new_cgroups removes the cgroups (kubepods and the containers' own) that did not exist
# before `up`, deepest first; an empty cgroup directory is removed with rmdir, never rm -r.
remove_new_cgroups() {
  [[ -f "${STATE}/host/cgroups" ]] || return 0
  local top
  find "${CGROUP_ROOT}" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | sort | comm -13 <(sort "${STATE}/host/cgroups") - |
    while IFS= read -r top; do
      find "${top}" -depth -type d -exec rmdir {} \; 2>/dev/null || log "cgroup ${top} still has processes"
    done
}

# --- processes -------------------------------------------------------------------------------

start() {
  local name="$1"; shift
  log "starting ${name}"
  setsid "$@" >"${logs}/${name}.log" 2>&1 < /dev/null &
  echo $! > "${pids_dir}/${name}"
}

stop() {
  local name="$1" pid
  [[ -f "${pids_dir}/${name}" ]] || return 0
  pid="$(cat "${pids_dir}/${name}")"
  if kill -0 "${pid}" 2>/dev/null; then
    kill -TERM "${pid}" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  rm -f "${pids_dir}/${name}"
}

wait_for() {
  local what="$1" seconds="$2"; shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  die "${what} did not come up within ${seconds}s; its log is in ${logs}"
}

# --- certificates and kubeconfigs ------------------------------------------------------------

certificates() {
  mkdir -p "${pki}"
  local o=(-days 2 -sha256)
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "${pki}/ca.key" -out "${pki}/ca.crt" -subj "/CN=vipps-e2e-ca" "${o[@]}" 2>/dev/null
  openssl genrsa -out "${pki}/sa.key" 2048 2>/dev/null
  openssl rsa -in "${pki}/sa.key" -pubout -out "${pki}/sa.pub" 2>/dev/null
  signed() { # name subject [extensions]
    openssl req -newkey rsa:2048 -nodes -keyout "${pki}/$1.key" -out "${pki}/$1.csr" -subj "$2" 2>/dev/null
    openssl x509 -req -in "${pki}/$1.csr" -CA "${pki}/ca.crt" -CAkey "${pki}/ca.key" -CAcreateserial \
      -out "${pki}/$1.crt" "${o[@]}" ${3:+-extfile <(printf '%s' "$3")} 2>/dev/null
  }
  signed apiserver "/CN=kube-apiserver" \
    "subjectAltName=IP:${API_SERVICE_IP},IP:${NODE_IP},IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # One identity in system:masters for the control plane, the node and the tests: this cluster
  # lives for one test run on one machine, and RBAC of the operator is what the tests examine.
  signed admin "/O=system:masters/CN=vipps-e2e-admin"
}

write_kubeconfig() {
  cat > "${kubeconfig}" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: vipps-e2e
  cluster:
    server: https://127.0.0.1:${API_PORT}
    certificate-authority: ${pki}/ca.crt
users:
- name: admin
  user:
    client-certificate: ${pki}/admin.crt
    client-key: ${pki}/admin.key
contexts:
- name: vipps-e2e
  context: {cluster: vipps-e2e, user: admin}
current-context: vipps-e2e
YAML
}

# --- configuration files ---------------------------------------------------------------------

containerd_config() {
  mkdir -p "${STATE}/cni/net.d"
  cat > "${STATE}/containerd.toml" <<TOML
version = 2
root = "${STATE}/containerd/root"
state = "${STATE}/containerd/state"
[grpc]
  address = "${STATE}/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # No process here holds CAP_SYS_RESOURCE, so runc cannot lower oom_score_adj (docs/e2e.md).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${STATE}/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = false
TOML
  # Pods reach each other, the node and the Services' virtual IPs, and nothing else: no
  # default route, no masquerade (docs/e2e.md).
  cat > "${STATE}/cni/net.d/10-vipps-e2e.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "vipps-e2e",
  "plugins": [{
    "type": "bridge",
    "bridge": "${BRIDGE}",
    "isGateway": true,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {
      "type": "host-local",
      "dataDir": "${STATE}/cni/ipam",
      "ranges": [[{"subnet": "${POD_SUBNET}", "gateway": "${NODE_IP}"}]],
      "routes": [{"dst": "${SERVICE_SUBNET}", "gw": "${NODE_IP}"}]
    }
  }]
}
JSON
}

kubelet_config() {
  cat > "${STATE}/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: ${pki}/ca.crt}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://${STATE}/containerd.sock
# The host has cgroup v1, which kubelet 1.35 and later refuse unless told (docs/e2e.md).
failCgroupV1: false
cgroupDriver: cgroupfs
# runc cannot lower oom_score_adj here (no CAP_SYS_RESOURCE).
oomScoreAdj: 0
failSwapOn: false
# Secret volumes follow a Secret's change within the sync period; the default minute would
# hide the operator's own delay (docs/e2e.md).
syncFrequency: 10s
podLogsDir: ${STATE}/pod-logs
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
resolvConf: /etc/resolv.conf
YAML
}

kube_proxy_config() {
  cat > "${STATE}/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: ${kubeconfig}}
hostnameOverride: ${NODE_NAME}
clusterCIDR: ${POD_SUBNET}
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
iptables: {localhostNodePorts: false}
# Leave the host's conntrack settings as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
}

# --- up and down -----------------------------------------------------------------------------

up() {
  check_machine
  [[ ! -d "${pids_dir}" ]] || die "a cluster is recorded in ${STATE}; run '$0 down' first"
  local bin
  bin="$(hack/e2e/assets.sh)"
  mkdir -p "${pids_dir}" "${logs}" "${STATE}/etcd"
  echo "${bin}" > "${STATE}/bin"
  record_host

  certificates
  write_kubeconfig
  containerd_config
  kubelet_config
  kube_proxy_config

  # The bridge exists before the kubelet, which listens on its address; the CNI plugin finds
  # it and adds the pods to it.
  ip link add "${BRIDGE}" type bridge
  ip addr add "${NODE_IP}/${POD_SUBNET#*/}" dev "${BRIDGE}"
  ip link set "${BRIDGE}" up
  # Traffic that enters from a pod leaves only to another pod or the node.
  iptables -I FORWARD -i "${BRIDGE}" ! -o "${BRIDGE}" -j DROP
  iptables -I FORWARD -o "${BRIDGE}" ! -i "${BRIDGE}" -j DROP

  start etcd "${bin}/etcd" --data-dir "${STATE}/etcd" --name vipps-e2e \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "vipps-e2e=http://127.0.0.1:$((ETCD_PORT + 1))" --unsafe-no-fsync
  start kube-apiserver "${bin}/kube-apiserver" --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
    --bind-address 0.0.0.0 --secure-port "${API_PORT}" --advertise-address "${NODE_IP}" \
    --service-cluster-ip-range "${SERVICE_SUBNET}" \
    --tls-cert-file "${pki}/apiserver.crt" --tls-private-key-file "${pki}/apiserver.key" \
    --client-ca-file "${pki}/ca.crt" --kubelet-client-certificate "${pki}/admin.crt" --kubelet-client-key "${pki}/admin.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "${pki}/sa.pub" \
    --service-account-signing-key-file "${pki}/sa.key" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction,PodSecurity --allow-privileged=true
  wait_for "kube-apiserver" 60 "${bin}/kubectl" --kubeconfig "${kubeconfig}" get --raw /readyz
  start kube-controller-manager "${bin}/kube-controller-manager" --kubeconfig "${kubeconfig}" \
    --authentication-kubeconfig "${kubeconfig}" --authorization-kubeconfig "${kubeconfig}" \
    --bind-address 127.0.0.1 --secure-port 10357 --leader-elect=false \
    --service-account-private-key-file "${pki}/sa.key" --root-ca-file "${pki}/ca.crt" \
    --use-service-account-credentials --cluster-signing-cert-file "${pki}/ca.crt" --cluster-signing-key-file "${pki}/ca.key"
  start kube-scheduler "${bin}/kube-scheduler" --kubeconfig "${kubeconfig}" \
    --authentication-kubeconfig "${kubeconfig}" --authorization-kubeconfig "${kubeconfig}" \
    --bind-address 127.0.0.1 --secure-port 10359 --leader-elect=false

  start containerd containerd --config "${STATE}/containerd.toml"
  wait_for "containerd" 30 test -S "${STATE}/containerd.sock"
  import_pause_image
  start kubelet "${bin}/kubelet" --config "${STATE}/kubelet.yaml" --kubeconfig "${kubeconfig}" \
    --root-dir "${STATE}/kubelet" --cert-dir "${STATE}/kubelet/pki" --hostname-override "${NODE_NAME}" --node-ip "${NODE_IP}"
  start kube-proxy "${bin}/kube-proxy" --config "${STATE}/kube-proxy.yaml"
  wait_for "the node" 90 "${bin}/kubectl" --kubeconfig "${kubeconfig}" wait --for=condition=Ready "node/${NODE_NAME}" --timeout=1s
  wait_for "the default ServiceAccount" 30 "${bin}/kubectl" --kubeconfig "${kubeconfig}" get serviceaccount default
  log "up; KUBECONFIG=${kubeconfig}"
  echo "${kubeconfig}"
}

import_pause_image() {
  local archive="${STATE}/pause.tar"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${STATE}/pause" ./test/e2e/images/pause
  (cd tools/image && go run . --tag "${PAUSE_IMAGE}" --output "${archive}" --entrypoint /pause --file "${STATE}/pause=/pause") >&2
  containerd_ctr images import "${archive}" >&2
}

containerd_ctr() { ctr --address "${STATE}/containerd.sock" -n k8s.io "$@"; }

down() {
  [[ -d "${STATE}" ]] || { log "nothing recorded in ${STATE}"; return 0; }
  log "stopping"
  # Pods first, through the CRI, so that the CNI plugin removes their network and containerd
  # unmounts their network namespaces.
  stop kubelet
  if [[ -S "${STATE}/containerd.sock" && -f "${pids_dir}/containerd" && -f "${STATE}/bin" ]]; then
    timeout 90 "$(cat "${STATE}/bin")/crictl" --runtime-endpoint "unix://${STATE}/containerd.sock" --timeout 60s \
      rmp --all --force >"${logs}/crictl.log" 2>&1 ||
      { log "crictl could not remove every pod; killing them. It said:"; cat "${logs}/crictl.log" >&2; }
  fi
  stop kube-proxy
  stop kube-scheduler
  stop kube-controller-manager
  stop kube-apiserver
  stop etcd
  stop containerd
  kill_shims
  unmount_under "${STATE}"
  unmount_under /var/run/netns
  unmount_under /run/netns
  remove_pod_veths
  ip link del "${BRIDGE}" 2>/dev/null || true
  restore_host
  local record
  record="$(mktemp -d)"
  cp -r "${STATE}/host/." "${record}/" 2>/dev/null || true
  rm -rf "${STATE}"
  if [[ -f "${record}/ruleset.nft" ]] && ! verify_restored "${record}"; then
    rm -rf "${record}"
    die "down: the machine is not as it was (above)"
  fi
  rm -rf "${record}"
  log "down; the machine is as it was"
}

# kill_shims stops the containerd shims of this cluster's containerd (found by its socket in
# their command line), which outlive containerd by design.
kill_shims() {
  local pid
  for pid in $(pgrep -f "containerd-shim.*-address ${STATE}/containerd.sock" || true); do
    kill -KILL "${pid}" 2>/dev/null || true
  done
  # Containers left behind by a killed shim.
  for pid in $(find "${CGROUP_ROOT}/pids" -path '*kubepods*' -name cgroup.procs -exec cat {} + 2>/dev/null || true); do
    kill -KILL "${pid}" 2>/dev/null || true
  done
  sleep 0.5
}

unmount_under() {
  local dir="$1" mountpoint
  awk -v d="${dir}" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while IFS= read -r mountpoint; do umount -l "${mountpoint}" 2>/dev/null || log "could not unmount ${mountpoint}"; done
}

remove_pod_veths() {
  local link
  for link in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ "$(cat "/sys/class/net/${link}/master/uevent" 2>/dev/null | sed -n 's/^INTERFACE=//p')" == "${BRIDGE}" ]] && ip link del "${link}" 2>/dev/null || true
  done
}

# load imports image archives into the node's containerd, where the kubelet finds them
# without a registry (the manifests' images are not pulled: their tags are not "latest").
load() {
  local archive
  for archive in "$@"; do containerd_ctr images import "${archive}" >&2; done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  load) shift; load "$@" ;;
  *) echo "usage: $0 up | down | load ARCHIVE..." >&2; exit 2 ;;
esac
