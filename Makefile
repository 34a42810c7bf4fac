# pullsecret — build, test, demo, benchmarks and fuzzing.
GO      ?= go
BIN     ?= bin
# urfave_cli_no_docs leaves out urfave/cli's man-page generator (1 ms of start-up).
TAGS    ?= urfave_cli_no_docs
PKGS    := ./...
FUZZTIME ?= 60s

.PHONY: all build test race demo demo-cluster bench fuzz lint clean controlplane

# The control plane the cluster tests run against (internal/clustertest):
# upstream etcd and kube-apiserver built from the module proxy by their own
# modules under tools/controlplane, so the project's go.mod never sees
# k8s.io/kubernetes. Rebuilt only when a tool module's go.mod, go.sum or main
# changes (kube-apiserver: ~9 CPU-minutes from a cold cache).
CONTROLPLANE := $(BIN)/controlplane
CP_API_SRC   := tools/controlplane/go.mod tools/controlplane/go.sum tools/controlplane/kube-apiserver/main.go
CP_ETCD_SRC  := tools/controlplane/etcd/go.mod tools/controlplane/etcd/go.sum tools/controlplane/etcd/main.go
# The version kube-apiserver reports (/version, kubectl version), stamped as
# Kubernetes' own build does (hack/lib/version.sh), from the tool module's
# k8s.io/kubernetes requirement; unstamped it says v0.0.0-master+$$Format:%H$$,
# which kubectl cannot parse.
KUBE_VERSION = $(shell cd tools/controlplane && $(GO) list -m -f '{{.Version}}' k8s.io/kubernetes)
KUBE_LDFLAGS = $(foreach p,k8s.io/client-go/pkg/version k8s.io/component-base/version,\
  -X $(p).gitVersion=$(1) -X $(p).gitMajor=$(word 1,$(subst ., ,$(1:v%=%))) \
  -X $(p).gitMinor=$(word 2,$(subst ., ,$(1))) -X $(p).gitTreeState=clean)

all: build

build:
	$(GO) build -tags $(TAGS) -o $(BIN)/pullsecret ./cmd/pullsecret
	$(GO) build -tags $(TAGS) -o $(BIN)/kubectl-pullsecret ./cmd/pullsecret

controlplane: $(CONTROLPLANE)/kube-apiserver $(CONTROLPLANE)/etcd

# go build leaves an up-to-date binary untouched: touch it so make sees it newer.
$(CONTROLPLANE)/kube-apiserver: $(CP_API_SRC) Makefile
	cd tools/controlplane && $(GO) build -ldflags '$(call KUBE_LDFLAGS,$(KUBE_VERSION))' -o $(abspath $@) ./kube-apiserver
	touch $@

$(CONTROLPLANE)/etcd: $(CP_ETCD_SRC)
	cd tools/controlplane/etcd && $(GO) build -o $(abspath $@) .
	touch $@

# Unit, integration, conformance, interop and cluster tests; replays every
# fuzz seed. The cluster tests use the control plane built above.
test: controlplane
	$(GO) vet $(PKGS)
	PULLSECRET_CONTROLPLANE_BIN=$(abspath $(CONTROLPLANE)) $(GO) test -count=1 -timeout 15m $(PKGS)

# The same tests under the race detector (slower; not part of make test).
race: controlplane
	PULLSECRET_CONTROLPLANE_BIN=$(abspath $(CONTROLPLANE)) $(GO) test -race -count=1 -timeout 20m $(PKGS)

# The main job on embedded sample data: a real registry with delegated token
# auth, a helper-backed docker config, convert, delegated, test-pull.
demo:
	$(GO) build -tags $(TAGS) -o $(BIN)/pullsecret ./cmd/pullsecret
	$(GO) build -o $(BIN)/docker-credential-pullsecret-demo ./internal/demohelper
	$(GO) run ./internal/demo -bin $(BIN) -data testdata/demo

# The control plane the tests use, left running for hands-on work: prints a
# kubeconfig per identity (admin; alice and bob without rights); Ctrl-C stops it.
demo-cluster: controlplane
	$(GO) build -o $(BIN)/democluster-server ./internal/democluster
	$(BIN)/democluster-server -bin $(CONTROLPLANE) -dir $(BIN)/democluster

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout 20m $(PKGS)

# Each fuzz target for FUZZTIME (go test -fuzz takes one target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)

clean:
	rm -rf $(BIN)
