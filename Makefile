# Day-to-day commands. `make install` is idempotent: stamp files under .venv/ record what is done,
# so a second run only checks timestamps.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_STAMP := $(VENV)/.stamp-pip
# npm ci writes node_modules/.package-lock.json last, so it is older than package-lock.json only
# when the lock file changed since, and missing when node_modules is.
NPM_STAMP := node_modules/.package-lock.json
ASSETS := app/static/dist/app.css
SCSS := $(wildcard app/assets/scss/*.scss)

.PHONY: help install system-packages run test bench bench-load lint

PORT ?= 8000

help:
	@echo "make install     create .venv, install Python and npm packages, build the front-end"
	@echo "make run         set up the demo database, serve on http://127.0.0.1:8000 (PORT=8080 for another)"
	@echo "                 with a pack worker beside it"
	@echo "make test        install what the tests need when missing (as root), then run them all"
	@echo "                 (starts a throwaway PostgreSQL 15)"
	@echo "make bench       run the benchmarks in bench/ (all but the load run)"
	@echo "make bench-load  50 people for 3 minutes on SQLite, then PostgreSQL, against the targets"
	@echo "                 (LOAD_ARGS=\"--seconds 60 --users 20\" to change; loopback only)"
	@echo "make lint        ruff check, ruff format --check, mypy app, import contracts"

install: $(PIP_STAMP) $(ASSETS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(ASSETS): build-assets.mjs $(SCSS) $(NPM_STAMP)
	node build-assets.mjs

# A pack worker (riia worker) runs beside the server and stops with it.
run: install
	export RIIA_BASE_URL="$${RIIA_BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	  $(BIN)/riia setup-demo; \
	  $(BIN)/riia worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null || true' EXIT; \
	  $(BIN)/riia serve --host 127.0.0.1 --port $(PORT)

# PostgreSQL 15, Chromium, fonts and poppler: installed as root when missing, else the apt-get
# line to run is printed.
system-packages:
	bash scripts/system-packages.sh

test: system-packages install
	bash scripts/test.sh

bench: install
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; fi; \
	for f in "$${files[@]}"; do \
	  if [[ $$f == bench/load.py ]]; then continue; fi; \
	  echo "== $$f"; $(BIN)/python "$$f"; done

# The server runs on 127.0.0.1 only; PostgreSQL is TEST_DATABASE_URL's, or a throwaway cluster.
bench-load: install
	$(BIN)/python bench/load.py $(LOAD_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports
