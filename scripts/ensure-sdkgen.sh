#!/usr/bin/env bash
# Builds scripts/sdkgen (the Python and Go SDK generators of github.com/pulumi/pulumi/pkg/v3 at the
# CLI's version, v3.259.0) once and caches it under $PULUMI_AZURE_CERTS_CACHE (default
# ~/.cache/pulumi-azure-certs), keyed by the version and the source's hash. Prints the binary's path.
set -euo pipefail

version="v3.259.0"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tool=sdkgen
source "$here/go-build.sh"
hash="$(sha256sum "$here/sdkgen/main.go" | cut -c1-12)"
bin="$cache_root/sdkgen-$version-$hash/sdkgen"

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
need_go "Install Go to generate the SDKs."
build_lock "$bin" "$bin"
build_dir
say "Building the SDK generator (pkg/v3 $version codegen) once; cached in $(dirname "$bin")."
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
  cp "$here/sdkgen/main.go" .
  go mod init local/sdkgen >/dev/null 2>&1
  go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  go get "github.com/pulumi/pulumi/pkg/v3@$version" "github.com/pulumi/pulumi/sdk/v3@$version" >&2
  go build -trimpath -ldflags "-s -w" -o "$work/sdkgen" . >&2
)
install_built "$work/sdkgen" "$(dirname "$bin")"
echo "$bin"
