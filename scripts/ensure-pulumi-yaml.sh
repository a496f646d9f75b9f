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
tool=pulumi-yaml
source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
bin_dir="$cache_root/pulumi-language-yaml-$version/bin"

if command -v pulumi-language-yaml >/dev/null 2>&1; then
  dirname "$(command -v pulumi-language-yaml)"
  exit 0
fi

if [ -x "$bin_dir/pulumi-language-yaml" ]; then
  echo "$bin_dir"
  exit 0
fi

need_go "Install Pulumi YAML (https://github.com/pulumi/pulumi-yaml/releases) and put it on PATH, then run again."
build_lock "$bin_dir/pulumi-language-yaml" "$bin_dir"
build_dir
say "Building pulumi-language-yaml $version from Go modules, once (one to two minutes on 2 cores)."
say "It is cached in $bin_dir and reused afterwards."
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$work/out"
  go install -trimpath -ldflags "-s -w" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$version" >&2
)
install_built "$work/out/pulumi-language-yaml" "$bin_dir"
echo "$bin_dir"
