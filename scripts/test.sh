#!/usr/bin/env bash
# The one test command (`npm test`): build, formatter, linter, then every jest suite, including
# the engine tests that drive a real Pulumi CLI. Extra arguments go to jest.
source "$(dirname "$0")/lib.sh"

echo "== build"
npm run --silent build
echo "== Pulumi CLI"
use_pulumi
pulumi version
echo "== actionlint"
# For test/examples/github-actions.test.ts, which lints the example workflows with it.
ACTIONLINT_BIN_DIR="$(bash scripts/ensure-actionlint.sh)"
export ACTIONLINT_BIN_DIR PATH="$ACTIONLINT_BIN_DIR:$PATH"
actionlint -version | sed -n 1p
echo "== format"
prettier --check . --log-level warn
echo "== lint"
eslint .
echo "== jest"
results="$(mktemp --suffix=.json)"
status=0
jest --json --outputFile="$results" "$@" || status=$?
# A plain summary line that any CI reads, whatever the runner.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results" || echo "jest: no results (it did not finish)"
rm -f "$results"
exit "$status"
