# CityHall — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv lives in its own small venv: `uv sync` would remove it from the project's.
UV := .uv/bin/uv
CITYHALL := $(BIN)/cityhall
PORT ?= 8000
# Where the PostgreSQL run of the suite connects (a throwaway test database is created).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/cityhall
# The suite runs in this many processes (pytest-xdist), each on its own test
# database and var/ folder; `make test TEST_WORKERS=0` runs it in this one process.
# Measured on a 2-core machine: 2 roughly halves the time, 3 is no faster.
# Work stealing: the long browser and multi-process tests do not pile up at the end.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

.PHONY: help install run test test-sqlite test-postgres lint format bench messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --quiet --python $(PYTHON)
	@touch $@

build/static/.built: package.json package-lock.json scripts/build-static.mjs
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build-static.mjs
	@touch $@

install: $(VENV)/.synced build/static/.built ## Install Python and front-end dependencies (from the lock files)

run: install ## Install, migrate, load the demo city, serve it with its worker on http://127.0.0.1:$(PORT)
	DEBUG=$${DEBUG:-true} $(CITYHALL) migrate --noinput
	DEBUG=$${DEBUG:-true} $(CITYHALL) seed-demo
	@echo "Open http://127.0.0.1:$(PORT)/  (emails the city sends: http://127.0.0.1:$(PORT)/dev/mailbox/, staff sign-in)"
	@trap 'kill 0' INT TERM EXIT; \
	  DEBUG=$${DEBUG:-true} $(CITYHALL) worker --verbosity 0 & \
	  DEBUG=$${DEBUG:-true} $(CITYHALL) serve --port $(PORT)

lint: install ## Ruff, migrations in step with models, lock files in step with their manifests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) lock --check --quiet
	DEBUG=true $(CITYHALL) makemigrations --check --dry-run --noinput
	$(BIN)/python scripts/check_messages.py

format: install ## Fix what ruff can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint test-sqlite test-postgres ## Lint, then the whole suite on SQLite and again on PostgreSQL

test-sqlite: install ## The suite on SQLite
	$(PYTEST)

test-postgres: install ## The suite on PostgreSQL (TEST_POSTGRES_URL); skipped with a notice when none is reachable
	@if $(BIN)/python scripts/pg_ready.py "$(TEST_POSTGRES_URL)"; then \
	  DATABASE_URL="$(TEST_POSTGRES_URL)" $(PYTEST); \
	else \
	  echo "!! No PostgreSQL at $(TEST_POSTGRES_URL): the PostgreSQL run was SKIPPED (CI always runs it)."; \
	  if [ -n "$$CI" ]; then exit 1; fi; \
	fi

# bench_opendata.py needs PostgreSQL and about 10 minutes for its million rows: run it by hand.
bench: install ## Benchmarks (figures in bench/RESULTS.md)
	@for script in $(filter-out bench/bench_opendata.py,$(wildcard bench/bench_*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

MESSAGES_IGNORE = -i "test_*" -i "tests/*" -i "testing.py"

messages: install ## Re-extract the translatable strings and compile the catalogues
	cd cityhall && DEBUG=true ../$(CITYHALL) makemessages -l es --no-obsolete --no-location $(MESSAGES_IGNORE)
	cd cityhall && DEBUG=true ../$(CITYHALL) compilemessages -l es

clean: ## Remove installed dependencies and built assets (keeps var/)
	rm -rf $(VENV) .uv node_modules build
