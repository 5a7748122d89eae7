#!/usr/bin/env bash
# Starts a workshop's room: a NATS server with JetStream (the room's log) and WebSocket (the
# attendees' browsers), from room/nats.conf, with a fresh token; prints the link to share.
# Installs nats-server (Debian's package) when it is missing, like the README's other set-up.
#
#   ./scripts/room.sh [NAME]        NAME: the room's name (default: workshop)
#
# Environment: EVENTIDE_APP_URL (where the attendees open Eventide; default
# http://<this machine's address>:8080/, served with ./scripts/serve.sh --lan),
# EVENTIDE_ROOM_WS_PORT (default 9222), EVENTIDE_ROOM_STORE (default target/room-store).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NAME="${1:-workshop}"
if ! [[ "$NAME" =~ ^[A-Za-z0-9_-]{1,32}$ ]]; then
  echo "room: a room's name is 1 to 32 letters, digits, - or _, not '$NAME'" >&2
  exit 2
fi

if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  echo "room: nats-server is missing; installing it (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server
  else
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server
  fi
fi
SERVER="$(command -v nats-server || echo /usr/sbin/nats-server)"

ADDRESS="$( (hostname -I 2>/dev/null || true) | awk '{print $1}')"
ADDRESS="${ADDRESS:-127.0.0.1}"
PORT="${EVENTIDE_ROOM_WS_PORT:-9222}"
APP="${EVENTIDE_APP_URL:-http://${ADDRESS}:8080/}"
# Starts with a letter: nats-server reads a bare value that starts with a digit as a number.
TOKEN="t$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-23)"
TEACHER_TOKEN="t$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-23)"

export EVENTIDE_ROOM_LISTEN="127.0.0.1:4222"
export EVENTIDE_ROOM_WS="0.0.0.0:${PORT}"
export EVENTIDE_ROOM_STORE="${EVENTIDE_ROOM_STORE:-target/room-store}"
export EVENTIDE_ROOM_TOKEN="$TOKEN"
export EVENTIDE_ROOM_TEACHER_TOKEN="$TEACHER_TOKEN"
mkdir -p "$EVENTIDE_ROOM_STORE"

echo
echo "room: '$NAME' on ws://${ADDRESS}:${PORT} (JetStream in ${EVENTIDE_ROOM_STORE})"
echo "room: share this link with the room:"
echo
echo "    ${APP}#room=ws://${ADDRESS}:${PORT}&token=${TOKEN}&name=${NAME}"
echo
echo "room: add &as=<name> to name yourself (otherwise each browser is a numbered guest);"
echo "room: the teacher's link, to keep to yourself (pause the storefront, inject failures, chaos):"
echo
echo "    ${APP}#room=ws://${ADDRESS}:${PORT}&token=${TEACHER_TOKEN}&name=${NAME}&role=teacher"
echo
echo "room: serve the app to the room with ./scripts/serve.sh --lan; Ctrl-C here closes the room"
echo
exec "$SERVER" -c room/nats.conf
