#!/usr/bin/env sh
# Bring the schema up to date, seed the holiday table, and deploy the shipped SOP.
# Idempotent: safe to run on every start. ALUR_SEED_DEMO=1 also adds the demo people.
set -eu
cd "$(dirname "$0")/.."
flask --app webapp alur migrate
flask --app webapp alur seed-holidays
if [ "${ALUR_SEED_DEMO:-0}" = "1" ]; then
  flask --app webapp alur seed-demo
fi
flask --app webapp alur deploy bpmn/sop-pengelolaan-kinerja.bpmn
