# Gongjue: the two commands are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := app/translations
HOST ?= 127.0.0.1
PORT ?= 5000
# make test runs the suite in this many processes (pytest-xdist, a test file to a process): tests/databases.py gives
# each process its own database, and the tests that start a Celery worker each use a Redis database of their own
PYTEST_PROCESSES ?= 2

.PHONY: run test lint typecheck pytest date-matrix translations extract-messages clean system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d $(CATALOGS)

## make run: set up, migrate the SQLite database, load the demo if empty, serve on http://127.0.0.1:5000
run: $(STAMP) translations
	$(BIN)/gongjue db upgrade
	$(BIN)/gongjue demo --if-empty --no-link
	$(BIN)/gongjue demo-link --base-url http://$(HOST):$(PORT)
	$(BIN)/gongjue run --host $(HOST) --port $(PORT)

## make test: lint, type-check and the whole suite (PostgreSQL/worker when TEST_DATABASE_URL/CELERY_BROKER_URL are set)
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy app crypto

pytest: $(STAMP) translations
	$(BIN)/pytest -p no:cacheprovider -n $(PYTEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

## make date-matrix: the tests that depend on the day, under every day of tests/date_matrix.txt (SQLite, 2 processes)
date-matrix: $(STAMP) translations
	@grep -v '^#' tests/date_matrix.txt | while read -r day why; do \
	  [ -n "$$day" ] || continue; \
	  echo "== dated tests on $$day: $$why"; \
	  TEST_DATABASE_URL= CELERY_BROKER_URL= GONGJUE_TEST_TODAY=$$day \
	    $(BIN)/pytest -p no:cacheprovider -q -m dated -n 2 $(PYTEST_ARGS) || exit 1; \
	done

## Debian packages that some tests and the notice PDF need (run as root; without them those tests are skipped)
system-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils

## Maintainers: re-extract the messages after changing user-visible text, then translate the .po files.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
