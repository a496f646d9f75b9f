#!/usr/bin/env bash
# Builds the resource plugin tarball for this machine's platform,
#   pulumi-resource-azure-certs-v<version>-<os>-<arch>.tar.gz
# (the name `pluginDownloadURL: github://api.github.com/pulumi-azure-certs` fetches from a release),
# and prints its path on stdout. Install it with
#   pulumi plugin install resource azure-certs <version> --file <tarball>
#
# Inside: the packed package installed with its production dependencies and @pulumi/pulumi (the
# version this repository tests with), the `pulumi-resource-azure-certs` executable the engine
# starts, and, unless --no-node, this platform's Node binary (the one `npm ci` installed), so that
# the plugin runs where no Node.js is installed (a YAML user's machine).
#
# Usage: scripts/build-plugin.sh [--out DIR] [--no-node] [--skip-build]
#   --out DIR     where to write the tarball (default: the current folder)
#   --skip-build  use the package as `npm run build` last built it (tests: `npm test` builds first)
out="$PWD"
bundle_node=true
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --out) mkdir -p "$2" && out="$(cd "$2" && pwd)"; shift 2 ;;
    --no-node) bundle_node=false; shift ;;
    --skip-build) build=false; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ "$build" = true ]; then
  source "$(dirname "$0")/lib.sh" # installs dependencies when needed, Node 22 first on PATH
else
  # Only what the last build left: no npm ci here, which would prune the package's own install
  # from node_modules under a test suite that is using it.
  set -euo pipefail
  repo_root="$(cd "$(dirname "$0")/.." && pwd)"
  cd "$repo_root"
  export PATH="$repo_root/node_modules/.bin:$PATH"
fi

say() { printf '[build-plugin] %s\n' "$*" >&2; }

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) say "unsupported OS $(uname -s)"; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) say "unsupported architecture $(uname -m)"; exit 1 ;;
esac

version="$(node -p 'require("./package.json").version')"
sdk_version="$(node -p 'require("@pulumi/pulumi/package.json").version')"
name="pulumi-resource-azure-certs-v$version-$os-$arch.tar.gz"

if [ "$build" = true ]; then
  say "building the package"
  npm run --silent build >&2
fi
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
npm pack --silent --pack-destination "$stage" >/dev/null
mkdir -p "$stage/plugin"
(
  cd "$stage/plugin"
  printf '{ "name": "pulumi-resource-azure-certs", "private": true }\n' >package.json
  say "installing pulumi-azure-certs $version with @pulumi/pulumi $sdk_version (production dependencies)"
  npm install --no-audit --no-fund --loglevel=error --omit=dev --omit=peer --prefer-offline \
    "$stage/pulumi-azure-certs-$version.tgz" "@pulumi/pulumi@$sdk_version" >&2
  rm -f package-lock.json
)
if [ "$bundle_node" = true ]; then
  mkdir -p "$stage/plugin/bin"
  cp "$(readlink -f "$(command -v node)")" "$stage/plugin/bin/node"
fi
cat >"$stage/plugin/pulumi-resource-azure-certs" <<'SH'
#!/bin/sh
# The azure-certs resource plugin: the bundled Node if there is one, else node from PATH (>= 22).
# (No dirname: the engine may start it with a PATH that holds no tools at all.)
case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac
node="$here/bin/node"
[ -x "$node" ] || node=node
exec "$node" "$here/node_modules/pulumi-azure-certs/dist/provider/plugin/main.js" "$@"
SH
chmod +x "$stage/plugin/pulumi-resource-azure-certs"
mkdir -p "$out"
# gzip -1: the Node binary is most of it, and compresses little better at higher levels.
tar -cf - -C "$stage/plugin" . | gzip -1 >"$out/$name"
say "wrote $out/$name ($(du -h "$out/$name" | cut -f1))"
echo "$out/$name"
