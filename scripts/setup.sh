#!/usr/bin/env bash
# Install (only what is missing) everything Eventide needs to build, serve and
# test: the wasm target, clippy/rustfmt, Trunk, wasm-bindgen CLI, wasm-opt
# (npm binaryen), playwright-core, esbuild and the NATS client (a room's), Chromium and
# chromedriver, and nats-server (a room's broker).
#
# Idempotent: every step checks presence AND version and skips what is there,
# printing one line per tool. A second run takes seconds.
#
# Run it as ./scripts/setup.sh, then `source scripts/env.sh` for the
# environment (PATH with node_modules/.bin first, CHROMEDRIVER, ...);
# scripts/test.sh and scripts/serve.sh do both.
set -euo pipefail

_setup_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/env.sh
source "${_setup_dir}/env.sh"
unset _setup_dir

_say() { printf 'setup: %-26s %s\n' "$1" "$2"; }
_die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    _die "need root for: $* (and sudo is not installed)"
  fi
}

# If another `cargo install <crate>` is already running (e.g. a background
# install on this machine), wait for it instead of starting a second one.
_wait_for_other_install() {
  local crate="$1" waited=0
  command -v pgrep >/dev/null 2>&1 || return 0
  while pgrep -f "cargo install.* ${crate}( |\$)" >/dev/null 2>&1; do
    if [ "$waited" -eq 0 ]; then
      _say "$crate" "another 'cargo install ${crate}' is running; waiting for it..."
    fi
    sleep 10
    waited=$((waited + 10))
  done
  if [ "$waited" -gt 0 ]; then
    _say "$crate" "the other install finished after ~${waited}s"
  fi
}

# Prints the version reported by "$1 --version" (second word), or nothing.
_tool_version() {
  command -v "$1" >/dev/null 2>&1 || return 0
  "$1" --version 2>/dev/null | awk 'NR==1 {print $2}'
}

command -v cargo >/dev/null 2>&1 || _die "cargo not found (need Rust 1.95 via rustup)"
command -v node >/dev/null 2>&1 || _die "node not found (need node 20 with npm)"
command -v npm >/dev/null 2>&1 || _die "npm not found (need node 20 with npm)"

# --- Rust target and components --------------------------------------------
if command -v rustup >/dev/null 2>&1; then
  if rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'; then
    _say "wasm32-unknown-unknown" "present"
  else
    _say "wasm32-unknown-unknown" "installing (rustup target add)"
    rustup target add wasm32-unknown-unknown
  fi
  _installed_components="$(rustup component list --installed 2>/dev/null || true)"
  for _component in clippy rustfmt; do
    if printf '%s\n' "$_installed_components" | grep -q "^${_component}"; then
      _say "$_component" "present"
    else
      _say "$_component" "installing (rustup component add)"
      rustup component add "$_component"
    fi
  done
  unset _installed_components _component
else
  # No rustup: we cannot add anything, only check.
  [ -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ] \
    || _die "wasm32-unknown-unknown std is missing and rustup is not available"
  _say "wasm32-unknown-unknown" "present (no rustup)"
  cargo clippy --version >/dev/null 2>&1 || _die "clippy missing and rustup is not available"
  cargo fmt --version >/dev/null 2>&1 || _die "rustfmt missing and rustup is not available"
  _say "clippy, rustfmt" "present (no rustup)"
fi

# --- Trunk -----------------------------------------------------------------
# 0.22.x needs a newer rustc than 1.95: stay on 0.21.14.
if [ "$(_tool_version trunk)" != "$EVENTIDE_TRUNK_VERSION" ]; then
  _wait_for_other_install trunk
fi
_have="$(_tool_version trunk)"
if [ "$_have" = "$EVENTIDE_TRUNK_VERSION" ]; then
  _say "trunk" "$_have present"
else
  _say "trunk" "${_have:-missing}; installing $EVENTIDE_TRUNK_VERSION (cargo install, ~8 min)"
  cargo install --locked trunk --version "$EVENTIDE_TRUNK_VERSION"
  _have="$(_tool_version trunk)"
  [ "$_have" = "$EVENTIDE_TRUNK_VERSION" ] \
    || _die "trunk reports '${_have}' after install (wanted $EVENTIDE_TRUNK_VERSION); check PATH: $(command -v trunk || true)"
fi

# --- wasm-bindgen CLI (wasm-bindgen + wasm-bindgen-test-runner) --------------
# Must equal the wasm-bindgen crate version exactly. No --locked: its lock
# file names a yanked crate.
_wb_ok() {
  [ "$(_tool_version wasm-bindgen)" = "$EVENTIDE_WASM_BINDGEN_VERSION" ] \
    && [ "$(_tool_version wasm-bindgen-test-runner)" = "$EVENTIDE_WASM_BINDGEN_VERSION" ]
}
if ! _wb_ok; then
  _wait_for_other_install wasm-bindgen-cli
fi
if _wb_ok; then
  _say "wasm-bindgen" "$EVENTIDE_WASM_BINDGEN_VERSION present (with wasm-bindgen-test-runner)"
else
  _have="$(_tool_version wasm-bindgen)"
  _say "wasm-bindgen" "${_have:-missing}; installing $EVENTIDE_WASM_BINDGEN_VERSION (cargo install, ~4 min)"
  cargo install wasm-bindgen-cli --version "$EVENTIDE_WASM_BINDGEN_VERSION"
  _wb_ok || _die "wasm-bindgen reports '$(_tool_version wasm-bindgen)' after install (wanted $EVENTIDE_WASM_BINDGEN_VERSION)"
fi
unset -f _wb_ok

# --- crates of every platform ------------------------------------------------
# A build downloads only this platform's crates; `cargo metadata --offline`
# (the architecture test walks the resolved graph) needs every platform's.
# Quick when they are all present.
_say "crates" "fetching what Cargo.lock names (cargo fetch --locked)"
(cd "$EVENTIDE_ROOT" && cargo fetch --locked --quiet)

# --- npm packages: binaryen (wasm-opt) and playwright-core --------------------
_npm_ok() {
  [ -d "${EVENTIDE_ROOT}/node_modules" ] \
    && (cd "$EVENTIDE_ROOT" && npm ls --depth=0 >/dev/null 2>&1) \
    && [ -x "${EVENTIDE_ROOT}/node_modules/.bin/wasm-opt" ]
}
if _npm_ok; then
  _say "npm packages" "present (binaryen, playwright-core, @asyncapi/parser)"
else
  if [ -f "${EVENTIDE_ROOT}/package-lock.json" ]; then
    _say "npm packages" "installing (npm ci)"
    (cd "$EVENTIDE_ROOT" && npm ci --no-audit --no-fund)
  else
    _say "npm packages" "installing (npm install; no lock file yet)"
    (cd "$EVENTIDE_ROOT" && npm install --no-audit --no-fund)
  fi
  _npm_ok || _die "npm packages still not complete after install (see 'npm ls')"
fi
unset -f _npm_ok

# Trunk looks up wasm-opt on PATH and wants "version_${EVENTIDE_WASM_OPT_VERSION}"
# exactly; anything else would make it try to download one from GitHub.
_wasm_opt_path="$(command -v wasm-opt || true)"
_have="$(wasm-opt --version 2>/dev/null | awk 'NR==1 {print $3}' || true)"
if [ "$_have" = "$EVENTIDE_WASM_OPT_VERSION" ]; then
  _say "wasm-opt" "version_${_have} present (${_wasm_opt_path})"
else
  _die "wasm-opt on PATH is '${_have:-missing}' (${_wasm_opt_path:-not found}), wanted version ${EVENTIDE_WASM_OPT_VERSION} from node_modules/.bin"
fi
unset _wasm_opt_path

# --- Chromium and chromedriver (Debian packages) -----------------------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  _say "chromium" "$(/usr/bin/chromium --version 2>/dev/null | awk '/Chromium/ {print $2; exit}') present"
  _say "chromedriver" "$(/usr/bin/chromedriver --version 2>/dev/null | awk '{print $2; exit}') present"
else
  _say "chromium, chromedriver" "missing; installing (apt-get)"
  _as_root apt-get update
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
    || _die "chromium/chromedriver still missing after apt-get install"
fi

# --- nats-server (Debian package): a room's broker, and the room's end-to-end test's ---------
# 2.9.10 has JetStream and WebSocket (room/nats.conf); scripts/room.sh starts it.
if [ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1; then
  _say "nats-server" "$( (command -v nats-server || echo /usr/sbin/nats-server) | head -1) present"
else
  _say "nats-server" "missing; installing (apt-get)"
  _as_root apt-get update
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server
  [ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1 \
    || _die "nats-server still missing after apt-get install"
fi

unset _have
unset -f _say _die _as_root _wait_for_other_install _tool_version
