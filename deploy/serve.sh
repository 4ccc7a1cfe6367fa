#!/usr/bin/env bash
# `make serve`: the production stack on this machine, for a realistic local try: gunicorn with
# deploy/gunicorn.conf.py, a Celery worker and Celery beat, with the production settings against DATABASE_URL
# and CELERY_BROKER_URL. Ctrl-C stops all three. Over plain HTTP (SECURE_SSL_REDIRECT off unless set): a real
# installation puts the TLS proxy in front (docs/deploying.md).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
missing=""
[ -n "${DATABASE_URL:-}" ] || missing="$missing DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/deeds)"
[ -n "${CELERY_BROKER_URL:-}" ] || missing="$missing CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)"
if [ -n "$missing" ]; then
	echo "make serve runs the production stack against a real database and broker; set:$missing" >&2
	exit 2
fi

export DJANGO_SETTINGS_MODULE=deeds_portal.settings.production
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:8000}
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}
mkdir -p var
if [ -z "${SECRET_KEY:-}" ]; then
	# A key of this checkout's own, kept in var/ (never committed), so sign-ins survive a restart.
	[ -s var/serve-secret-key ] || (umask 077 && "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(64))" >var/serve-secret-key)
	SECRET_KEY=$(cat var/serve-secret-key)
	export SECRET_KEY
fi

"$VENV/bin/python" manage.py collectstatic --noinput -v0
"$VENV/bin/python" manage.py migrate --noinput -v0

pids=()
stopping=""
stop() {
	[ -z "$stopping" ] || return 0
	stopping=1
	echo "Stopping gunicorn, the worker and beat…"
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	wait
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

"$VENV/bin/gunicorn" -c deploy/gunicorn.conf.py &
pids+=($!)
"$VENV/bin/celery" -A deeds_portal worker -l info &
pids+=($!)
"$VENV/bin/celery" -A deeds_portal beat -l info -s var/serve-celerybeat-schedule &
pids+=($!)

echo "Serving the portal at http://$GUNICORN_BIND/ (health: http://$GUNICORN_BIND/health/); Ctrl-C stops it."
# When one of the three stops on its own, stop the others too (the trap on EXIT).
wait -n
