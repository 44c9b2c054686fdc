#!/bin/sh
# Readiness for systemd (ExecStartPost): waits until the daemon's /health answers 200 (503 while
# not ready). The unit's TimeoutStartSec bounds the wait; a daemon that exits ends it at once.
# Usage: helios-ready.sh [URL]   (default http://127.0.0.1:$HELIOS_API__PORT/health, port 8787)
set -u
url="${1:-http://127.0.0.1:${HELIOS_API__PORT:-8787}/health}"
pid="${MAINPID:-}"
while :; do
  if curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; then
    echo "helios ready: $url"
    exit 0
  fi
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    echo "helios exited before it was ready ($url)" >&2
    exit 1
  fi
  sleep 2
done
