# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# axe-core and the Nu Html Checker for the browser tests, from tests/browser/package-lock.json.
BROWSER_TOOLS := tests/browser/node_modules/.package-lock.json

.PHONY: run test check lint typecheck pytest install install-dev bench instructions soak clean

run: install
	$(BIN)/parley db upgrade
	$(BIN)/parley seed --if-empty
	$(BIN)/parley serve --host $(HOST) --port $(PORT)

# Test files run in parallel, a file to a worker (its fixtures are shared within it). Two workers
# per core: the browser and PostgreSQL tests spend much of their time waiting.
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) * 2 )))

test: install-dev lint typecheck pytest

# The inner loop, under a minute: lint, types and every test that needs no browser, on SQLite only.
check: install-dev lint typecheck
	PARLEY_TEST_DATABASE_URL= CI= $(BIN)/pytest -q -n auto --dist loadfile -m "not browser and not slow" -k "not postgresql"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

pytest: $(BROWSER_TOOLS)
	$(BIN)/pytest -n $(WORKERS) --dist loadfile

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Parley needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# Without npm the browser tests skip, except under CI=true where they may not.
$(BROWSER_TOOLS): tests/browser/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$CI" = true ]; then echo "npm not found: CI=true needs it for the browser tests" >&2; exit 1; fi; \
	  echo "npm not found: browser tests will be skipped"; exit 0; }; \
	npm ci --prefix tests/browser --no-audit --no-fund && touch $@

# Parley under load against the framework's ceiling, on the bundled and a 10,000-round record; about
# ten minutes. Writes tests/benchmarks/results.md. PARLEY_BENCH_DATABASE_URL adds PostgreSQL.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "wrk not found: installing it with apt-get"; \
	  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk; }; }
	$(BIN)/python -m tests.benchmarks.run

# The instructions one cold request to each page executes, counted by callgrind: unlike requests per
# second, the same on a quiet machine and a loaded one. A few minutes; installs valgrind when missing.
instructions: install
	@command -v valgrind >/dev/null 2>&1 || { \
	  echo "valgrind not found: installing it with apt-get"; \
	  apt-get install -y valgrind >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y valgrind; }; }
	$(BIN)/python -m tests.benchmarks.instructions $(PAGES) $(if $(RECORD),--record $(RECORD))

# Two workers on a PostgreSQL cluster of its own, 32 readers and 4 editors for a minute, the database
# restarted midway. Prints failures, latency, lost saves and how fast a publish reaches every worker.
soak: install-dev
	$(BIN)/python -m tests.benchmarks.soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
