#!/usr/bin/env bash
# Installs the freshly built package into its own node_modules, as a real folder (not a link), so
# that tests and examples load it exactly as a user's program does: `require("pulumi-azure-certs")`
# resolves under node_modules, which is what makes Pulumi serialize providers as a require().
# The copy is swapped in by rename, so a test running meanwhile sees the old or the new copy.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/node_modules/pulumi-azure-certs"
next="$(mktemp -d "$root/node_modules/.pulumi-azure-certs-XXXXXX")"
cp "$root/package.json" "$next/"
cp -r "$root/dist" "$next/dist"
cp -r "$root/native" "$next/native"
if [ -d "$target" ]; then
  old="$(mktemp -d "$root/node_modules/.pulumi-azure-certs-old-XXXXXX")"
  mv "$target" "$old/pkg"
  mv "$next" "$target"
  rm -rf "$old"
else
  mv "$next" "$target"
fi
