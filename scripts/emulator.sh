#!/usr/bin/env bash
# `npm run emulator [-- flags]`: the package's `pulumi-azure-certs emulator` from this checkout (see
# emulator/README.md): starts the local Azure emulator and prints the environment and the
# `pulumi config set` lines a program needs. Builds first when the compiled CLI is missing.
# Runs from the repository root: give `--cwd` an absolute path when writing with `--stack`.
source "$(dirname "$0")/lib.sh"
[ -f dist/provider/cli/index.js ] || npm run --silent build >&2
exec node dist/provider/cli/index.js emulator "$@"
