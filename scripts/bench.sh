#!/usr/bin/env bash
# `npm run bench`: speed and size figures through the real engine (see scripts/bench.ts).
source "$(dirname "$0")/lib.sh"
npm run --silent build
use_pulumi
node dist/scripts/bench.js
