# Two commands: `make run` serves the app with demo data, `make test` runs the whole suite.
# Both set everything up first on a fresh Debian machine.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test setup setup-test translations db lint format extract-messages clean

run: setup
	@./scripts/debian-packages.sh run
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "serving on http://$(HOST):$(PORT)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# Tests that start background jobs, run again through Redis and RQ workers when COMPETE_TEST_REDIS_URL is set.
JOB_TESTS := tests/services/test_jobs.py tests/services/test_job_workers.py tests/services/test_importing.py \
	tests/web/test_registration_screens.py

test: setup-test
	@./scripts/debian-packages.sh test
	$(BIN)/ruff check .
	@echo "== test suite on SQLite"
	env -u COMPETE_TEST_DATABASE_URL $(BIN)/pytest -m "not redis"
	@if [ -n "$$COMPETE_TEST_DATABASE_URL" ]; then \
		echo "== test suite again on $${COMPETE_TEST_DATABASE_URL%%://*} (browser and pure-rule tests ran above)"; \
		$(BIN)/pytest -m "not redis" --ignore=tests/browser --ignore=tests/rules; \
	fi
	@if [ -n "$$COMPETE_TEST_REDIS_URL" ]; then \
		echo "== background-job tests again, every job through Redis and RQ workers"; \
		COMPETE_TEST_JOBS_RUNNER=rq $(BIN)/pytest $(JOB_TESTS); \
	fi

setup: $(VENV)/.installed translations

setup-test: $(VENV)/.installed-dev translations

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d compete/translations

db: setup
	$(FLASK) db upgrade

# Refresh the message catalogue after changing user-facing text, then translate the new entries.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o compete/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i compete/translations/messages.pot -d compete/translations --no-fuzzy-matching

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
