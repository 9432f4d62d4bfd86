# Everyday verbs. `make run` and `make test` install what they need first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test test-fast lint format migrations-check browser bench bench-size bench-10m load faults clean

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

# One database per size: BENCH_DATABASE_URL_<events>, created and filled on first use.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/catalogue_bench
BENCH_SIZES ?= 100000 1000000
BENCH_REPEAT ?= 10
BENCH_ROUNDS ?= 2

## Pages (in-process and over HTTP), exports against COPY and the data package at every size
## in BENCH_SIZES, then the sizes side by side in bench/scaling.md (docs/performance.md)
bench: install
	for n in $(BENCH_SIZES); do \
		$(MAKE) --no-print-directory bench-size N=$$n || exit 1; \
	done
	$(PY) bench/datapackage.py --database-url $(BENCH_DATABASE_URL)_$(lastword $(BENCH_SIZES)) \
		--json bench/datapackage.json
	$(PY) bench/scaling.py $(foreach n,$(BENCH_SIZES),bench/results-$(n).json) > bench/scaling.md

# One size N: bench/run.py (BENCH_RUN_OPTIONS added), then on PostgreSQL the exports against
# COPY, BENCH_ROUNDS rounds.
bench-size: install
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL)_$(N) --events $(N) \
		--repeat $(BENCH_REPEAT) $(BENCH_RUN_OPTIONS) \
		--json bench/results-$(N).json --markdown bench/results-$(N).md
	case "$(BENCH_DATABASE_URL)" in postgres*) \
		$(PY) bench/export_ratio.py --database-url $(BENCH_DATABASE_URL)_$(N) \
			--rounds $(BENCH_ROUNDS) --json bench/export-ratio-$(N).json;; esac

## `make bench`, then 10,000,000 events: pages, and the exports against COPY in one round
## (bench/run.py's own export is left out there: export_ratio's rounds time the same file).
## The 10,000,000-event synthesis alone took 38 minutes and 22 GB here; the 10M part of the
## run after it, 43 minutes (docs/performance.md).
## At that size warm_summaries takes 5-10 minutes, up to a summary's default lifetime:
## summaries are kept an hour there (CATALOGUE_SUMMARY_SECONDS), as a site that size needs.
bench-10m: bench
	CATALOGUE_SUMMARY_SECONDS=3600 $(MAKE) --no-print-directory bench-size N=10000000 \
		BENCH_ROUNDS=1 BENCH_RUN_OPTIONS=--skip-export
	$(PY) bench/scaling.py $(foreach n,$(BENCH_SIZES) 10000000,bench/results-$(n).json) \
		> bench/scaling.md

## gunicorn + wrk, 32 connections for 60 s on 100,000 events (needs wrk)
load: install
	$(PY) bench/load.py

## Connections terminated under load: no 500s, recovery by itself
faults: install
	$(PY) bench/db_faults.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
