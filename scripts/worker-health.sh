#!/usr/bin/env sh
# The worker's health check (compose's healthcheck): exit 0 when the worker touched its
# heartbeat file (ALUR_WORKER_HEARTBEAT_FILE) less than ALUR_WORKER_HEARTBEAT_MAX_AGE
# seconds ago (default 60). Plain shell: a check every few seconds starts no Python.
set -eu
file="${ALUR_WORKER_HEARTBEAT_FILE:-}"
limit="${ALUR_WORKER_HEARTBEAT_MAX_AGE:-60}"
if [ -z "$file" ]; then
  echo "unhealthy: ALUR_WORKER_HEARTBEAT_FILE is not set" >&2
  exit 1
fi
if [ ! -f "$file" ]; then
  echo "unhealthy: no heartbeat yet at $file" >&2
  exit 1
fi
age=$(( $(date +%s) - $(stat -c %Y "$file") ))
if [ "$age" -gt "$limit" ]; then
  echo "unhealthy: last heartbeat ${age} s ago (limit ${limit} s)" >&2
  exit 1
fi
echo "healthy: last heartbeat ${age} s ago"
