# FitMyCV developer commands. `make run` and `make test` work on a fresh checkout with only
# Python 3.11+ installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The lock compiler; keep in step with requirements-dev.in.
UV_VERSION := 0.13.9
# --universal: one lock for every OS and Python 3.11+; --generate-hashes: every file of every
# pinned version is hashed, so `pip install --require-hashes` refuses anything else.
COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"

.PHONY: run test test-slow screenshots lint typecheck format bench eval worker lock check-lock clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Migrate, seed (with the demo accounts), then serve the app with a Celery worker beside it
# (scripts/run-dev.sh). Links in e-mails point at the address served unless SITE_ROOT is set.
run: export SITE_ROOT ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/python manage.py setup --demo
	@mkdir -p var
	@BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) exec scripts/run-dev.sh

worker: $(VENV)/.installed
	$(BIN)/celery -A fitmycv worker --beat --schedule var/celerybeat-schedule \
		--pool threads --concurrency 4 --queues default,llm,mail --loglevel INFO

test: $(VENV)/.installed
	$(BIN)/pytest -m "not slow"

test-slow: $(VENV)/.installed
	$(BIN)/pytest -m slow

# Every main page at 1280x800 and 390x844 into docs/screenshots/<page>-<width>.png (the layout
# and accessibility browser test, which also saves what it checks).
screenshots: $(VENV)/.installed
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -p no:randomly \
		fitmycv/tests/test_browser_layout.py::test_every_main_page_fits_is_accessible_and_uncovered

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy: core, jobs, ai and billing strict; every other file at most at its count in
# mypy-baseline.json, which only shrinks (scripts/mypy_baseline.py --update after a fix).
typecheck: $(VENV)/.installed
	$(BIN)/python scripts/mypy_baseline.py

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The AI features measured on the evaluation set (eval/) with the offline engine; fails when a
# figure misses its threshold (ai/evaluation/report.py). The AI calls are accounted in the
# database, hence the migration. `make eval EVAL_ARGS="--engine openai"` compares a model.
eval: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BIN)/python manage.py evaluate --check $(EVAL_ARGS)

# Recompile both locks from the .in files. The current locks are the compiler's starting point,
# so only what the .in files changed moves: `make lock LOCK_ARGS="--upgrade-package celery"`
# moves one more package.
lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(COMPILE) $(LOCK_ARGS) requirements.in -o requirements.txt
	$(COMPILE) $(LOCK_ARGS) requirements-dev.in -o requirements-dev.txt

# Fails when a lock no longer matches its .in file. Reads the package index, as `make lock` does.
check-lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp requirements.txt requirements-dev.txt "$$tmp" && \
	$(COMPILE) requirements.in -o "$$tmp/requirements.txt" && \
	$(COMPILE) requirements-dev.in -o "$$tmp/requirements-dev.txt" && \
	diff -u requirements.txt "$$tmp/requirements.txt" && \
	diff -u requirements-dev.txt "$$tmp/requirements-dev.txt" || \
	{ echo "A lock is stale: run make lock and commit the result."; exit 1; }

clean:
	rm -rf var staticfiles
