#!/usr/bin/env sh
# The timer worker: fires due timers every ALUR_TIMER_INTERVAL seconds (default 5).
set -eu
cd "$(dirname "$0")/.."
exec flask --app webapp alur worker
