# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install lint migrate seed worker serve messages clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, load the demo, start the worker and the web server.
run: install migrate seed
	@echo "Open Dialogue at http://$(HOST):$(PORT)/ (demo logins in README.md); Ctrl-C stops both."
	@$(PY) manage.py run_huey & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

migrate: install
	$(PY) manage.py migrate --noinput

seed: install
	$(PY) manage.py seed_demo

## make test: install, lint, type-check, run the whole suite.
test: install lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run > /dev/null

## make messages: refresh the kk and ru catalogs after changing strings (needs gettext).
messages: install
	$(PY) manage.py makemessages -l kk -l ru --no-obsolete -i .venv -i staticfiles -i vendor_locale
	$(PY) manage.py compilemessages -i .venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
