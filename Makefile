# payments-tracker — every workflow is a target here. `make run` and `make test` set up what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PY_DIRS := $(wildcard src tests infra bench)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help setup run test lint format typecheck openapi unit integration contract e2e clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

$(UV):
	@python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "payments-tracker needs Python 3.11 or newer: install it and run make again")'
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --all-groups
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20+ is missing: install it (https://nodejs.org) and run make again" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.synced node_modules/.installed ## install the Python and npm dependencies from their lock files

run: setup web ## start DynamoDB Local, cognito-local and the local gateway on 127.0.0.1
	$(PY) -m payments_tracker.local.stack

format: setup ## rewrite the code in the house style
	$(VENV)/bin/ruff format $(PY_DIRS)
	$(VENV)/bin/ruff check --fix $(PY_DIRS)

lint: setup ## ruff check and ruff format --check
	$(VENV)/bin/ruff check $(PY_DIRS)
	$(VENV)/bin/ruff format --check $(PY_DIRS)

typecheck: setup ## mypy --strict on src/, infra/ and bench/
	$(VENV)/bin/mypy --strict src infra bench

openapi: setup ## regenerate docs/api/openapi.json from the code
	$(PY) -m payments_tracker.handlers.openapi > docs/api/openapi.json

unit: setup ## unit tests: pure code, no services
	$(VENV)/bin/pytest tests/unit -q

integration: setup ## integration tests against DynamoDB Local and cognito-local
	$(VENV)/bin/pytest tests/integration -q

contract: setup ## the OpenAPI document matches the code
	$(VENV)/bin/pytest tests/contract -q

e2e: setup ## end-to-end over HTTP through the local gateway
	$(VENV)/bin/pytest tests/e2e -q

test: setup lint typecheck web ## every check (what CI runs)
	$(VENV)/bin/pytest tests -q

clean: ## remove installed tools and local state (keeps nothing)
	rm -rf $(TOOLS) $(VENV) node_modules .local cdk.out infra/cdk.out web/node_modules web/dist test-artifacts

-include mk/*.mk
