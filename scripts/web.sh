#!/usr/bin/env sh
# The web app as served in production: gunicorn, several workers, bound to ALUR_BIND.
set -eu
cd "$(dirname "$0")/.."
exec gunicorn --bind "${ALUR_BIND:-0.0.0.0:8000}" --workers "${ALUR_WEB_WORKERS:-2}" \
  --threads "${ALUR_WEB_THREADS:-4}" --access-logfile - "webapp:create_app()"
