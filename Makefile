# Two commands do all set-up on a fresh machine: `make local` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Two install levels: `make local` needs only the runtime, moto's server and a Redis; the
# tests, type checks and CDK need the rest (`dev` includes `local`).
LOCAL_STAMP := $(VENV)/.installed-local
STAMP       := $(VENV)/.installed-dev

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install local test unit unit-moved-clock lint typecheck bench costs openapi screenshots synth layer clean

# uv installs the project's packages (≈ 5 s for `local` where pip takes ≈ 45 s: most of a fresh
# `make local`); pip only bootstraps it, from the package registry, into the venv. Versions and
# hashes come from uv.lock (`--locked` fails if pyproject.toml changed without `uv lock`);
# `--inexact` keeps uv itself, which the lock does not list.
$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --quiet --locked --inexact

$(LOCAL_STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(SYNC) --extra local
	touch $(LOCAL_STAMP)

$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(SYNC) --extra dev
	touch $(STAMP) $(LOCAL_STAMP)

install: $(STAMP)

## Run the whole product locally (moto + redis-server + the real handlers behind HTTP).
local: $(LOCAL_STAMP)
	$(BIN)/python -m gamification.local

## Lint, type-check and run the whole suite (unit, property, integration, infra, e2e), with a
## coverage report (in-process code only) that fails below the floor.
COVERAGE_FLOOR ?= 85
test: $(STAMP) lint typecheck
	$(BIN)/pytest -n 2 --dist loadfile --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

## The fast inner loop: everything but the end-to-end tests and the CDK synth tests.
unit: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile -m "not e2e" --ignore=tests/infra

## The date-sensitive folders again as if run on another date (tests/README.md): a year turn in
## ISO week 53 by default, `GAMIFY_TEST_CLOCK=2027-03-28T01:30:00Z make unit-moved-clock` for
## another. A test that reads today's date fails here, not on the day the calendar turns.
## CI (.ci/run) runs it after `make test`.
GAMIFY_TEST_CLOCK ?= 2026-12-31T23:30:00Z
MOVED_CLOCK_TESTS ?= tests/domain tests/services tests/integration tests/test_moved_clock.py
unit-moved-clock: $(STAMP)
	GAMIFY_TEST_CLOCK=$(GAMIFY_TEST_CLOCK) $(BIN)/pytest -n 2 --dist loadfile -m "not e2e" \
		$(MOVED_CLOCK_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Regenerate docs/cost.md's tables from the template, the measured traffic and the price table
## (a test fails while they are stale).
costs: $(STAMP)
	$(BIN)/python -m benchmarks.costs --write

## Regenerate docs/openapi.json from the routers, docs/events/*.json from the event catalog and
## the typed clients from the document (web/gamify-api.d.ts, clients/python); tests fail while stale.
openapi: $(STAMP)
	$(BIN)/python -m gamification.api.openapi docs/openapi.json
	$(BIN)/python -m gamification.api.event_schemas docs/events
	$(BIN)/python -m gamification.local.web_types
	$(BIN)/python -m gamification.local.python_client

## Regenerate the README's widget screenshots (docs/screenshots/, light 1280 px and dark 360 px)
## from the browser test, which drives the demo page on the local stack in Chromium.
screenshots: $(STAMP)
	GAMIFY_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/e2e/test_widgets_in_browser.py

## Build the shared Lambda layer (gamification + redis, tzdata for arm64) into build/layer,
## with .pyc compiled by the Lambda runtime's Python when this machine has it.
layer: $(STAMP)
	$(BIN)/python -m infra.layer

## Synthesize the CloudFormation template into cdk.out/ (no AWS account, Docker or network).
## Works before `make layer` (a template to read); `cdk deploy` refuses without the layer.
synth: $(STAMP)
	CDK_CONTEXT_JSON='{"allow_unbuilt_layer": "true"}' $(BIN)/python -m infra.app

clean:
	rm -rf $(VENV) cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis
