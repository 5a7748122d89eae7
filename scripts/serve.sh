#!/usr/bin/env bash
# Build the web app with Trunk (release) and serve it with live reload on
# http://127.0.0.1:${PORT:-8080}/ .
#   PORT=9000 ./scripts/serve.sh
#   ./scripts/serve.sh --lan     on every address of this machine, for a room's attendees
set -euo pipefail

BIND="127.0.0.1"
case "${1:-}" in
  "") ;;
  --lan) BIND="0.0.0.0" ;;
  *) echo "serve: unknown option '$1' (only --lan)" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"


PORT="${PORT:-8080}"
HOST="127.0.0.1"
if [ "$BIND" = "0.0.0.0" ]; then
  HOST="$( (hostname -I 2>/dev/null || true) | awk '{print $1}')"
  HOST="${HOST:-127.0.0.1}"
fi
URL="http://${HOST}:${PORT}/"

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

exec trunk serve --release --address "$BIND" --port "$PORT" "${open_args[@]}"
