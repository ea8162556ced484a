# Builds the manager image: a static binary on distroless, running as a non-root user.
# `make docker-build IMG=...` builds it; `make docker-buildx` for several platforms.

# The Go version matches go.mod's.
FROM golang:1.26 AS builder
# Set by BuildKit to the platform being built (docker buildx --platform); empty otherwise, in
# which case the binary is built for linux on the builder's own architecture.
ARG TARGETOS
ARG TARGETARCH

WORKDIR /workspace
# The module files first, so that the downloaded modules stay cached while only the source changes.
COPY go.mod go.sum ./
RUN go mod download

# Only the packages the manager is built from; .dockerignore keeps tests and everything else out.
COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/
COPY pkg/ pkg/

# A static binary (no cgo, so it runs on distroless/static), without local paths (-trimpath)
# and without the symbol table and DWARF (-s -w), which only a debugger would use.
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w" -o manager ./cmd

# distroless/static holds CA certificates (for Vipps and the API server), tzdata and
# /etc/passwd, and no shell. More info: https://github.com/GoogleContainerTools/distroless
FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/manager .
# distroless's "nonroot" user; config/manager/manager.yaml runs the pod as the same IDs.
USER 65532:65532

ENTRYPOINT ["/manager"]
