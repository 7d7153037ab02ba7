# inkroom: `make run` serves the app on SQLite; `make test` runs every check and test.
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATABASE ?= inkroom.db

.PHONY: setup run test check chromium services screenshots

setup: $(VENV)/.installed frontend/node_modules/.package-lock.json bench/node/node_modules/.package-lock.json

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

# The fan-out benchmark's load driver (bench/fanout.py runs it).
bench/node/node_modules/.package-lock.json: bench/node/package.json bench/node/package-lock.json
	cd bench/node && npm ci --no-audit --no-fund --loglevel=error

run: setup
	$(BIN)/inkroom serve --host $(HOST) --port $(PORT) --database $(DATABASE)

# Browser tests drive Debian's Chromium; install it when missing (needs root, as in CI).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

# Tests of several processes start their own PostgreSQL, Redis and nginx (the load balancer's
# example) from Debian's packages.
services:
	@{ ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v redis-server >/dev/null \
	   && { command -v nginx >/dev/null || test -x /usr/sbin/nginx; }; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql redis-server nginx; \
	  else echo "Tests need Debian's postgresql, redis-server and nginx: sudo apt-get install postgresql redis-server nginx" >&2; exit 1; fi; }

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd frontend && npm run --silent check

test: setup chromium services check
	cd frontend && npm test
	$(BIN)/pytest

# The README's screenshot and the user guide's pictures, taken from three browsers on a real server.
screenshots: setup chromium
	$(BIN)/python -m docs.screenshots
