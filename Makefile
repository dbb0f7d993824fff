# The single entry point: `make run` serves the product with demo data, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
DEMO_ORDERS ?= 2000
# pytest-xdist workers for `make test` (`auto`: one per CPU core; `0` runs in one process).
TEST_WORKERS ?= auto

.PHONY: run test lint bench install install-test browser migrate demo messages clean

$(VENV)/.installed: requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/base.txt
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed
	$(PIP) install -q -r requirements/test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Debian's chromium for the browser tests (installed once, when missing).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages -v0 --ignore=$(VENV) 2>/dev/null || true

demo: migrate
	$(PY) manage.py seed_demo --orders $(DEMO_ORDERS) --if-empty

run: demo
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py demo_logins
	@echo "Serving on http://$(HOST):$(PORT)/ (background jobs: huey consumer)"
	$(PY) manage.py run_huey -q & HUEY_PID=$$!; trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi -w $(WORKERS) -b $(HOST):$(PORT) --access-logfile - --timeout 60

test: install-test browser
	$(PY) manage.py compilemessages -v0 --ignore=$(VENV) 2>/dev/null || true
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache  # the layers contract (pyproject.toml, docs/architecture.md)

messages: install-test
	$(PY) manage.py makemessages -l zh_Hans --ignore=$(VENV) --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=$(VENV)

bench: install-test
	bash bench/run.sh

clean:
	rm -rf $(VENV) var
