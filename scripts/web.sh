#!/usr/bin/env sh
# The web app as served in production: gunicorn, ALUR_WEB_WORKERS processes of
# ALUR_WEB_THREADS threads each, bound to ALUR_BIND. Forwarded headers are trusted by the
# app alone (ALUR_PROXY_COUNT, werkzeug's ProxyFix), never by gunicorn: hence the empty
# --forwarded-allow-ips. The app is loaded once in the master (--preload), so a worker
# that dies is replaced by a fork in an instant, not a fresh start of Python.
set -eu
cd "$(dirname "$0")/.."
exec gunicorn --bind "${ALUR_BIND:-0.0.0.0:8000}" \
  --workers "${ALUR_WEB_WORKERS:-2}" --threads "${ALUR_WEB_THREADS:-4}" \
  --forwarded-allow-ips "" --graceful-timeout 20 --preload \
  --access-logfile - "webapp:create_app()"
