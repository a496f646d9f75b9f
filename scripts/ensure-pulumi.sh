#!/usr/bin/env bash
# Makes a real Pulumi CLI (v3.259.0) available and prints the folder that holds it.
#
# Order: a `pulumi` already on PATH whose version fits; else a cached build under
# $PULUMI_AZURE_CERTS_CACHE (default ~/.cache/pulumi-azure-certs); else build it once from the
# Go module proxy with the machine's Go toolchain (about 7 minutes on 2 cores) and cache it.
# Progress goes to stderr; the only line on stdout is the bin folder.
set -euo pipefail

version="v3.259.0"
tool=pulumi
source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
bin_dir="$cache_root/pulumi-$version/bin"

if command -v pulumi >/dev/null 2>&1; then
  found="$(pulumi version 2>/dev/null || true)"
  if [ "$found" = "$version" ]; then
    dirname "$(command -v pulumi)"
    exit 0
  fi
fi

if [ -x "$bin_dir/pulumi" ] && [ "$("$bin_dir/pulumi" version 2>/dev/null)" = "$version" ]; then
  echo "$bin_dir"
  exit 0
fi

need_go "Install the Pulumi CLI $version (https://www.pulumi.com/docs/install/) and put it on PATH, then run again."
build_lock "$bin_dir/pulumi" "$bin_dir"
build_dir
say "Building the Pulumi CLI $version from Go modules, once (about 7 minutes on 2 cores)."
say "It is cached in $bin_dir and reused afterwards."
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
  go mod init local/pulumi-build >/dev/null 2>&1
  go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  say "step 1/2: downloading modules"
  go get "github.com/pulumi/pulumi/pkg/v3@$version" "github.com/pulumi/pulumi/sdk/v3@$version" >&2
  say "step 2/2: compiling (the long part)"
  mkdir -p "$work/out"
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$work/out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
)
install_built "$work/out/pulumi" "$bin_dir" "$bin_dir/pulumi" version
echo "$bin_dir"
