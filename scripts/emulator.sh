#!/usr/bin/env bash
# `npm run emulator [-- flags]`: starts the local Azure emulator (see emulator/README.md) and
# prints one JSON line with its addresses. Builds first when the compiled CLI is missing.
source "$(dirname "$0")/lib.sh"
[ -f dist/emulator/cli.js ] || npm run --silent build >&2
exec node dist/emulator/cli.js "$@"
