# Kyodo — the two commands: `make demo` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Tests run on PostgreSQL and Redis; these are the local defaults, override them as you like.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kyodo
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install machine demo stop test test-fast bench restore-check fuzz lint messages catalog clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,demo]"
	$(MAKE) messages
	touch $(STAMP)

messages: | $(VENV)
	cd config && KYODO_ROLE=node SECRET_KEY=build ALLOWED_HOSTS=localhost ../$(BIN)/django-admin compilemessages --ignore=.venv > /dev/null

# The English catalog: every app's strings collected into config/locale (from the root, through
# LOCALE_PATHS), then compiled. Translate what comes back empty or fuzzy: tests/test_messages.py fails
# until none is left (it runs the same makemessages over a copy of the tree). PYTHONPATH: reached only
# through the editable install, makemessages collected the strings of config/ alone (seen 2026-12-02).
catalog: | $(VENV)
	PYTHONPATH=$(CURDIR) KYODO_ROLE=node SECRET_KEY=build ALLOWED_HOSTS=localhost $(BIN)/django-admin makemessages -l en \
	  --settings=config.settings --ignore=.venv --ignore=tests --ignore=var --ignore=test-artifacts \
	  --ignore='*.egg-info' --ignore=build --ignore=staticfiles
	$(MAKE) messages

demo: install
	$(BIN)/kyodo demo up

stop:
	$(BIN)/kyodo demo down

# One pytest process per role: the role decides which apps (and tables) exist.
TEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)}

# Chromium, CJK fonts and gettext: installed when missing (as root), or one line naming the command.
machine:
	@bash deploy/setup-machine.sh

# --durations: the slowest tests named at the end, to keep the whole suite's time in view.
# Two workers when a second PostgreSQL cluster can run (deploy/test-workers.sh); `python -m` puts the
# checkout on sys.path so that `-p tests.parallel` imports.
test: machine install
	$(TEST_ENV) KYODO_ROLE=hub $(BIN)/python -m pytest tests/hub $$(bash deploy/test-workers.sh "$${DATABASE_URL:-$(TEST_DATABASE_URL)}") \
	  --durations=10 $(PYTEST_ARGS)
	$(TEST_ENV) KYODO_ROLE=node $(BIN)/python -m pytest $$(bash deploy/test-workers.sh "$${DATABASE_URL:-$(TEST_DATABASE_URL)}") \
	  --durations=25 $(PYTEST_ARGS)

test-fast:
	@bash deploy/setup-machine.sh --no-browser
	$(MAKE) install
	$(TEST_ENV) KYODO_ROLE=hub $(BIN)/pytest tests/hub $(PYTEST_ARGS)
	$(TEST_ENV) KYODO_ROLE=node $(BIN)/pytest -m "not browser and not federation" $(PYTEST_ARGS)

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/python -m tests.bench.run
	$(TEST_ENV) KYODO_ROLE=node KYODO_BACKLOG_TEST_CHANGES=5000 $(BIN)/pytest -q $(PYTEST_ARGS) \
	  tests/federation/test_sync_federation.py -k backlog_drains
	$(TEST_ENV) KYODO_ROLE=node KYODO_NATIONAL_OUTAGE_CHANGES=5000 $(BIN)/pytest -q $(PYTEST_ARGS) \
	  tests/federation/test_national_outage_federation.py
	$(MAKE) restore-check

# Backups that restore into a consistent federation, at the size of issue 14: a node restored from a
# backup 1,000 changes old, the hub from one 1,000 batches old (make test runs the same at 100).
restore-check: install
	$(TEST_ENV) KYODO_ROLE=node KYODO_RESTORE_TEST_CHANGES=1000 $(BIN)/pytest tests/federation/test_restore_federation.py \
	  -q $(PYTEST_ARGS)

# Schemathesis against each role's own /api/schema/ (tests/fuzz): at least 1,000 generated requests per
# role (a node's four, the hub's two), none answered ≥ 500 or outside the schema; the figures go to
# bench-results.jsonl (fuzz.requests.*, fuzz.server_errors.*, fuzz.schema_violations.*). `make test`
# runs the same tests as a smoke of a few dozen requests per role.
fuzz: install
	$(TEST_ENV) KYODO_FUZZ_FULL=1 KYODO_ROLE=node $(BIN)/pytest tests/fuzz -q $(PYTEST_ARGS)
	$(TEST_ENV) KYODO_FUZZ_FULL=1 KYODO_ROLE=hub $(BIN)/pytest tests/hub/test_api_fuzz.py -q $(PYTEST_ARGS)

# ruff, then the dependency rule (import-linter contracts in pyproject.toml, imports inside functions counted).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var test-artifacts
