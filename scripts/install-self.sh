#!/usr/bin/env bash
# Installs the freshly built package into its own node_modules, as a real folder (not a link), so
# that tests and examples load it exactly as a user's program does: `require("pulumi-azure-certs")`
# resolves under node_modules, which is what makes Pulumi serialize providers as a require().
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/node_modules/pulumi-azure-certs"
rm -rf "$target"
mkdir -p "$target"
cp "$root/package.json" "$target/"
cp -r "$root/dist" "$target/dist"
