# Mare — two commands on a fresh Debian machine: `make demo` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(HOME)/.cargo/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTEST_ARGS ?=
# `make test` runs the default suite on two xdist workers, whole files each (module fixtures built
# once); PYTEST_WORKERS=0 runs it in one process (e.g. for --pdb).
PYTEST_WORKERS ?= 2
WIDGETS := src/mare/server/static/dist/widgets.js

.PHONY: help setup chromium postgresql java test test-slow test-browser test-postgres test-spark lint typecheck demo scenario bench clean

help:
	@echo "make demo   - set up, generate the sample world, ingest it, serve it on http://127.0.0.1:8000"
	@echo "make test   - set up, then ruff, mypy and the test suite"
	@echo "make test-slow - the slow suites (large ingests, kill tests at scale)"
	@echo "make test-browser - the browser tests (Playwright driving Debian's chromium)"
	@echo "make bench  - the ingest benchmark (prints a table)"

$(UV):
	@echo ">> uv not found: installing it from PyPI into ~/.local"
	@python3 -m pip install --user --quiet uv 2>/dev/null \
	  || python3 -m pip install --user --quiet --break-system-packages uv \
	  || { echo "!! could not install uv; install it with 'pip install uv' and retry"; exit 1; }

setup: $(UV)
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen python -m compileall -q src >/dev/null
	@command -v npm >/dev/null || { echo ">> npm not found: installing Debian's npm"; \
	  (apt-get update -qq && apt-get install -y -qq npm) >/dev/null || sudo apt-get install -y -qq npm \
	  || { echo "!! could not install npm (needed for the offline world atlas): apt-get install npm"; exit 1; }; }
	@dpkg -s libpango-1.0-0 fonts-dejavu-core >/dev/null 2>&1 || { echo ">> Pango or DejaVu fonts not found: installing Debian's libpango-1.0-0 and fonts-dejavu-core (PDF reports)"; \
	  (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 fonts-dejavu-core) >/dev/null \
	  || sudo apt-get install -y -qq libpango-1.0-0 fonts-dejavu-core \
	  || { echo "!! could not install Pango and DejaVu (needed for PDF reports): apt-get install libpango-1.0-0 fonts-dejavu-core"; exit 1; }; }
	@[ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.package-lock.json \
	  || npm ci --silent --no-audit --no-fund
	@[ -f $(WIDGETS) ] && [ -z "$$(find web package-lock.json vite.config.ts tsconfig.json -newer $(WIDGETS) -type f -print -quit)" ] \
	  || { echo ">> building the browser widgets (npm run build)"; npm run --silent build \
	  || { echo "!! the widget build failed: see the messages above (web/src), then run 'npm run build'"; exit 1; }; }

# The browser tests drive Debian's chromium (never a browser downloaded by Playwright).
chromium:
	@[ -x /usr/bin/chromium ] || { echo ">> chromium not found: installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || sudo apt-get install -y -qq chromium \
	  || { echo "!! could not install chromium (needed by the browser tests): apt-get install -y chromium"; exit 1; }; }

# The PostgreSQL tests start a throw-away cluster with Debian's initdb (no service needs to run).
postgresql:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo ">> PostgreSQL not found: installing Debian's postgresql for the server-store tests"; \
	  (apt-get update -qq && apt-get install -y -qq postgresql) >/dev/null 2>&1 || sudo apt-get install -y -qq postgresql \
	  || { echo "!! could not install PostgreSQL (needed by the server-store tests): apt-get install -y postgresql"; exit 1; }; }

# Spark (pyspark from PyPI) runs on Debian's OpenJDK 17 JRE.
java:
	@command -v java >/dev/null || { echo ">> Java not found: installing Debian's openjdk-17-jre-headless for the Spark tests"; \
	  (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) >/dev/null 2>&1 || sudo apt-get install -y -qq openjdk-17-jre-headless \
	  || { echo "!! could not install Java (needed by Spark): apt-get install -y openjdk-17-jre-headless"; exit 1; }; }

lint: setup
	$(UV) run ruff check
	$(UV) run ruff format --check --quiet

typecheck: setup
	$(UV) run mypy

test: lint typecheck
	npm test --silent
	$(UV) run pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

test-slow: setup
	$(UV) run pytest -q -m slow $(PYTEST_ARGS)

test-browser: setup chromium
	$(UV) run pytest -q -m browser $(PYTEST_ARGS)

test-postgres: setup postgresql
	$(UV) run pytest -q -m postgres $(PYTEST_ARGS)

test-spark: setup java
	$(UV) run pytest -q -m spark $(PYTEST_ARGS)

demo: setup
	$(UV) run mare demo

# The speed figures of issue 19, each beside its anchor from the same run (docs/benchmarks.md).
bench: setup
	$(UV) run python benchmarks/ingest.py
	$(UV) run python benchmarks/startup.py 15
	$(UV) run python benchmarks/crosscheck.py link 2000,10000,50000
	$(UV) run python benchmarks/crosscheck.py names

clean:
	rm -rf mare-data .pytest_cache .mypy_cache .ruff_cache
