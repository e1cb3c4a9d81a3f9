#!/usr/bin/env sh
# The timer worker: fires due timers every ALUR_TIMER_INTERVAL seconds (default 5).
# With ALUR_WORKER_HEARTBEAT_FILE set it touches that file as it works (webapp/health.py);
# scripts/worker-health.sh (compose's healthcheck) says whether it is recent.
set -eu
cd "$(dirname "$0")/.."
exec flask --app webapp alur worker
