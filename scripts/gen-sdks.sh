#!/usr/bin/env bash
# Generates the Python and Go SDKs of the azure-certs resource plugin from its schema (as the
# built plugin serves it, version included) and compiles them where the toolchain exists:
#   sdk/python  byte-compiled with python3, and imported where the pulumi Python package is
#               installed (not on this project's machines: PyPI is not reachable)
#   sdk/go      `go build ./...` against github.com/pulumi/pulumi/sdk/v3 v3.259.0
# The generators are those of github.com/pulumi/pulumi/pkg/v3 v3.259.0 (scripts/sdkgen, built once
# by scripts/ensure-sdkgen.sh): `pulumi package gen-sdk` runs the same code through the language
# hosts, which cannot be had here. No .NET SDK: its generator lives in the .NET language host.
#
# Usage: scripts/gen-sdks.sh [--out DIR] [--skip-build]   (default DIR: sdk)
out_arg=""
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --out) mkdir -p "$2" && out_arg="$(cd "$2" && pwd)"; shift 2 ;;
    --skip-build) build=false; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/lib.sh"
out="${out_arg:-$repo_root/sdk}"
say() { printf '[gen-sdks] %s\n' "$*" >&2; }

if [ "$build" = true ]; then npm run --silent build >&2; fi
sdkgen="$(bash scripts/ensure-sdkgen.sh)"
schema="$(mktemp --suffix=.json)"
trap 'rm -f "$schema"' EXIT
node -e 'process.stdout.write(require("./dist/provider/plugin/main.js").schema())' >"$schema"

rm -rf "$out/python" "$out/go"
say "python: generating into $out/python"
"$sdkgen" "$schema" python "$out/python"
if command -v python3 >/dev/null 2>&1; then
  python3 -m compileall -q "$out/python" >&2
  say "python: byte-compiled with $(python3 --version)"
  if python3 -c 'import pulumi' 2>/dev/null; then
    (cd "$out/python" && python3 -c 'import pulumi_azure_certs') >&2
    say "python: imported with the pulumi package found here"
  else
    say "python: not imported (no pulumi Python package here; PyPI is not reachable from this machine)"
  fi
else
  say "python: no python3 here, not compiled"
fi

say "go: generating into $out/go"
"$sdkgen" "$schema" go "$out/go"
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
  command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
  (
    cd "$out/go"
    export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
    go mod init github.com/pulumi-azure-certs/pulumi-azure-certs/sdk/go >/dev/null 2>&1
    go mod edit -require=github.com/pulumi/pulumi/sdk/v3@v3.259.0
    go mod tidy >&2
    go build ./... >&2
  )
  say "go: built with $(go version | cut -d' ' -f3)"
else
  say "go: no Go toolchain here, not compiled"
fi
say ".NET: not generated (its generator is part of the .NET language host, not available here)"
echo "$out"
