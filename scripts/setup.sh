#!/usr/bin/env bash
# Provides the real servers the project runs against: the Temporal CLI (dev server), nats-server, and an
# OCI registry (go-containerregistry's `registry`) with `crane` to push images to it.
# Order of preference for each: the binary named by TEMPORAL_CLI / NATS_SERVER / OCI_REGISTRY / CRANE, one on PATH,
# one built earlier into .tools/bin, and last a pinned build from the Go module proxy into .tools/bin.
# Idempotent: once the binaries exist a run takes well under a second.
set -euo pipefail

TEMPORAL_VERSION="v1.5.1"
NATS_SERVER_VERSION="v2.15.2"
GGCR_VERSION="v0.22.1"
MIN_GO_MINOR=25

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

say() { printf 'setup: %s\n' "$*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    say "cannot provide $1: Go is not installed and no $1 binary was found."
    say "Install Go >= 1.$MIN_GO_MINOR (https://go.dev/doc/install) and run 'npm run setup' again,"
    say "or install $1 yourself and put it on PATH (or name it with $2=/path/to/$1)."
    exit 1
  fi
  local minor
  minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
  if [[ "$minor" =~ ^[0-9]+$ ]] && ((minor < MIN_GO_MINOR)); then
    say "cannot build $1: Go $(go env GOVERSION) is too old; Go >= 1.$MIN_GO_MINOR is needed."
    say "Upgrade Go, or install $1 yourself and name it with $2=/path/to/$1."
    exit 1
  fi
}

# provide NAME ENV_VAR GO_PACKAGE@VERSION
provide() {
  local name="$1" env_var="$2" pkg="$3" named
  named="${!env_var:-}"
  if [[ -n "$named" ]]; then
    if [[ -x "$named" ]]; then
      say "$name: using $named (from $env_var)"
      return
    fi
    say "$env_var=$named is not an executable file. Fix the path or unset $env_var."
    exit 1
  fi
  if command -v "$name" >/dev/null 2>&1; then
    say "$name: using $(command -v "$name") (found on PATH)"
    return
  fi
  if [[ -x "$bin/$name" ]]; then
    say "$name: using .tools/bin/$name"
    return
  fi
  need_go "$name" "$env_var"
  say "$name: building $pkg into .tools/bin (first run only; the Temporal CLI takes a few minutes)"
  GOBIN="$bin" CGO_ENABLED=0 go install "$pkg"
  say "$name: built .tools/bin/$name"
}

provide temporal TEMPORAL_CLI "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION"
provide nats-server NATS_SERVER "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
provide registry OCI_REGISTRY "github.com/google/go-containerregistry/cmd/registry@$GGCR_VERSION"
provide crane CRANE "github.com/google/go-containerregistry/cmd/crane@$GGCR_VERSION"
