#!/usr/bin/env bash
# Makes the Pulumi YAML language host (pulumi-language-yaml v1.25.0) available and prints the
# folder that holds it, as scripts/ensure-pulumi.sh does for the CLI.
#
# Order: a `pulumi-language-yaml` already on PATH (it has no --version flag: any is taken, as the
# official installer puts one next to the CLI); else a cached build under
# $PULUMI_AZURE_CERTS_CACHE (default ~/.cache/pulumi-azure-certs); else build it once from the
# Go module proxy (`go install`, one to two minutes on 2 cores) and cache it.
# Progress goes to stderr; the only line on stdout is the bin folder.
set -euo pipefail

version="v1.25.0"
cache_root="${PULUMI_AZURE_CERTS_CACHE:-$HOME/.cache/pulumi-azure-certs}"
bin_dir="$cache_root/pulumi-language-yaml-$version/bin"

say() { printf '[ensure-pulumi-yaml] %s\n' "$*" >&2; }

if command -v pulumi-language-yaml >/dev/null 2>&1; then
  dirname "$(command -v pulumi-language-yaml)"
  exit 0
fi

if [ -x "$bin_dir/pulumi-language-yaml" ]; then
  echo "$bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    say "No pulumi-language-yaml $version on PATH and no Go toolchain to build one."
    say "Install Pulumi YAML (https://github.com/pulumi/pulumi-yaml/releases) and put it on PATH, then run again."
    exit 1
  fi
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/build-language-yaml-$version.lock"
if ! flock -n 9; then
  say "Another process is building pulumi-language-yaml $version; waiting for it."
  flock 9
  if [ -x "$bin_dir/pulumi-language-yaml" ]; then echo "$bin_dir"; exit 0; fi
fi

work="$(mktemp -d "$cache_root/build-yaml-XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "Building pulumi-language-yaml $version from Go modules, once (one to two minutes on 2 cores)."
say "It is cached in $bin_dir and reused afterwards."
start=$(date +%s)
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$work/out"
  go install -trimpath -ldflags "-s -w" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$version" >&2
)
mkdir -p "$bin_dir"
mv "$work/out/pulumi-language-yaml" "$bin_dir/pulumi-language-yaml"
say "Built in $(( $(date +%s) - start )) s."
echo "$bin_dir"
