# Alur Kinerja: `make run` (app on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NPM ?= npm
FRONTEND := frontend
NODE_STAMP := $(FRONTEND)/node_modules/.installed-stamp
DIST := webapp/static/dist
DIST_STAMP := $(DIST)/.built-stamp
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src)
FLASK := $(BIN)/flask --app webapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup frontend run test lint migrate deploy seed worker bench load clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser bundles (one per page, see frontend/build.mjs): npm ci when the lock file
# changes, esbuild when anything under frontend/src does (its folders too, so a deleted file
# counts). Needs Node.js and npm; the output in $(DIST) is not committed.
$(NODE_STAMP): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "Node.js and npm are needed to build $(DIST)"; exit 1; }
	cd $(FRONTEND) && $(NPM) ci
	touch $@

$(DIST_STAMP): $(NODE_STAMP) $(FRONTEND)/build.mjs $(FRONTEND_SOURCES)
	cd $(FRONTEND) && $(NPM) run build
	touch $@

frontend: $(DIST_STAMP)

setup: $(STAMP) $(DIST_STAMP)

migrate: setup
	$(FLASK) alur migrate

seed: migrate
	$(FLASK) alur seed-demo

deploy: migrate
	$(FLASK) alur deploy bpmn/sop-pengelolaan-kinerja.bpmn

run: setup
	$(FLASK) alur bootstrap --demo
	@echo "Alur Kinerja on http://$(HOST):$(PORT)  (demo logins in README.md)"
	ALUR_TIMER_THREAD=1 $(FLASK) run --host $(HOST) --port $(PORT) --no-reload

worker: setup
	$(FLASK) alur worker

# Two test processes (pytest-xdist; one file stays in one process): PostgreSQL gives each
# a database of its own (tests/conftest.py).
PYTEST_XDIST_WORKERS ?= 2
test: setup
	$(BIN)/pytest -n $(PYTEST_XDIST_WORKERS) --dist loadfile

lint: setup
	$(BIN)/ruff check engine webapp tests bench

bench: setup
	$(BIN)/python bench/complete_task.py
	$(BIN)/python bench/http_submit.py
	$(BIN)/python bench/reads.py
	$(BIN)/python bench/deploy.py
	$(BIN)/python bench/replay.py
	$(BIN)/python bench/timers.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/sop_document.py
	$(BIN)/python bench/report_period.py

# The app under load (bench/load.py): gunicorn + worker on PostgreSQL, 16 users, 3000
# completions over 200,000 task rows. Rebuilds LOAD_DATABASE_URL's public schema.
load: setup
	@test -n "$(LOAD_DATABASE_URL)" || { echo "set LOAD_DATABASE_URL to a PostgreSQL database"; exit 1; }
	LOAD_DATABASE_URL="$(LOAD_DATABASE_URL)" $(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) instance test-results .pytest_cache .ruff_cache $(DIST) $(FRONTEND)/node_modules
