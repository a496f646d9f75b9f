#!/usr/bin/env bash
# Makes actionlint (v1.7.12, the GitHub Actions workflow linter) available and prints the folder
# that holds it. The tests run it on examples/github-actions/*.yml.
#
# Order: an `actionlint` already on PATH whose version fits; else a cached build under
# $PULUMI_AZURE_CERTS_CACHE (default ~/.cache/pulumi-azure-certs); else build it once from the
# Go module proxy with the machine's Go toolchain (well under a minute) and cache it.
# Progress goes to stderr; the only line on stdout is the bin folder.
set -euo pipefail

version="v1.7.12"
tool=actionlint
source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
bin_dir="$cache_root/actionlint-$version/bin"

# `actionlint -version` prints the version on its first line.
version_of() { "$1" -version 2>/dev/null | sed -n 1p || true; }

if command -v actionlint >/dev/null 2>&1; then
  if [ "$(version_of "$(command -v actionlint)")" = "$version" ]; then
    dirname "$(command -v actionlint)"
    exit 0
  fi
fi

if [ -x "$bin_dir/actionlint" ] && [ "$(version_of "$bin_dir/actionlint")" = "$version" ]; then
  echo "$bin_dir"
  exit 0
fi

need_go "Install actionlint $version (https://github.com/rhysd/actionlint) and put it on PATH, then run again."
build_lock "$bin_dir/actionlint" "$bin_dir"
build_dir
say "Building actionlint $version from Go modules, once; it is cached in $bin_dir."
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$work/out"
  # `go install module@version` outside a module: the version is pinned and recorded in the binary.
  go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
)
install_built "$work/out/actionlint" "$bin_dir" version_of "$bin_dir/actionlint"
echo "$bin_dir"
