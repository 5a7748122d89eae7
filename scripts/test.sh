#!/usr/bin/env bash
# The full check, as CI runs it (.ci/run): formatting, clippy (native and
# wasm32), native tests, browser tests (headless Chromium), release build,
# end-to-end test. Fails fast at the first failing section.
#
#   ./scripts/test.sh              # everything
#   SKIP_E2E=1 ./scripts/test.sh   # without the end-to-end browser test
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "=== setup ==="
"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"


# One clean build: incremental caches only cost disk (5.8 GB of an 18 GB target/).
export CARGO_INCREMENTAL=0

# CI once died with a bus error in the linker: the disk was full. Say so up front.
echo
echo "=== disk ==="
df -h "$ROOT" | tail -n 1
free_kb="$(df -Pk "$ROOT" | awk 'NR==2 {print $4}')"
if [ "${free_kb:-0}" -lt $((4 * 1024 * 1024)) ]; then
  echo "warning: less than 4 GB free on $(df -P "$ROOT" | awk 'NR==2 {print $6}'); a full build needs about that much" >&2
fi

passed=0
total_start=$SECONDS

section() {
  local name="$1"
  shift
  local start=$SECONDS rc=0
  echo
  echo "=== [$((passed + 1))] ${name} ==="
  echo "+ $*"
  "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo
    echo "FAILED: section '${name}' (exit code ${rc}) after $((SECONDS - start))s"
    echo "${passed} passed, 1 failed"
    exit "$rc"
  fi
  passed=$((passed + 1))
  echo "--- ok: ${name} ($((SECONDS - start))s)"
}

section "rustfmt" \
  cargo fmt --all -- --check
section "clippy (native, workspace)" \
  cargo clippy --workspace --all-targets -- -D warnings
section "clippy (wasm32, eventide)" \
  cargo clippy -p eventide --target wasm32-unknown-unknown --all-targets -- -D warnings
section "clippy (wasm32, engine, shop, logs and script host)" \
  cargo clippy -p eventide-engine -p eventide-shop -p eventide-logs -p eventide-script --target wasm32-unknown-unknown -- -D warnings
section "clippy (wasm32, script worker)" \
  cargo clippy -p eventide-script-worker --target wasm32-unknown-unknown -- -D warnings
section "tests (native, workspace)" \
  cargo test --workspace
section "tests (wasm32, headless Chromium)" \
  cargo test -p eventide --target wasm32-unknown-unknown
section "AsyncAPI export (official parser)" \
  node e2e/asyncapi.mjs
section "trunk build --release" \
  trunk build --release

if [ "${SKIP_E2E:-0}" = "1" ]; then
  echo
  echo "=== end-to-end: skipped (SKIP_E2E=1) ==="
else
  section "end-to-end (Playwright, headless Chromium)" \
    node e2e/run.mjs
fi

echo
echo "all sections passed in $((SECONDS - total_start))s"
echo "${passed} passed, 0 failed"
