{{/*
The manager's arguments, one per line, as a YAML list. The first three are those of
dist/install.yaml, in its order; a flag whose value is null or empty is left out, so that
the manager's own default applies and is documented in one place (cmd/options.go).
Integers are printed through int64: a large float64 from YAML would print as 1e+06, which
an integer flag refuses.
*/}}
{{- define "vipps-token-operator.managerArgs" -}}
{{- $m := .Values.manager }}
{{- if .Values.metrics.enabled }}
- --metrics-bind-address=:8443
{{- end }}
{{- if $m.leaderElection.enabled }}
- --leader-elect
{{- with $m.leaderElection.id }}
- {{ printf "--leader-election-id=%s" . | quote }}
{{- end }}
{{- with $m.leaderElection.namespace }}
- {{ printf "--leader-election-namespace=%s" . | quote }}
{{- end }}
{{- end }}
- --health-probe-bind-address=:8081
{{- /* null keeps the default list; an empty list allows none, so test the kind, not truth. */}}
{{- if kindIs "slice" $m.allowedEndpoints }}
- {{ printf "--allowed-endpoints=%s" (join "," $m.allowedEndpoints) | quote }}
{{- end }}
{{- with $m.namespaces }}
- {{ printf "--namespaces=%s" (join "," .) | quote }}
{{- end }}
{{- with $m.clusterResourceNamespace }}
{{- if and $m.namespaces (not (has . $m.namespaces)) }}
{{- fail (printf "manager.namespaces must include manager.clusterResourceNamespace %s: ClusterVippsTokens keep their credentials there" .) }}
{{- end }}
- {{ printf "--cluster-resource-namespace=%s" . | quote }}
{{- end }}
{{- if not (kindIs "invalid" $m.kubeAPIQPS) }}
- {{ printf "--kube-api-qps=%v" $m.kubeAPIQPS | quote }}
{{- end }}
{{- if not (kindIs "invalid" $m.kubeAPIBurst) }}
- --kube-api-burst={{ int64 $m.kubeAPIBurst }}
{{- end }}
{{- if not (kindIs "invalid" $m.maxConcurrentReconciles) }}
- --max-concurrent-reconciles={{ int64 $m.maxConcurrentReconciles }}
{{- end }}
{{- with $m.vippsTimeout }}
- {{ printf "--vipps-timeout=%s" . | quote }}
{{- end }}
{{- if not (kindIs "invalid" $m.vippsRateLimit) }}
- {{ printf "--vipps-rate-limit=%v" $m.vippsRateLimit | quote }}
{{- end }}
{{- if not (kindIs "invalid" $m.vippsRateBurst) }}
- --vipps-rate-burst={{ int64 $m.vippsRateBurst }}
{{- end }}
{{- if .Values.rolloutRestarts.enabled }}
- --enable-rollout-restarts
{{- with .Values.rolloutRestarts.minInterval }}
- {{ printf "--rollout-restart-min-interval=%s" . | quote }}
{{- end }}
{{- end }}
{{- range .Values.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}
