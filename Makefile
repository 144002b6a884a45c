# Newsdesk. `make run` starts the embedded default; `make test` runs the whole suite on
# PostgreSQL, Redis and a real Celery worker.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
HOST ?= 127.0.0.1
PORT ?= 8000
# Every target here is development: a process not told so runs as production
# (newsdesk/settings.py), which needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
export DJANGO_ENV ?= development

# The real stack the suite runs on. Override either to point at other servers.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsdesk
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: install install-dev migrate run demo worker test test-fast bench eval cues speakers lint format services clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: requirements.txt scripts/vendor_static.py | $(PY)
	$(PIP) install -r requirements.txt
	$(PY) scripts/vendor_static.py
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# With DATABASE_URL empty, scripts/run.py starts the embedded PostgreSQL under var/ for the
# command and stops it after (or uses the one `make run` keeps up).
migrate: install
	$(PY) scripts/run.py -- $(PY) manage.py migrate --noinput

# The embedded PostgreSQL (or DATABASE_URL's), the migrations, the demo logins, then the web
# server and a real Celery worker side by side on the filesystem broker under var/ (or
# CELERY_BROKER_URL's). Ctrl-C or SIGTERM to make stops web, worker and database. `exec`
# makes the supervisor make's own child, so the SIGTERM that make passes on reaches it.
run: install
	@exec $(PY) scripts/run.py --host $(HOST) --port $(PORT)

# Import any folder, zip or file into the embedded default (no worker needed), with the
# demo logins if they are missing: make demo CORPUS=../shared/corpus/seeds
CORPUS ?= samples
demo: migrate
	$(PY) scripts/run.py -- $(PY) manage.py demo $(CORPUS)

worker: install
	$(VENV)/bin/celery -A newsdesk worker --loglevel=INFO

# Starts PostgreSQL and Redis when they are down, with the machine's own commands.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  echo "starting Redis"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }
	@pg_isready -h 127.0.0.1 -p 5432
	@redis-cli -h 127.0.0.1 -p 6379 ping

# The browser tests drive Debian's Chromium (tests/conftest.py; never `playwright install`).
# Root gets it installed; anyone else is told the one command to run, before any test runs.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,$(error The browser tests need Chromium: run `sudo apt-get install -y chromium`, then make test again))
	@echo "installing Debian's chromium for the browser tests"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# A queue of its own per run, so that no other worker on the same Redis takes its tasks.
test: $(CHROMIUM) install-dev services
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  CELERY_TASK_DEFAULT_QUEUE=newsdesk-test-$$$$ NEWSDESK_REQUIRE_REAL_STACK=1 \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

# The fast path: the same tests but the slow ones, on a throwaway embedded PostgreSQL that
# the suite starts itself (tests/conftest.py), with no server to run. Not the proof;
# `make test` is.
test-fast: install-dev
	DATABASE_URL= CELERY_BROKER_URL= $(VENV)/bin/pytest -m "not slow" $(PYTEST_ARGS)

# Benchmarks: results are written under var/bench/ and bench/results/ and printed; never
# timed in the suite.
bench: install-dev services
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m tests.benchmarks.bench_spans
	TEST_BROKER_URL=$(TEST_BROKER_URL) $(PY) -m tests.benchmarks.bench_ingest
	$(PY) -m tests.benchmarks.bench_extract
	$(PY) -m tests.benchmarks.bench_api
	$(PY) -m tests.benchmarks.bench_list
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m tests.benchmarks.bench_agreement
	$(PY) -m tests.benchmarks.bench_analysis
	TEST_BROKER_URL=$(TEST_BROKER_URL) $(PY) -m tests.benchmarks.bench_upload

# Quote attribution against PolNeAR dev gold (../shared/tools/score_quotes.py at 0.3 and
# 0.8): bench/results/quotes_dev.json. Figures to report, not a pass/fail test.
# eval_stories also imports FNC-1 through the import service, on a scratch database of
# the test server's (its name + "_eval_stories").
eval: install-dev services
	$(PY) -m tests.benchmarks.eval_quotes --split dev
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m tests.benchmarks.eval_stories
	$(PY) -m tests.benchmarks.eval_identities --split dev
	$(PY) -m tests.benchmarks.eval_chrome
	$(PY) -m tests.benchmarks.eval_stances

# Relearn the cue lexicon (articles/nlp/data/cues.txt) from PolNeAR train.
cues: install
	$(PY) -m articles.nlp.learn_cues ../shared/corpus/polnear/train

# Relearn the speaker choice's weights (articles/nlp/data/speakers.json) from PolNeAR
# train, after the cues (the candidates' features read the cue lexicon).
speakers: install
	$(PY) -m articles.nlp.learn_speakers ../shared/corpus/polnear/train --folds 5

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
