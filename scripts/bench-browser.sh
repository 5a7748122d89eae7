#!/usr/bin/env bash
# The in-browser benchmark: builds the release bundle and runs the workload, a scripted
# timeline scrub and a foreign log's import and filter in headless Chromium; prints one line of
# JSON. BENCH_ONLY=log runs the foreign log's part alone.
#   ./scripts/bench-browser.sh [EVENTS] [TAB_EVENTS]   (default 1,000,000; TAB_EVENTS, EVENTS
#   unless given, is what the app generates for the scrub and the longest task, e.g. 9200000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" >&2
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
trunk build --release >&2
exec node e2e/bench.mjs "${1:-1000000}" ${2:+"$2"}
