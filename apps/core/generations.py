"""Generations: a number per kind of shared data, bumped whenever that data changes, so that a read cached under
a key holding the numbers is never stale: a change makes a new key, and the old entry is never read again.

The numbers live in the cache, shared by every web node and worker when CACHE_URL is set (in each process's memory
otherwise: then only a single process may cache by them). A bump happens when the data is written and again
once the writing transaction commits, so what a reader cached in between is never read again. A number the
cache lost (evicted, restarted) starts again from a random one, so an old key does not come back.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

# The kinds of data the dashboards' figures are read from.
ITEMS = "items"  # work items and their rollup counters (every item write passes items/counters/writes.py)
NOTICES = "notices"  # supervision notices and their steps
REQUESTS = "requests"  # citizens' requests and their steps
UNITS = "units"  # the unit tree: names, codes, new units

T = TypeVar("T")


def _key(name: str) -> str:
    return f"generation:{name}"


def _fresh() -> int:
    return secrets.randbelow(2**40)


def generations(*names: str) -> tuple[int, ...]:
    """The current number of each kind of data, in one cache round trip."""
    found = cache.get_many([_key(name) for name in names])
    numbers = []
    for name in names:
        number = found.get(_key(name))
        if number is None:
            cache.add(_key(name), _fresh(), timeout=None)
            number = cache.get(_key(name))
        numbers.append(number)
    return tuple(numbers)


def cached_with_generations(key: str, names: tuple[str, ...], read: Callable[[], T], seconds: int) -> T:
    """What `read` gives, cached `seconds` under `key` together with the numbers of `names` it was read at.

    The entry and the current numbers come in one round trip; an entry kept at other numbers is read again (and
    replaces it). The numbers are taken before reading, so what was read while a change was being written is
    kept at numbers that change once more when it commits, and is not read again.
    """
    keys = [_key(name) for name in names]
    found = cache.get_many([key, *keys])
    if all(name_key in found for name_key in keys):
        numbers = tuple(found[name_key] for name_key in keys)
    else:
        numbers = generations(*names)
    entry = found.get(key)
    if entry is not None and entry[0] == numbers:
        return entry[1]
    value = read()
    cache.set(key, (numbers, value), seconds)
    return value


def generation_bump(name: str) -> None:
    """Give the kind of data a new number now, and again once the current transaction commits.

    The second number is the one that matters: a reader that cached data of before the commit under the first
    number is not read again. The first makes a transaction see its own changes (and a test, which never commits).
    """

    def bump() -> None:
        try:
            cache.incr(_key(name))
        except ValueError:  # not in the cache (yet, or any more)
            cache.set(_key(name), _fresh(), timeout=None)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)
