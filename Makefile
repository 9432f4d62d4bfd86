# Everyday verbs. `make run` and `make test` install what they need first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test test-fast lint format migrations-check browser bench load faults clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

## Install, migrate, load the curated catalogue and serve it on http://$(HOST)/
## (prepare_database migrates only when a migration is pending and loads changed fixtures only)
run: install
	$(PY) manage.py prepare_database
	$(PY) manage.py runserver $(HOST)

## Install and run the whole suite (set DATABASE_URL=postgres://... to run it on PostgreSQL)
test: install browser
	$(PY) -m pytest

## The suite without the browser tests
test-fast: install
	$(PY) -m pytest -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

## Debian's Chromium for the end-to-end tests (Playwright drives /usr/bin/chromium)
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests (needs root)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/catalogue_bench
BENCH_EVENTS ?= 1000000

## Page, API, export and data-package benchmarks on a synthetic catalogue (synthesized on first use)
bench: install
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) --events $(BENCH_EVENTS) \
		--json bench/results.json --markdown bench/results.md
	$(PY) bench/datapackage.py --database-url $(BENCH_DATABASE_URL) --json bench/datapackage.json

## gunicorn + wrk, 32 connections for 60 s on 100,000 events (needs wrk)
load: install
	$(PY) bench/load.py

## Connections terminated under load: no 500s, recovery by itself
faults: install
	$(PY) bench/db_faults.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
