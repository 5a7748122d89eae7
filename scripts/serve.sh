#!/usr/bin/env bash
# Build the web app with Trunk (release) and serve it with live reload on
# http://127.0.0.1:${PORT:-8080}/ .
#   PORT=9000 ./scripts/serve.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"


PORT="${PORT:-8080}"
URL="http://127.0.0.1:${PORT}/"

open_args=()
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  open_args=(--open)
fi

echo
echo "serve: Eventide will be at ${URL}"
if [ ${#open_args[@]} -eq 0 ]; then
  echo "serve: (no display found: open that address in a browser yourself)"
fi
echo

exec trunk serve --release --address 127.0.0.1 --port "$PORT" "${open_args[@]}"
