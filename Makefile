# Retrace: the README's two commands are `make run` and `make test`.
# VENV may point outside the clone (CI keeps one per requirements hash).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)
HOST ?= 127.0.0.1
PORT ?= 8000

# The schema is written for production's database (PostgreSQL integer ranges) whatever this machine
# runs on; generating it opens no database connection.
SCHEMA_ENV := DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=postgres://schema@127.0.0.1:1/schema

.PHONY: install run test lint typecheck schema bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Copying the weights needs no database: the test settings' own key lets it run whatever DATABASE_URL says
# (the local settings refuse the public key off the embedded default).
install: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py install_face_weights

# Embedded default: SQLite, local media and a filesystem broker under var/; web and worker together.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py seed_demo --base-url http://$(HOST):$(PORT)/
	VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) ./deploy/run-embedded.sh

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	@mkdir -p var
	$(SCHEMA_ENV) $(PY) manage.py spectacular --file var/openapi.check.yaml --validate --fail-on-warn
	diff -u openapi.yaml var/openapi.check.yaml || (echo "openapi.yaml is stale: run 'make schema'" && exit 1)

# mypy with the django-stubs and djangorestframework-stubs plugins on the services, selectors, events,
# hand-offs and the matching with its engine (pyproject.toml [tool.mypy] lists the files).
typecheck: $(STAMP)
	$(PY) -m mypy

# The labelled face photographs live beside the clone (../shared), never in it. Without them the
# real-model tests are skipped (CI=true fails them instead), and the code only they reach is not
# covered: the coverage floor is 90% with them, 80% without.
FACES_DIR ?= $(or $(RETRACE_FACES_DIR),../shared/datasets/faces)
COVERAGE_MIN := $(if $(wildcard $(FACES_DIR)/master.csv),90,80)

test: install lint typecheck
	@test -f $(FACES_DIR)/master.csv || echo "make test: no face dataset at $(FACES_DIR): real-model tests will be skipped (set RETRACE_FACES_DIR)"
	RETRACE_FACES_DIR=$(abspath $(FACES_DIR)) $(PY) -m pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_MIN) $(PYTEST_ARGS)

schema: $(STAMP)
	$(SCHEMA_ENV) $(PY) manage.py spectacular --file openapi.yaml --validate --fail-on-warn

bench: install
	$(PY) -m bench

clean:
	rm -rf var/broker var/test-*
