# The project's commands. Every target creates .venv from the pinned requirements first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint typecheck pytest bench schemas clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-runtime.txt pyproject.toml tools/pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . -e tools
	$(BIN)/python -m waakhond_intake.processing.privacy.warmup
	touch $(STAMP)

## Run the embedded stack (Tansu broker, intake, classifier, aggregator, chDB) with demo data.
run: venv
	$(BIN)/waakhond stack --demo

## Lint, type-check and run the whole test suite (this is what CI runs).
test: venv lint typecheck pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy services tools tests

pytest: venv
	$(BIN)/pytest

## Benchmarks (not timed tests): results are written to bench/results/*.json.
bench: venv
	$(BIN)/waakhond bench classifier --output bench/results/classifier.json
	$(BIN)/waakhond bench trends --output bench/results/trend_query.json
	$(BIN)/waakhond bench pipeline --output bench/results/pipeline.json
	$(BIN)/waakhond bench broker --output bench/results/broker.json
	$(BIN)/waakhond bench lookup --output bench/results/lookup.json
	$(BIN)/waakhond bench imports --output bench/results/imports.json

schemas: venv
	$(BIN)/waakhond schemas write

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache data
