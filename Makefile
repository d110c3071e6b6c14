# Readiness: `make run` to try it, `make test` to check it. Both set up .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

export DJANGO_DEBUG ?= 1
# Links in mail and the printed public links point at this server.
export READINESS_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test test-fast install catalogues messages migrate lint format bench bench-http bench-load clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Python 3.11)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The Spanish catalogue of the public summary is compiled with polib (no GNU gettext needed).
catalogues: $(STAMP)
	$(BIN)/python manage.py compile_catalogues

# Update the Spanish catalogue from the public summary's sources only (needs GNU gettext). The
# staff pages' texts are marked for translation too, but English is their only language: taking
# them in would fill the catalogue with entries nobody translates.
STAFF_SOURCES := accounts agencies assessments audit evidence fastquery jurisdictions \
	notifications plans questionnaires readiness reports static 'templates/[!c]*' \
	templates/community/manage.html community/views.py community/forms.py community/services.py
messages: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l es --add-location=file \
		--ignore=.venv --ignore=tests --ignore=bench $(addprefix --ignore=,$(STAFF_SOURCES))

migrate: catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_questionnaire
	$(BIN)/python manage.py load_state_law

# The web server and one background worker (PDF reports), stopped together by Ctrl+C.
run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_summary
	@echo "Readiness is at http://127.0.0.1:$(PORT)/ with one worker for reports and mail (stop both with Ctrl+C)"
	@echo "Mail (invitations, password resets, notifications) is printed here by the worker, not sent."
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Every test, browsers included, with Hypothesis's full numbers (the ci profile), as CI runs it.
test: catalogues
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick check (about 40 s): no test marked slow (PDF rendering, fuzzing, browsers, ...), few
# Hypothesis examples (the dev profile), tables made from the models without running migrations.
test-fast: catalogues
	HYPOTHESIS_PROFILE=dev $(BIN)/python -m pytest -m "not slow" --no-migrations $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The load test needs PostgreSQL and runs for two minutes: `make bench-load`.
bench: $(STAMP)
	for script in bench/checklist.py bench/scoring.py bench/report.py bench/plan.py; do \
		$(BIN)/python $$script || exit 1; done

# Pages per second under gunicorn against /healthz, on SQLite and PostgreSQL; needs wrk.
bench-http: $(STAMP)
	$(BIN)/python bench/http_pages.py

bench-load: $(STAMP)
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
