# Sourced by the ensure-*.sh scripts: the steps they share to build a tool once from the Go module
# proxy and cache it under $PULUMI_AZURE_CERTS_CACHE (default ~/.cache/pulumi-azure-certs).
# The sourcing script sets `tool` (a name for messages and file names) before sourcing, and then
# calls, in order: need_go "<what to install instead>"; build_lock "<cached file>" "<bin folder to print>";
# build_dir (sets $work, removed on exit); and after its own build steps, install_built.
# Progress goes to stderr; stdout is left for the one line the script prints.

cache_root="${PULUMI_AZURE_CERTS_CACHE:-$HOME/.cache/pulumi-azure-certs}"

say() { printf '[ensure-%s] %s\n' "$tool" "$*" >&2; }

# Puts Go on PATH (the machine's, or /usr/local/go); without one, says what to install and exits.
need_go() {
  command -v go >/dev/null 2>&1 && return 0
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
    return 0
  fi
  say "No Go toolchain to build $tool with. $1"
  exit 1
}

# One build at a time per tool: waits for another process's build, and if that build made the
# cached file meanwhile, prints the folder and exits.
build_lock() {
  mkdir -p "$cache_root"
  exec 9>"$cache_root/build-$tool.lock"
  if ! flock -n 9; then
    say "Another process is building $tool; waiting for it."
    flock 9
  fi
  if [ -x "$1" ]; then
    echo "$2"
    exit 0
  fi
}

# A scratch folder in the cache (same file system, so the result is moved, not copied).
build_dir() {
  work="$(mktemp -d "$cache_root/build-$tool-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  build_start=$(date +%s)
}

# Moves the built binary into its cached folder and says how long the build took. With a command
# after the folder, checks that it prints $version (a build that reports another is refused).
install_built() {
  local built="$1" dir="$2" got
  shift 2
  mkdir -p "$dir"
  mv "$built" "$dir/"
  if [ $# -gt 0 ]; then
    got="$("$@")"
    if [ "$got" != "$version" ]; then
      say "The built $tool reports '$got', expected $version."
      exit 1
    fi
  fi
  say "Built in $(($(date +%s) - build_start)) s."
}
