#!/usr/bin/env bash
# Makes a real Pulumi CLI (v3.259.0) available and prints the folder that holds it.
#
# Order: a `pulumi` already on PATH whose version fits; else a cached build under
# $PULUMI_AZURE_CERTS_CACHE (default ~/.cache/pulumi-azure-certs); else build it once from the
# Go module proxy with the machine's Go toolchain (about 7 minutes on 2 cores) and cache it.
# Progress goes to stderr; the only line on stdout is the bin folder.
set -euo pipefail

version="v3.259.0"
cache_root="${PULUMI_AZURE_CERTS_CACHE:-$HOME/.cache/pulumi-azure-certs}"
bin_dir="$cache_root/pulumi-$version/bin"

say() { printf '[ensure-pulumi] %s\n' "$*" >&2; }

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

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    say "No Pulumi CLI $version on PATH and no Go toolchain to build one."
    say "Install the Pulumi CLI $version (https://www.pulumi.com/docs/install/) and put it on PATH, then run again."
    exit 1
  fi
fi

mkdir -p "$cache_root"
lock="$cache_root/build-$version.lock"
exec 9>"$lock"
if ! flock -n 9; then
  say "Another process is building the Pulumi CLI $version; waiting for it."
  flock 9
  if [ -x "$bin_dir/pulumi" ]; then echo "$bin_dir"; exit 0; fi
fi

work="$(mktemp -d "$cache_root/build-XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "Building the Pulumi CLI $version from Go modules, once (about 7 minutes on 2 cores)."
say "It is cached in $bin_dir and reused afterwards."
start=$(date +%s)
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
mkdir -p "$bin_dir"
mv "$work/out/pulumi" "$bin_dir/pulumi"
got="$("$bin_dir/pulumi" version)"
if [ "$got" != "$version" ]; then
  say "The built CLI reports '$got', expected $version."
  exit 1
fi
say "Built in $(( $(date +%s) - start )) s."
echo "$bin_dir"
