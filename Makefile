# FitMyCV developer commands. `make run` and `make test` work on a fresh checkout with only
# Python 3.11+ installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-slow lint format bench worker clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Migrate, seed (with the demo accounts), then serve the app with a Celery worker beside it.
run: $(VENV)/.installed
	$(BIN)/python manage.py setup --demo
	@mkdir -p var
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A fitmycv worker --beat --schedule var/celerybeat-schedule \
		--pool threads --concurrency 4 --queues default,llm,mail --loglevel INFO & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: $(VENV)/.installed
	$(BIN)/celery -A fitmycv worker --beat --schedule var/celerybeat-schedule \
		--pool threads --concurrency 4 --queues default,llm,mail --loglevel INFO

test: $(VENV)/.installed
	$(BIN)/pytest -m "not slow"

test-slow: $(VENV)/.installed
	$(BIN)/pytest -m slow

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var staticfiles
