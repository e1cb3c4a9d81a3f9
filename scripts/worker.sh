#!/usr/bin/env sh
# The background worker: due timers, mail, checkpoints and clean-up from the job table
# (engine/services/jobs.py), waking when a job falls due or every ALUR_TIMER_INTERVAL s.
# With ALUR_WORKER_HEARTBEAT_FILE set it touches that file as it works (webapp/health.py);
# scripts/worker-health.sh (compose's healthcheck) says whether it is recent.
set -eu
cd "$(dirname "$0")/.."
exec flask --app webapp alur worker
