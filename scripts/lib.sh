# Sourced by the project's scripts: installs dependencies when needed and puts Node 22 from
# node_modules/.bin first on PATH (the machine's own Node may be older; @pulumi/pulumi needs 22).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci (installs dependencies, Node 22 among them)"
  npm ci --no-fund --no-audit --loglevel=error
fi
export PATH="$repo_root/node_modules/.bin:$PATH"
case "$(node --version)" in
  v2[2-9]* | v[3-9][0-9]*) ;;
  *) echo "Node >= 22 is required, found $(node --version) at $(command -v node)" >&2; exit 1 ;;
esac

# Puts a Pulumi CLI v3.259.0, the dynamic-provider plugin and, if no official one is installed,
# the stand-in language host on PATH.
use_pulumi() {
  local bin
  bin="$(bash "$repo_root/scripts/ensure-pulumi.sh")"
  export PATH="$bin:$repo_root/node_modules/@pulumi/pulumi:$PATH"
  if ! command -v pulumi-language-nodejs >/dev/null 2>&1; then
    export PATH="$repo_root/scripts/bin:$PATH"
  fi
  export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
}
