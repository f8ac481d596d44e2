# Retorno. `make run` starts it with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/retorno
# Tests run in this many processes (each with its own test database).
TEST_WORKERS ?= 2

.PHONY: run setup test check lint types migrations-check pytest test-postgres chromium fonts messages bench clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --config-settings editable_mode=compat -e .
	touch $@

setup: $(VENV)/.installed messages fonts

# Compiled catalogues are build output: made from the .po files at setup.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	cd retorno && ../$(PY) ../manage.py compilemessages --verbosity 0

run: setup
	$(VENV)/bin/retorno run --port $(PORT)

# The generated PDFs embed DejaVu Sans so that every name prints as it is written.
PDF_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
fonts:
	@test -f $(PDF_FONT) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null)

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: $(VENV)/.installed
	$(VENV)/bin/mypy retorno config bench

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

pytest: setup chromium
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS)

test: setup chromium lint types migrations-check pytest

test-postgres: setup chromium
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q -n $(TEST_WORKERS)

bench: setup
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) var
