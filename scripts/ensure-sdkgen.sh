#!/usr/bin/env bash
# Builds scripts/sdkgen (the Python and Go SDK generators of github.com/pulumi/pulumi/pkg/v3 at the
# CLI's version, v3.259.0) once and caches it under $PULUMI_AZURE_CERTS_CACHE (default
# ~/.cache/pulumi-azure-certs), keyed by the version and the source's hash. Prints the binary's path.
set -euo pipefail

version="v3.259.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${PULUMI_AZURE_CERTS_CACHE:-$HOME/.cache/pulumi-azure-certs}"
hash="$(sha256sum "$here/sdkgen/main.go" | cut -c1-12)"
bin="$cache_root/sdkgen-$version-$hash/sdkgen"

say() { printf '[ensure-sdkgen] %s\n' "$*" >&2; }

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
    say "No Go toolchain to build the SDK generator."; exit 1
  fi
fi
mkdir -p "$cache_root"
exec 9>"$cache_root/build-sdkgen.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
work="$(mktemp -d "$cache_root/build-sdkgen-XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "Building the SDK generator (pkg/v3 $version codegen) once; cached in $(dirname "$bin")."
start=$(date +%s)
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
  cp "$here/sdkgen/main.go" .
  go mod init local/sdkgen >/dev/null 2>&1
  go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  go get "github.com/pulumi/pulumi/pkg/v3@$version" "github.com/pulumi/pulumi/sdk/v3@$version" >&2
  go build -trimpath -ldflags "-s -w" -o "$work/sdkgen" . >&2
)
mkdir -p "$(dirname "$bin")"
mv "$work/sdkgen" "$bin"
say "Built in $(( $(date +%s) - start )) s."
echo "$bin"
