# amvcoord — `make run` starts the app with demo data, `make test` runs the tests.
# Without DATABASE_URL / REDIS_URL everything runs on SQLite with in-process background jobs.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
MANAGE = $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
# Compile whichever catalogues exist: a checkout without locale/ (no translations yet) still runs.
MO_FILES = $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: run test lint messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable ".[dev]"
	touch $@

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	DEBUG=1 $(MANAGE) compilemessages --locale=$* --ignore=.venv --verbosity=0

run: export DEBUG ?= 1
# The demo has only made-up data: nobody is sent to two-factor set-up first unless you ask for it, e.g.
# TWO_FACTOR_REQUIRED_ROLES=admin,care_coordinator make run. Production requires it for these two roles.
run: export TWO_FACTOR_REQUIRED_ROLES ?=
run: $(VENV)/.installed $(MO_FILES)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "amvcoord: http://$(HOST) (demo logins: see README, password amvcoord-demo)"
	$(MANAGE) run_scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST)

test: $(VENV)/.installed $(MO_FILES)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

messages: $(VENV)/.installed
	DEBUG=1 $(MANAGE) makemessages --locale=en --ignore=.venv --ignore=bench --ignore=tests --no-obsolete

clean:
	rm -rf $(VENV) staticfiles
