#!/usr/bin/env bash
# The main job (`npm run demo`): a real `pulumi up` of the demo project against the bundled Azure
# emulator, printing the certificates' thumbprints and expiry dates (see scripts/demo.ts).
source "$(dirname "$0")/lib.sh"

npm run --silent build
use_pulumi
node dist/scripts/demo.js
