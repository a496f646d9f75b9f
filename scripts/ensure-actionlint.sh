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
cache_root="${PULUMI_AZURE_CERTS_CACHE:-$HOME/.cache/pulumi-azure-certs}"
bin_dir="$cache_root/actionlint-$version/bin"

say() { printf '[ensure-actionlint] %s\n' "$*" >&2; }

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

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    say "No actionlint $version on PATH and no Go toolchain to build one."
    say "Install actionlint $version (https://github.com/rhysd/actionlint) and put it on PATH, then run again."
    exit 1
  fi
fi

mkdir -p "$cache_root"
lock="$cache_root/build-actionlint-$version.lock"
exec 9>"$lock"
if ! flock -n 9; then
  say "Another process is building actionlint $version; waiting for it."
  flock 9
  if [ -x "$bin_dir/actionlint" ]; then echo "$bin_dir"; exit 0; fi
fi

work="$(mktemp -d "$cache_root/build-actionlint-XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "Building actionlint $version from Go modules, once; it is cached in $bin_dir."
start=$(date +%s)
(
  cd "$work"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$work/out"
  # `go install module@version` outside a module: the version is pinned and recorded in the binary.
  go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
)
mkdir -p "$bin_dir"
mv "$work/out/actionlint" "$bin_dir/actionlint"
got="$(version_of "$bin_dir/actionlint")"
if [ "$got" != "$version" ]; then
  say "The built actionlint reports '$got', expected $version."
  exit 1
fi
say "Built in $(( $(date +%s) - start )) s."
echo "$bin_dir"
