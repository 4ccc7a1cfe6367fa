"""Tests that need a real service skip when it is missing, or fail when REQUIRE_SERVICES=1 (CI)."""

import os

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
