"""Tests that need a real service skip when it is missing, or fail when REQUIRE_SERVICES=1 (CI)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(why: str) -> None:
    """Fail under REQUIRE_SERVICES, skip otherwise."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {why}", pytrace=False)
    pytest.skip(why)


def require_postgres() -> None:
    """Tests of PostgreSQL behaviour run only when the suite runs there (DATABASE_URL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis(database: int = 15) -> str:
    """A Redis URL of the tests' own database number, emptied; missing Redis skips or fails."""
    import redis

    url = f"{os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379')}/{database}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
    except redis.exceptions.ConnectionError as error:
        service_missing(f"needs Redis at {url}: {error}")
    return url


def database_url() -> str:
    """The test database itself, for a process a test starts (a worker) to read and write what the test sees."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def celery_process(
    *arguments: str, broker: str, media_root: Path, environment: dict[str, str] | None = None
) -> subprocess.Popen:
    """`python <arguments>` (e.g. `-m celery -A deeds_portal worker`) against the test's database, its media
    folder and `broker`, tasks going to workers (not run in-process); its output is kept for `process_stop`."""
    from django.conf import settings

    return subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, *arguments],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "deeds_portal.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(media_root),
            **(environment or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# A worker that starts fast: one process, no waiting for other workers, no events.
WORKER_ARGUMENTS = ("--pool=solo", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat")


def process_stop(process: subprocess.Popen) -> str:
    """Stop a process a test started (if it still runs) and give its output, for the report of a failed test."""
    if process.poll() is None:
        process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def celery_client(broker: str):
    """A Celery client of `broker` to send tasks by name, its queue emptied first: messages another run left in
    the tests' Redis database (an interrupted run, a test that sent and stopped) would reach the test's worker too."""
    from celery import Celery

    client = Celery(broker=broker, set_as_current=False)  # the project's app stays the current one
    client.control.purge()
    with client.connection_for_write() as connection:
        assert connection.default_channel.client.llen("celery") == 0
    return client
