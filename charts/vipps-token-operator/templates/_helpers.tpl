{{/*
The chart's name, as it appears in labels.
*/}}
{{- define "vipps-token-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object's name. A release named vipps-token-operator gets the names of
dist/install.yaml (vipps-token-operator-controller-manager, ...), so that RBAC bound to them
and alerts that name them keep working when moving between the two.
*/}}
{{- define "vipps-token-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The metrics Service's name: a DNS label, so 63 characters at most, where other names may be
longer.
*/}}
{{- define "vipps-token-operator.metricsServiceName" -}}
{{- printf "%s-controller-manager-metrics-service" (include "vipps-token-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "vipps-token-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "vipps-token-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The labels that select the manager's pods: the Deployment's selector (immutable, so never
add to it), the metrics Service's and the NetworkPolicies'.
*/}}
{{- define "vipps-token-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vipps-token-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the manager runs as. Without one created or named, the manager would run
as the namespace's default ServiceAccount, and every pod that uses it would get the
manager's permissions on Secrets: refuse that.
*/}}
{{- define "vipps-token-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-controller-manager" (include "vipps-token-operator.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image, by digest when one is given: a digest cannot be moved to other contents.
*/}}
{{- define "vipps-token-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The namespace of the leader election Lease, where its Role must be.
*/}}
{{- define "vipps-token-operator.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.manager.leaderElection.namespace }}
{{- end }}
