# pullsecret — build, test, demo, benchmarks and fuzzing.
GO      ?= go
BIN     ?= bin
# urfave_cli_no_docs leaves out urfave/cli's man-page generator (1 ms of start-up).
TAGS    ?= urfave_cli_no_docs
PKGS    := ./...
FUZZTIME ?= 60s

.PHONY: all build test race demo bench fuzz lint clean

all: build

build:
	$(GO) build -tags $(TAGS) -o $(BIN)/pullsecret ./cmd/pullsecret
	$(GO) build -tags $(TAGS) -o $(BIN)/kubectl-pullsecret ./cmd/pullsecret

# Unit, integration, conformance and interop tests; replays every fuzz seed.
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 15m $(PKGS)

# The same tests under the race detector (slower; not part of make test).
race:
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

# The main job on embedded sample data: a real registry with delegated token
# auth, a helper-backed docker config, convert, delegated, test-pull.
demo:
	$(GO) build -tags $(TAGS) -o $(BIN)/pullsecret ./cmd/pullsecret
	$(GO) build -o $(BIN)/docker-credential-pullsecret-demo ./internal/demohelper
	$(GO) run ./internal/demo -bin $(BIN) -data testdata/demo

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
