#!/usr/bin/env bash
# The main job (`npm run demo`): builds the package and runs a real `pulumi up` of the demo
# project through the Pulumi CLI on a local file backend, then prints the stack's outputs.
source "$(dirname "$0")/lib.sh"

npm run --silent build
use_pulumi

state="${DEMO_STATE_DIR:-$repo_root/.demo}"
mkdir -p "$state/backend" "$state/home"
export PULUMI_BACKEND_URL="file://$state/backend" PULUMI_HOME="$state/home"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-demo-passphrase}"

pulumi stack select demo --create --non-interactive >/dev/null
pulumi up --yes --skip-preview --non-interactive
echo "== outputs"
pulumi stack output --json
