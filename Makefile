# CBSI Graph: `make serve` runs the API on a local Neo4j it starts itself; `make test` runs every test.
# Each target does its own set-up: the venv, the Python packages, and (on first use) the Neo4j jars.

# The interpreter the venv is made from: the system's /usr/bin/python3 when it is 3.11+ and can make a venv (Debian
# builds it with profile-guided and link-time optimisation; a python3 built from source without them, as pyenv's on
# the CI machine, costs the server some 4% more CPU a request: docs/benchmarks.md, session 14), else the first
# python3 on PATH. `make PYTHON=/path/to/python3` chooses another; an existing venv is kept (`make clean` first).
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cbsi-installed

.PHONY: install neo4j-jars chromium serve test lint typecheck schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev,leiden]"
	touch $(STAMP)

install: $(STAMP)

neo4j-jars: $(STAMP)
	$(BIN)/cbsi-graph neo4j build

serve: neo4j-jars
	$(BIN)/cbsi-graph serve

lint: $(STAMP)
	$(BIN)/ruff check .

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }

typecheck: $(STAMP)
	$(BIN)/mypy

test: neo4j-jars chromium lint typecheck
	$(BIN)/pytest

schema: $(STAMP)
	$(BIN)/cbsi-graph schema --output schema.graphql

clean:
	rm -rf $(VENV) app/neo4j_launcher/target .pytest_cache .ruff_cache .mypy_cache
