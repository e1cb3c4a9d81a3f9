#!/usr/bin/env sh
# Bring the schema up to date, seed the holiday table, and deploy the shipped SOP.
# Idempotent: safe to run on every start. ALUR_SEED_DEMO=1 also adds the demo people.
set -eu
cd "$(dirname "$0")/.."
if [ "${ALUR_SEED_DEMO:-0}" = "1" ]; then
  exec flask --app webapp alur bootstrap --demo
fi
exec flask --app webapp alur bootstrap
