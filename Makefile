# The two commands a new machine needs: `make run` and `make test`. Both build .venv from scratch.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.civildesk-installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install run test lint unit test-sqlite test-postgres bench clean browser-deps

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,production]'
	touch $(STAMP)

# The pure core compiled with mypyc (src/civildesk/native.py says how and why). Rebuilt when
# its sources change; without a C compiler civildesk runs the same modules as pure Python, and
# says so (in CI a failed build fails).
NATIVE_STAMP := $(VENV)/.native
NATIVE_SOURCES := $(wildcard src/civildesk/detectors/*.py) src/civildesk/policy/engine.py \
	src/civildesk/policy/decision.py src/civildesk/native.py src/civildesk/devtools/native_build.py
$(NATIVE_STAMP): $(STAMP) $(NATIVE_SOURCES)
	@echo "compiling the pure core with mypyc (log: $(VENV)/native.log)"
	@if $(BIN)/python -m civildesk.devtools.native_build > $(VENV)/native.log 2>&1; then \
		touch $(NATIVE_STAMP); \
	else \
		tail -5 $(VENV)/native.log; \
		$(BIN)/python -m civildesk.devtools.native_build --clean > /dev/null; \
		echo "mypyc could not compile the core: civildesk runs it as pure Python"; \
		test -z "$$CI"; \
	fi

## install: create .venv and install civildesk with pinned dependencies (then `.venv/bin/civildesk`)
install: $(STAMP) $(NATIVE_STAMP)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

## test: lint, type-check, then the whole suite on SQLite and again on PostgreSQL
test: lint audit $(NODE_STAMP) browser-deps test-sqlite test-postgres

# issue 8: known vulnerabilities in the pinned dependencies (pip-audit asks a service on the
# network; unreachable, it says why and passes, except in CI, where it fails).
.PHONY: audit
audit: install
	$(BIN)/python -m tests.security.audit requirements.lock

test-sqlite: install
	$(BIN)/pytest

# The database-backed tests again on PostgreSQL (pure tests do not touch a database and run once).
test-postgres: install
	@if $(BIN)/python -m civildesk.devtools.pg_ready "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -p civildesk.devtools.pytest_dbonly --db-only -p no:cacheprovider; \
	else \
		echo "PostgreSQL is not answering at $(PG_URL): skipping the PostgreSQL run"; \
		test -z "$$CI"; \
	fi

## run: install (Python + npm), migrate, demo admin, demo inbox, then web + one worker on SQLite
run: install $(NODE_STAMP)
	$(BIN)/civildesk demo --serve

# The NHS.UK frontend, htmx and axe-core come from npm (package-lock.json); nothing from a CDN.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Browser tests drive Debian's chromium. Installed here when missing and we are root; otherwise
# the browser tests skip with the reason (and fail in CI, where they must run).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && apt-get install -y -qq chromium; \
		else \
			echo "chromium is not installed (sudo apt-get install chromium): browser tests will be skipped"; \
		fi; \
	fi

bench: install
	$(BIN)/python benchmarks/classify_throughput.py

clean:
	-test -x $(BIN)/python && $(BIN)/python -m civildesk.devtools.native_build --clean
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build/native
