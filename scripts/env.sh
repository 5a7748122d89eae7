# shellcheck shell=bash
# Environment for Eventide's tooling. Source it (do not execute it):
#   source scripts/env.sh
# It only sets variables; it installs nothing (scripts/setup.sh does that).
# Safe to source more than once.

if [ -n "${BASH_SOURCE[0]:-}" ]; then
  _eventide_env_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
else
  _eventide_env_dir="$(cd "$(dirname "$0")" && pwd)"
fi
EVENTIDE_ROOT="$(cd "${_eventide_env_dir}/.." && pwd)"
export EVENTIDE_ROOT
unset _eventide_env_dir

# Pinned tool versions (keep in sync with Trunk.toml, Cargo.toml and package.json).
export EVENTIDE_TRUNK_VERSION="0.21.14"
export EVENTIDE_WASM_BINDGEN_VERSION="0.2.130"
export EVENTIDE_WASM_OPT_VERSION="132"

_eventide_path_prepend() {
  case ":${PATH}:" in
    ":$1:"*) ;; # already first
    *)
      # drop any later occurrence, then put it first
      PATH="$1:$(printf '%s' ":${PATH}:" | sed "s#:$1:#:#g; s#^:##; s#:\$##")"
      ;;
  esac
}
# cargo-installed tools (trunk, wasm-bindgen, wasm-bindgen-test-runner)
_eventide_path_prepend "${CARGO_HOME:-$HOME/.cargo}/bin"
# npm-installed tools first of all: wasm-opt 132 from the `binaryen` package
# (Debian's binaryen 108 cannot read what rustc 1.95 emits).
_eventide_path_prepend "${EVENTIDE_ROOT}/node_modules/.bin"
export PATH
unset -f _eventide_path_prepend

# Browser and driver from Debian's chromium / chromium-driver packages.
export CHROME_BIN="${CHROME_BIN:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# Nothing may download binaries at build or test time (only crates.io, npm,
# PyPI and Debian are reachable).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export TRUNK_SKIP_VERSION_CHECK=true
