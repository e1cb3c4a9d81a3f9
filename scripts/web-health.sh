#!/usr/bin/env sh
# The web app's health check: GET /healthz on ALUR_BIND's port; 200 only when the
# database answers too. Python, not curl: the image has no curl.
set -eu
port="${ALUR_BIND:-0.0.0.0:8000}"
port="${port##*:}"
exec python - "$port" <<'PY'
import sys
import urllib.request

try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=5) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except OSError as error:  # HTTPError (503: the database is away) and refused connections
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
PY
