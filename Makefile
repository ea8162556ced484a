# Image URL to use all building/pushing image targets
IMG ?= controller:latest

# Get the currently used golang install path (in GOPATH/bin, unless GOBIN is set)
ifeq (,$(shell go env GOBIN))
GOBIN=$(shell go env GOPATH)/bin
else
GOBIN=$(shell go env GOBIN)
endif

# CONTAINER_TOOL defines the container tool to be used for building images.
# Be aware that the target commands are only tested with Docker which is
# scaffolded by default. However, you might want to replace it to use other
# tools. (i.e. podman)
CONTAINER_TOOL ?= docker

# Setting SHELL to bash allows bash commands to be executed by recipes.
# Options are set to exit when a recipe line exits non-zero or a piped command fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

# The help target prints out all targets with their descriptions organized
# beneath their categories. The categories are represented by '##@' and the
# target descriptions by '##'. The awk command is responsible for reading the
# entire set of makefiles included in this invocation, looking for lines of the
# file as xyz: ## something, and then pretty-format the target and help. Then,
# if there's a line with ##@ something, that gets pretty-printed as a category.
# More info on the usage of ANSI control characters for terminal formatting:
# https://en.wikipedia.org/wiki/ANSI_escape_code#SGR_parameters
# More info on the awk command:
# http://linuxcommand.org/lc3_adv_awk.php

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate WebhookConfiguration, ClusterRole and CustomResourceDefinition objects, and the Helm chart's copies.
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd webhook paths="./..." output:crd:artifacts:config=config/crd/bases
	hack/chart-files.sh

.PHONY: generate
generate: controller-gen ## Generate code containing DeepCopy, DeepCopyInto, and DeepCopyObject method implementations.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: fmt
fmt: ## Run go fmt against code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet against code.
	go vet ./...

.PHONY: api-docs
api-docs: crd-ref-docs ## Generate the API reference in docs/api-reference.md from the Go types.
	"$(CRD_REF_DOCS)" --source-path=api --config=hack/api-docs/config.yaml --renderer=markdown \
		--templates-dir=hack/api-docs/templates --output-path=docs/api-reference.md

.PHONY: test
test: manifests generate fmt vet envtest-assets helm promtool ## Run all tests against a real kube-apiserver and etcd (envtest).
	KUBEBUILDER_ASSETS="$$(SETUP_ENVTEST="$(ENVTEST)" hack/envtest-assets.sh)" HELM="$(HELM)" PROMTOOL="$(PROMTOOL)" \
		go test ./... -coverprofile cover.out

.PHONY: soak
soak: envtest-assets ## Run 200 tokens of 20 s for SOAK_DURATION (10m): none ever expired, memory and goroutines flat.
	SOAK_DURATION=$(SOAK_DURATION) go test -v ./test/reliability/ -count=1 -timeout 60m -ginkgo.label-filter=soak -ginkgo.v

.PHONY: fuzz
fuzz: ## Fuzz the Vipps response parser for FUZZTIME executions (400000x, about 30 s).
	go test ./internal/vipps/ -run '^$$' -fuzz FuzzParseTokenResponse -fuzztime $(FUZZTIME)

.PHONY: verify
verify: manifests generate api-docs ## Fail when generated files are stale, or a binary or a file over 1 MiB is tracked.
	go run ./hack/verify-no-binaries
	@stale="$$(git status --porcelain -- api config charts docs/api-reference.md)"; \
	if [ -n "$$stale" ]; then \
		echo "Generated files are stale; run 'make manifests generate api-docs' and commit:"; \
		echo "$$stale"; git --no-pager diff --stat -- api config charts docs/api-reference.md; exit 1; \
	fi

.PHONY: lint
lint: golangci-lint ## Run golangci-lint linter
	"$(GOLANGCI_LINT)" run

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint linter and perform fixes
	"$(GOLANGCI_LINT)" run --fix

.PHONY: lint-config
lint-config: golangci-lint ## Verify golangci-lint linter configuration
	"$(GOLANGCI_LINT)" config verify

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build manager binary.
	go build -o bin/manager ./cmd

.PHONY: run
run: manifests generate fmt vet ## Run the manager against the cluster of the current kubeconfig.
	go run ./cmd

.PHONY: demo
demo: envtest-assets ## See it work with no cluster and no Vipps account: local control plane, fake Vipps, samples.
	go run ./cmd/demo $(DEMO_FLAGS)

.PHONY: e2e
e2e: build-installer kustomize ## End-to-end tests on a one-node cluster built from source (Linux, root; docs/e2e.md), or on KUBECONFIG's with E2E_EXISTING_CLUSTER=true.
	KUSTOMIZE="$(KUSTOMIZE)" hack/e2e/run.sh

.PHONY: e2e-down
e2e-down: ## Stop the end-to-end cluster and restore the machine, should a run have been killed before it could.
	hack/e2e/cluster.sh down

.PHONY: bench
bench: envtest-assets ## Measure the operator's cost (docs/benchmarks.md): local control plane, fake Vipps, BENCH_FLAGS=--n=5000.
	go run ./cmd/bench $(BENCH_FLAGS)

# The image `make image` writes; `docker load -i` and `ctr images import` both take it.
IMAGE_ARCHIVE ?= bin/image.tar
.PHONY: image
image: ## Build the manager image without Docker (tools/image) into IMAGE_ARCHIVE, tagged IMG; IMAGE_PUSH=true pushes it too.
	CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o bin/linux/manager ./cmd
	cd tools/image && go run . --tag "$(IMG)" --output "$(abspath $(IMAGE_ARCHIVE))" \
		--file "$(abspath bin/linux/manager)=/manager" $(if $(filter true,$(IMAGE_PUSH)),--push)

# If you wish to build the manager image targeting other platforms you can use the --platform flag.
# (i.e. docker build --platform linux/arm64). However, you must enable docker buildKit for it.
# More info: https://docs.docker.com/develop/develop-images/build_enhancements/
.PHONY: docker-build
docker-build: ## Build docker image with the manager.
	$(CONTAINER_TOOL) build -t ${IMG} .

.PHONY: docker-push
docker-push: ## Push docker image with the manager.
	$(CONTAINER_TOOL) push ${IMG}

# PLATFORMS defines the target platforms for the manager image be built to provide support to multiple
# architectures. (i.e. make docker-buildx IMG=myregistry/mypoperator:0.0.1). To use this option you need to:
# - be able to use docker buildx. More info: https://docs.docker.com/build/buildx/
# - have enabled BuildKit. More info: https://docs.docker.com/develop/develop-images/build_enhancements/
# - be able to push the image to your registry (i.e. if you do not set a valid value via IMG=<myregistry/image:<tag>> then the export will fail)
# To adequately provide solutions that are compatible with multiple platforms, you should consider using this option.
PLATFORMS ?= linux/arm64,linux/amd64,linux/s390x,linux/ppc64le
.PHONY: docker-buildx
docker-buildx: ## Build and push docker image for the manager for cross-platform support
	# copy existing Dockerfile and insert --platform=${BUILDPLATFORM} into Dockerfile.cross, and preserve the original Dockerfile
	sed -e '1 s/\(^FROM\)/FROM --platform=\$$\{BUILDPLATFORM\}/; t' -e ' 1,// s//FROM --platform=\$$\{BUILDPLATFORM\}/' Dockerfile > Dockerfile.cross
	- $(CONTAINER_TOOL) buildx create --name vipps-token-operator-builder
	$(CONTAINER_TOOL) buildx use vipps-token-operator-builder
	- $(CONTAINER_TOOL) buildx build --push --platform=$(PLATFORMS) --tag ${IMG} -f Dockerfile.cross .
	- $(CONTAINER_TOOL) buildx rm vipps-token-operator-builder
	rm Dockerfile.cross

.PHONY: build-installer
build-installer: manifests generate kustomize ## Generate a consolidated YAML with CRDs and deployment.
	mkdir -p dist
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default > dist/install.yaml

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests kustomize ## Install CRDs into the K8s cluster specified in ~/.kube/config.
	@out="$$( "$(KUSTOMIZE)" build config/crd 2>/dev/null || true )"; \
	if [ -n "$$out" ]; then echo "$$out" | "$(KUBECTL)" apply -f -; else echo "No CRDs to install; skipping."; fi

.PHONY: uninstall
uninstall: manifests kustomize ## Uninstall CRDs from the K8s cluster specified in ~/.kube/config. Call with ignore-not-found=true to ignore resource not found errors during deletion.
	@out="$$( "$(KUSTOMIZE)" build config/crd 2>/dev/null || true )"; \
	if [ -n "$$out" ]; then echo "$$out" | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -; else echo "No CRDs to delete; skipping."; fi

.PHONY: deploy
deploy: manifests kustomize ## Deploy controller to the K8s cluster specified in ~/.kube/config.
	cd config/manager && "$(KUSTOMIZE)" edit set image controller=${IMG}
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" apply -f -

.PHONY: undeploy
undeploy: kustomize ## Undeploy controller from the K8s cluster specified in ~/.kube/config. Call with ignore-not-found=true to ignore resource not found errors during deletion.
	"$(KUSTOMIZE)" build config/default | "$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -f -

##@ Dependencies

## Location to install dependencies to
LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

## Tool Binaries
KUBECTL ?= kubectl
KUSTOMIZE ?= $(LOCALBIN)/kustomize
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
ENVTEST ?= $(LOCALBIN)/setup-envtest
GOLANGCI_LINT = $(LOCALBIN)/golangci-lint
CRD_REF_DOCS ?= $(LOCALBIN)/crd-ref-docs
HELM ?= $(LOCALBIN)/helm
PROMTOOL ?= $(LOCALBIN)/promtool

## Tool Versions
KUSTOMIZE_VERSION ?= v5.8.1
CONTROLLER_TOOLS_VERSION ?= v0.21.0
# setup-envtest is a standalone tool; its version need not match controller-runtime's.
ENVTEST_VERSION ?= v0.25.1
GOLANGCI_LINT_VERSION ?= v2.15.0
CRD_REF_DOCS_VERSION ?= v0.3.0
HELM_VERSION ?= v4.3.2
# promtool tests the alerts in config/prometheus/rules.yaml (test/monitoring). Prometheus 3.x's
# Go module versions are v0.3XX.Y for Prometheus 3.XX.Y; keep this the version that
# test/monitoring/selectors/go.mod requires, whose PromQL parser checks the queries.
PROMTOOL_VERSION ?= v0.316.0

# The Kubernetes version of the envtest control plane. hack/envtest-assets.sh builds it from
# source when setup-envtest cannot download it; keep it on the same minor as k8s.io/api.
export ENVTEST_K8S_VERSION ?= 1.36.3
export ENVTEST_ETCD_VERSION ?= 3.6.8

SOAK_DURATION ?= 10m
# A count, not a duration: with a duration, Go's fuzz coordinator can report
# "context deadline exceeded" as a failure when -fuzztime ends (go.dev/issue/75804,
# fixed in Go 1.27). A count has no deadline to race.
FUZZTIME ?= 400000x

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Download kustomize locally if necessary.
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Download controller-gen locally if necessary.
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: envtest-assets
envtest-assets: envtest ## Find, download or build kube-apiserver and etcd for envtest (hack/envtest-assets.sh).
	@SETUP_ENVTEST="$(ENVTEST)" hack/envtest-assets.sh >/dev/null

.PHONY: envtest
envtest: $(ENVTEST) ## Download setup-envtest locally if necessary.
$(ENVTEST): $(LOCALBIN)
	$(call go-install-tool,$(ENVTEST),sigs.k8s.io/controller-runtime/tools/setup-envtest,$(ENVTEST_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Download golangci-lint locally if necessary.
$(GOLANGCI_LINT): $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

.PHONY: promtool
promtool: $(PROMTOOL) ## Build promtool locally if necessary (it tests the alerts; takes minutes the first time).
$(PROMTOOL): $(LOCALBIN)
	$(call go-install-tool,$(PROMTOOL),github.com/prometheus/prometheus/cmd/promtool,$(PROMTOOL_VERSION))

.PHONY: crd-ref-docs
crd-ref-docs: $(CRD_REF_DOCS) ## Download crd-ref-docs locally if necessary.
$(CRD_REF_DOCS): $(LOCALBIN)
	$(call go-install-tool,$(CRD_REF_DOCS),github.com/elastic/crd-ref-docs,$(CRD_REF_DOCS_VERSION))

.PHONY: helm
helm: $(HELM) ## Build helm locally if necessary (from the Go module proxy; takes minutes the first time).
$(HELM): $(LOCALBIN)
	$(call go-install-tool,$(HELM),helm.sh/helm/v4/cmd/helm,$(HELM_VERSION))

# go-install-tool will 'go install' any package with custom target and name of binary, if it doesn't exist
# $1 - target path with name of binary
# $2 - package url which can be installed
# $3 - specific version of package
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Downloading $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef
