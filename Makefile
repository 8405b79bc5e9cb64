# Developer and CI entry points. Every target is idempotent and quick once the
# machine is set up: the virtualenv is created once, Python packages are
# reinstalled only when pyproject.toml's content changes, Debian packages only
# when one is missing.
#
#   make setup   virtualenv + Python and Debian packages + database migrations
#   make run     setup, demo catalog and accounts, development server on :8000
#   make test    setup, then pytest (extra arguments: make test PYTEST_ARGS="-k deal -x")
#   make lint    ruff check
#
# Settings come from the environment (exchange/settings.py): with nothing set
# the project uses SQLite under ./data and runs Celery tasks eagerly.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON_BOOTSTRAP ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

# Installed on its own before the project: it resolves to the machine's local
# CPU wheel, whereas letting sentence-transformers pull "torch" would fetch
# the newest release with several GB of CUDA libraries.
TORCH_SPEC := torch==2.13.0

# Debian packages the project needs at run time, installed when missing and
# when running as root.
# fonts-nanum: Korean glyphs for the licensing PDFs.
# chromium, fonts-noto-cjk: the browser the end-to-end tests drive (tests/browser/,
# Playwright with /usr/bin/chromium) and the Korean font its pages render with.
# gettext: tests/test_translations.py re-extracts the catalog with xgettext.
APT_PACKAGES := fonts-nanum chromium fonts-noto-cjk gettext

PYTEST_ARGS ?=
RUNSERVER_ADDR ?= 127.0.0.1:8000

# The stamp's name carries a hash of pyproject.toml, so editing the file (not
# merely touching it, as a checkout does) triggers exactly one reinstall.
PYPROJECT_HASH := $(shell sha256sum pyproject.toml | cut -c1-16)
INSTALL_STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)

.PHONY: help setup run test lint python-packages system-packages migrate

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

setup: system-packages python-packages migrate

python-packages: $(INSTALL_STAMP)

$(PY):
	$(PYTHON_BOOTSTRAP) -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(PY)
	$(PIP) install "$(TORCH_SPEC)"
	$(PIP) install -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

system-packages:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "make: warning: missing Debian packages:$$missing (install them as root)" >&2; \
	  exit 0; \
	fi; \
	echo "Installing Debian packages:$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q; \
	apt-get install -y -q --no-install-recommends $$missing

migrate: python-packages
	$(PY) manage.py migrate --noinput

run: setup
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(RUNSERVER_ADDR)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: python-packages
	$(VENV)/bin/ruff check .
