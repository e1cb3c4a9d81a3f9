# Alur Kinerja: `make run` (app on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app webapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test lint migrate deploy seed worker bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

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

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check engine webapp tests bench

bench: setup
	$(BIN)/python bench/complete_task.py
	$(BIN)/python bench/http_submit.py

clean:
	rm -rf $(VENV) instance test-results .pytest_cache .ruff_cache
