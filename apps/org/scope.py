"""Who reaches which unit: the one scoping rule of the portal.

A user reaches their own unit and every unit below it; system administrators reach every unit; a user
with no unit, or not logged in, reaches none. Every `visible_to` queryset method and every permission
check of a unit goes through here (NetBox's `RestrictedQuerySet.restrict` plays the same part).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet

from apps.core.generations import UNITS, cached_with_generations
from apps.org.paths import path_upper_bound, subtree_q

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.org.models import Unit

RowsT = TypeVar("RowsT", bound=QuerySet)


def user_reaches(user: User, unit: Unit) -> bool:
    """May `user` act in `unit` at all: is it their unit, a unit below it, or do they reach everything?"""
    if not user.is_authenticated:
        return False
    # Their own subtree first: most checks land there, and whether they reach everything needs their roles read.
    if user.unit_id is not None and unit.is_within(user.unit):
        return True
    return user.sees_everything


def in_reach_of(queryset: RowsT, user: User, *path_fields: str) -> RowsT:
    """The rows of `queryset` tied to a unit the user reaches through any of `path_fields` (unit paths)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_everything:
        return queryset
    if user.unit_id is None:
        return queryset.none()
    reached = Q()
    for field in path_fields:
        reached |= subtree_q(user.unit.path, field)
    return queryset.filter(reached)


# How many unit ids a reach condition may list. A subtree at most this big is listed as it is; a subtree
# holding all but at most this many units is listed by the units outside it. PostgreSQL then knows how many
# rows the condition keeps, from the statistics of the indexed unit columns, and picks the plan that fits:
# a few index scans for a small subtree, a walk in the list's order for a big one.
REACH_LIST_LIMIT = 2000


@dataclass(frozen=True)
class SubtreeUnits:
    """The units of a subtree as ids: `inside` when few enough to list, else `outside` (every other unit) when
    those are; neither for a big tree cut near its middle."""

    path: str
    inside: list[int] | None = None
    outside: list[int] | None = None


def subtree_units(path: str) -> SubtreeUnits:
    """The ids that say which units lie in the subtree rooted at `path`.

    Every scoped list reads them, so they are kept with the unit tree (see _kept_with_the_tree): a province's 2,001
    ids are one query and 2 ms of Python a request otherwise.
    """
    return _kept_with_the_tree(f"subtree-units:{path}", lambda: _subtree_units_read(path))


# The largest id a unit can have (a bigint): a bigger number names no unit, and is no database error.
LARGEST_UNIT_ID = 2**63 - 1


def unit_by_id(value: object) -> Unit | None:
    """The unit of id `value` (as a filter or a form sends it: a number or its digits), None when there is none;
    kept with the unit tree (see _kept_with_the_tree)."""
    from apps.org.models import Unit  # the models module imports this one

    text = str(value)
    if not text.isdigit() or int(text) > LARGEST_UNIT_ID:
        return None
    pk = int(text)
    return _kept_with_the_tree(f"unit:{pk}", lambda: Unit.objects.filter(pk=pk).first())


T = TypeVar("T")


def _kept_with_the_tree(name: str, read: Callable[[], T]) -> T:
    """What `read` gives, kept in the shared cache with the units' generation, which every change of the tree
    bumps (UNIT_TREE_CACHE_SECONDS; read each time when that is 0, as without a shared cache)."""
    seconds = settings.UNIT_TREE_CACHE_SECONDS
    if not seconds:
        return read()
    return cached_with_generations(name, (UNITS,), read, seconds)


def _subtree_units_read(path: str) -> SubtreeUnits:
    """subtree_units from the database: one query, two for a big subtree."""
    from apps.org.models import Unit  # the models module imports this one

    inside = list(Unit.objects.filter(subtree_q(path)).order_by().values_list("pk", flat=True)[: REACH_LIST_LIMIT + 1])
    if len(inside) <= REACH_LIST_LIMIT:
        return SubtreeUnits(path, inside=inside)
    # Before the subtree or after it: two ranges of the path index (a big subtree leaves few units outside).
    before_or_after = Q(path__lt=path) | Q(path__gte=path_upper_bound(path))
    outside = list(Unit.objects.filter(before_or_after).order_by().values_list("pk", flat=True)[: REACH_LIST_LIMIT + 1])
    if len(outside) <= REACH_LIST_LIMIT:
        return SubtreeUnits(path, outside=outside)
    return SubtreeUnits(path)


def in_reach_through_units(queryset: RowsT, user: User, *unit_fields: str) -> RowsT:
    """The rows of `queryset` tied to a unit the user reaches through any of `unit_fields` (units, never null).

    The same rule as `in_reach_of`, as a condition on the rows' own unit ids, so no join to the unit table:
    the indexes on those columns serve it (for two fields, a union of two index scans).
    """
    if not user.is_authenticated:
        return queryset.none()
    units = subtree_units(user.unit.path) if user.unit_id is not None else None
    if units is not None and units.outside == []:
        return queryset  # the subtree is every unit there is: whoever the user is, nothing is left out
    if user.sees_everything:
        return queryset
    if units is None:
        return queryset.none()
    return queryset.filter(subtree_units_q(units, *unit_fields))


def subtree_units_q(units: SubtreeUnits, *unit_fields: str) -> Q:
    """Rows whose unit in any of `unit_fields` lies in the subtree `units`, by unit ids.

    The fields must never be null: a big subtree is written as "not every one of them outside it".
    """
    from apps.org.models import Unit  # the models module imports this one

    if units.inside is not None:
        return _any_of(unit_fields, units.inside)
    if units.outside is not None:
        if not units.outside:
            return Q()  # the subtree is every unit there is
        every_outside = Q()
        for field in unit_fields:
            every_outside &= Q(**{f"{field}__in": units.outside})
        return ~every_outside
    # Both sides too big to list (a tree of many thousands of units, cut near its middle): a subquery.
    return _any_of(unit_fields, Unit.objects.filter(subtree_q(units.path)).values("pk"))


def _any_of(unit_fields: tuple[str, ...], units: object) -> Q:
    reached = Q()
    for field in unit_fields:
        reached |= Q(**{f"{field}__in": units})
    return reached
