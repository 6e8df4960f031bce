# The project's commands. Every target creates .venv from the pinned requirements first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv system-deps run test lint typecheck pytest bench schemas clean

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

## Programs from Debian that the tests need and pip cannot install: promtool (in the
## package prometheus) for the alert rules' tests. Installed only when missing, with sudo
## only when not root, without the recommended node exporter; `apt-get update` only when
## the install fails (fresh machines have no package lists). The package's postinst starts
## a Prometheus server on :9090 (systemd, or its init script where policy-rc.d allows);
## only promtool is wanted here, so a server this install started is stopped again.
system-deps:
	@if ! command -v promtool >/dev/null 2>&1; then \
	  set -e; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  install="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus"; \
	  echo "$$install"; \
	  $$install || { $$sudo apt-get update && $$install; }; \
	  if [ -d /run/systemd/system ]; then \
	    if systemctl is-enabled --quiet prometheus || systemctl is-active --quiet prometheus; then \
	      echo "stopping and disabling the Prometheus server the package started"; \
	      $$sudo systemctl disable --now prometheus; \
	    fi; \
	  elif [ -x /etc/init.d/prometheus ] && /etc/init.d/prometheus status >/dev/null 2>&1; then \
	    echo "stopping the Prometheus server the package started"; \
	    $$sudo /etc/init.d/prometheus stop; \
	  fi; \
	  command -v promtool; \
	fi
	@# pdfinfo, pdftotext and pdftoppm (poppler-utils) for the report's PDF tests; WeasyPrint's
	@# pango comes with the machine image (libpango-1.0-0 in the Dockerfile's base).
	@if ! command -v pdfinfo >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
	  set -e; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  install="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends poppler-utils"; \
	  echo "$$install"; \
	  $$install || { $$sudo apt-get update && $$install; }; \
	fi
	@# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it cannot
	@# download its own browsers on these machines).
	@if [ ! -x /usr/bin/chromium ]; then \
	  set -e; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  install="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium"; \
	  echo "$$install"; \
	  $$install || { $$sudo apt-get update && $$install; }; \
	fi

## Lint, type-check and run the whole test suite (this is what CI runs).
test: venv system-deps lint typecheck pytest

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
	$(BIN)/waakhond bench report --output bench/results/report.json
	$(BIN)/waakhond bench startup --output bench/results/startup.json

schemas: venv
	$(BIN)/waakhond schemas write

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache data
