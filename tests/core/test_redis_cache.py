"""The portal's Redis cache backend (apps/core/cache.py) against a real Redis: Django's operations, one client."""

from __future__ import annotations

from apps.core.cache import RedisCache
from tests.services import require_redis


def test_the_redis_cache_keeps_one_client_and_answers_every_operation() -> None:
    # given: the backend on the tests' own Redis database, and a second one, as another web node would have
    url = require_redis(database=11)
    cache, other_node = RedisCache(url, {}), RedisCache(url, {})

    # when: values are written, added, counted and read through one node
    cache.set("dashboard:1", {"planned": 3}, 60)
    assert cache.add("generation:items", 7, timeout=None)
    assert not cache.add("generation:items", 8, timeout=None)
    assert cache.incr("generation:items") == 8

    # then: the other node reads them, many at once too, and a deleted one is gone for both
    assert other_node.get("dashboard:1") == {"planned": 3}
    assert other_node.get_many(["generation:items", "dashboard:1", "missing"]) == {
        "generation:items": 8,
        "dashboard:1": {"planned": 3},
    }
    other_node.delete("dashboard:1")
    assert cache.get("dashboard:1") is None
    # and every read and write of a node went through one client of its pool
    clients = {id(cache._cache.get_client(write=True)), id(cache._cache.get_client())}
    assert len(clients) == 1
