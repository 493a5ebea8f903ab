# The two commands the README opens with: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=true
# Every queue the dashboard's jobs use (a worker serves only the queues it is told).
WORKER_QUEUES := default,transcripts
# Asked twice, a worker stops at once and puts the job it was doing back in the queue (asked
# once, it would finish the call it is transcribing first). The periodic read of the newest
# calls stops when asked once.
WORKER_STOP := kill $$worker $$poll 2>/dev/null; sleep 0.5; kill $$worker 2>/dev/null; \
	wait $$worker $$poll

.PHONY: run serve test lint install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,transcribe]'
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py sandbox_demo_account
	@# The jobs' worker and the periodic read of the newest calls (django-tasks has no
	@# scheduler) run beside the server, reaching the sandbox where it listens; Ctrl-C (or the
	@# server stopping) stops them too.
	$(DEV_ENV) GETBILL_SANDBOX_ORIGIN=http://127.0.0.1:$(PORT) \
		$(BIN)/python manage.py db_worker --no-reload --queue-name $(WORKER_QUEUES) & worker=$$!; \
	$(DEV_ENV) GETBILL_SANDBOX_ORIGIN=http://127.0.0.1:$(PORT) \
		$(BIN)/python manage.py calls_poll & poll=$$!; \
	trap '$(WORKER_STOP)' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production mode (DEBUG off, collected static files, gunicorn's threaded workers) on the
# embedded default: SQLite, per-process cache, the sandbox. Plain http on loopback, so https
# redirects and Secure cookies are off; the secret key is made once and kept in .venv/.
SERVE_SECRET := $(VENV)/serve-secret-key
SERVE_ENV = DJANGO_DEBUG=false DJANGO_SECRET_KEY="$$(cat $(SERVE_SECRET))" \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false \
	DJANGO_SECURE_COOKIES=false GETBILL_SANDBOX=true \
	GETBILL_SANDBOX_ORIGIN=http://127.0.0.1:$(PORT)

$(SERVE_SECRET): | $(BIN)/python
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: install $(SERVE_SECRET)
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/python manage.py sandbox_demo_account
	$(SERVE_ENV) $(BIN)/python manage.py db_worker --queue-name $(WORKER_QUEUES) & worker=$$!; \
	$(SERVE_ENV) $(BIN)/python manage.py calls_poll & poll=$$!; \
	trap '$(WORKER_STOP)' EXIT INT TERM; \
	$(SERVE_ENV) $(BIN)/gunicorn --bind 127.0.0.1:$(PORT)

TEMPLATE_DIRS := templates followups/templates webhooks/templates

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint $(TEMPLATE_DIRS) --lint
	$(BIN)/djlint $(TEMPLATE_DIRS) --check
	$(DEV_ENV) $(BIN)/mypy .

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
