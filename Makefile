# Two commands set up everything on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: build check test lint docs serve bench fuzz clean

build: $(INSTALLED)
	$(PY) -m builder build

check: $(INSTALLED)
	$(PY) -m builder check

serve: $(INSTALLED)
	$(PY) -m builder serve

test: $(TEST_INSTALLED) build
	$(PY) -m pytest

lint: $(TEST_INSTALLED)
	$(VENV)/bin/ruff check builder tests docs bench
	$(VENV)/bin/ruff format --check builder tests docs bench
	$(VENV)/bin/mypy

# The editors' handbook, built from docs/ into .cache/handbook.
docs: $(INSTALLED)
	$(PY) -m mkdocs build --strict

# Timings and memory of cold and incremental builds at each of SIZES stories; BENCH_FLAGS=--images
# adds the lead-image corpus.
SIZES ?= 5000,50000
RUNS ?= 3
bench: $(INSTALLED)
	$(PY) bench/run.py --sizes $(SIZES) --runs $(RUNS) $(BENCH_FLAGS)

# A longer run of the property-based tests than CI's.
fuzz: $(TEST_INSTALLED)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} FUZZ_RANDOM=1 $(PY) -m pytest tests/build/test_fuzz.py -x

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# compat: the checkout on sys.path, as plain as an editable install gets (the
# default mode would put an import hook in front of every command's start).
EDITABLE := --config-settings editable_mode=compat

$(INSTALLED): pyproject.toml | $(VENV)/bin/python
	$(PIP) -e . $(EDITABLE)
	touch $@

$(TEST_INSTALLED): pyproject.toml $(INSTALLED)
	$(PIP) -e '.[test]' $(EDITABLE)
	touch $@

clean:
	rm -rf public .cache .pytest_cache .mypy_cache .ruff_cache
