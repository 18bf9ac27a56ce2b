# Two commands matter (README): `make demo` and `make test`. Both set up .venv themselves
# on a fresh machine that has only Python 3.11+ and pip.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck record live-check bench clean

# Installs go through uv (bootstrapped into the venv from PyPI): the same packages as pip,
# resolved and installed about ten times faster. Plain pip is the fallback.
# UV_LINK_MODE=copy: uv hardlinks files from its cache by default, and nltk (used by
# llama-index's text splitters) refuses to open a data file with more than one link.
# $(call venv_install,<venv python>,<pip arguments>)
define venv_install
	@$(1) -m pip install --quiet --upgrade "pip>=25.1"
	@( $(1) -m pip install --quiet "uv>=0.6" && \
	   UV_LINK_MODE=copy $(dir $(1))uv pip install --quiet --python $(1) $(2) ) || \
	 $(1) -m pip install --quiet $(2)
endef

install: $(STAMP)

$(STAMP): pyproject.toml fw_core/_version.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(call venv_install,$(PY),-e ".[all]" --group dev --group scale)
	@touch $(STAMP) $(DEMO_STAMP)

# The demo installs only what it needs (the package, both frameworks, the demo group);
# `make test` later adds the dev tools to the same venv.
DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): pyproject.toml fw_core/_version.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(call venv_install,$(PY),-e ".[all]" --group demo)
	@touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	@$(PY) -m demo $(ARGS)

# pytest exits 5 when it collects nothing; that is reported, not hidden as a pass of tests.
test: $(STAMP)
	@$(PY) -m pytest -q $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

# ruff check (lint rules) and ruff format --check (layout; Markdown excluded in pyproject):
# either failing fails `make lint`, and so CI.
lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	@$(VENV)/bin/mypy

# Re-record missing cassettes: live when a key is set, else against the wire double.
# MODE=rewrite re-records everything from the same source. MODE=live re-records everything
# against the real APIs (keys required) and marks every cassette live in the MANIFEST;
# MODE=double does the same against the wire double.
record: $(STAMP)
	@case "$${MODE:-once}" in \
	  live) src=live; rec=all; relabel=--all; \
	        [ -n "$$FIREWORKS_API_KEY$$FIRMWARE_API_KEY" ] || { echo "MODE=live needs FIREWORKS_API_KEY and/or FIRMWARE_API_KEY"; exit 2; } ;; \
	  double) src=double; rec=all; relabel=--all ;; \
	  *) if [ -n "$$FIREWORKS_API_KEY$$FIRMWARE_API_KEY" ]; then src=live; else src=double; fi; \
	     rec=$${MODE:-once}; relabel= ;; \
	esac; \
	echo "recording against: $$src (record mode $$rec)"; \
	FW_RECORD=$$src $(PY) -m pytest -q --record-mode=$$rec $(ARGS); \
	$(PY) -m tests.manifest --source $$src --prune $$relabel

# Conformance check (docs/live_check.md): live for each provider whose key is set, else
# against the wire double. Prints its cost estimate first; stops at LIVE_CHECK_MAX_USD
# (default $0.05). Writes live-check-report/report.{json,md}. addopts is replaced so the
# network is not blocked (the root conftest keeps the keys when FW_RECORD=live).
live-check: $(STAMP)
	@FW_LIVE_CHECK=1 FW_RECORD=live $(PY) -m pytest -q -p no:randomly -o addopts="-p no:cacheprovider" \
		tests/live $(ARGS)

# Benchmarks (benchmarks/README in benchmarks/__main__.py). The anchors (langchain-fireworks,
# langchain-openai, openai, llama-index-*-fireworks) go into their own venv, never .venv.
BENCH_VENV  := .venv-bench
BENCH_PY    := $(BENCH_VENV)/bin/python
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml fw_core/_version.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(call venv_install,$(BENCH_PY),-e ".[all]" --group bench)
	@touch $(BENCH_STAMP)

# make bench                 full run (~10 min on a quiet 2-core machine), rewrites benchmarks/RESULTS.md
# make bench ARGS=--quick    under 60 s; prints the tables and saves JSON only
bench: $(BENCH_STAMP)
	@$(BENCH_PY) -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) .coverage htmlcov .mypy_cache .ruff_cache
