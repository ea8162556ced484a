#!/usr/bin/env bash
# Copies into the Helm chart (charts/vipps-token-operator/files/) the files it renders but
# cannot reach, because Helm reads nothing outside a chart's directory:
#   - the CRDs that controller-gen writes into config/crd/bases,
#   - the Prometheus alerts of config/prometheus/rules.yaml, and
#   - the Grafana dashboard of config/grafana, byte for byte: JSON has no comments.
# The chart's templates read them as data (crds.yaml, prometheusrule.yaml,
# grafana-dashboard.yaml). `make manifests` runs this script, and `make verify` fails when
# the copies differ from their sources.
set -euo pipefail
cd "$(dirname "$0")/.."

files=charts/vipps-token-operator/files

# copy SOURCE DESTINATION: the source, under a header that says where it comes from.
copy() {
  { echo "# Copied from $1 by hack/chart-files.sh (make manifests); do not edit."; cat "$1"; } >"$2"
}

# A CRD removed from config/crd/bases must leave the chart too.
rm -f "${files}"/crds/*.yaml
mkdir -p "${files}/crds"
for crd in config/crd/bases/*.yaml; do
  copy "${crd}" "${files}/crds/$(basename "${crd}")"
done

copy config/prometheus/rules.yaml "${files}/prometheusrule.yaml"
cp config/grafana/vipps-token-operator.json "${files}/grafana-dashboard.json"
