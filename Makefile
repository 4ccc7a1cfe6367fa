# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Run apt-get as root directly, otherwise through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test lint format messages system-deps demo vendor-echarts worker beat bench serve

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed messages

# Debian packages the portal and its tests use: the Chromium the browser tests drive,
# gettext for translations, a CJK font for screenshots, and the TrueType Chinese font PDF reports embed.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$$missing fonts-wqy-zenhei"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

messages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v0 --ignore=.venv; \
	else echo "msgfmt not found: run 'make system-deps' for the Chinese/English translations"; fi

demo: setup
	$(PY) manage.py migrate -v0
	$(PY) manage.py load_demo

run: system-deps demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

# A real Celery worker and beat against CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and DATABASE_URL.
worker: setup
	@[ -n "$$CELERY_BROKER_URL" ] || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0"; exit 2; }
	$(VENV)/bin/celery -A deeds_portal worker -l info

beat: setup
	@[ -n "$$CELERY_BROKER_URL" ] || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0"; exit 2; }
	$(VENV)/bin/celery -A deeds_portal beat -l info -s var/celerybeat-schedule

# The production stack on this machine (deploy/serve.sh): collectstatic and migrate, then gunicorn
# (deploy/gunicorn.conf.py), a worker and beat with the production settings against DATABASE_URL and
# CELERY_BROKER_URL, over plain HTTP at http://$(HOST):$(PORT)/; Ctrl-C stops all three.
serve: setup
	GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} VENV=$(VENV) bash deploy/serve.sh

test: system-deps setup
	$(VENV)/bin/pytest

# Every benchmark in bench/ (files starting with _ are their helpers), on the local PostgreSQL
# (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/deeds_bench; bench/dashboard.py uses its own
# deeds_bench_dashboard, generated once with 2,000,000 items); each prints its figures.
bench: setup
	@status=0; for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

ECHARTS_VERSION ?= 6.1.0
# Refresh the vendored ECharts from its npm package (the portal never loads it from a CDN).
vendor-echarts:
	tmp=$$(mktemp -d) && cd $$tmp && npm pack -q echarts@$(ECHARTS_VERSION) >/dev/null && tar xzf echarts-$(ECHARTS_VERSION).tgz && \
	cp package/dist/echarts.min.js package/LICENSE $(CURDIR)/static/vendor/echarts/ && \
	echo "echarts $(ECHARTS_VERSION) (npm package, dist/echarts.min.js)" > $(CURDIR)/static/vendor/echarts/VERSION
