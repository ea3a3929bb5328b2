# Two commands set up everything on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: build check test lint docs serve clean

build: $(INSTALLED)
	$(PY) -m builder build

check: $(INSTALLED)
	$(PY) -m builder check

serve: $(INSTALLED)
	$(PY) -m builder serve

test: $(TEST_INSTALLED) build
	$(PY) -m pytest

lint: $(TEST_INSTALLED)
	$(VENV)/bin/ruff check builder tests
	$(VENV)/bin/ruff format --check builder tests
	$(VENV)/bin/mypy

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(VENV)/bin/python
	$(PIP) -e .
	touch $@

$(TEST_INSTALLED): pyproject.toml $(INSTALLED)
	$(PIP) -e '.[test]'
	touch $@

clean:
	rm -rf public .pytest_cache .mypy_cache .ruff_cache
