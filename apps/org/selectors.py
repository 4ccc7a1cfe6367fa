"""Reads of the unit tree that depend on who asks."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, Value, When

from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH

if TYPE_CHECKING:
    from apps.accounts.models import User


@dataclass(frozen=True)
class UnitMatch:
    """A unit the picker offers, with the names from the top of the user's reach down to it."""

    pk: int
    name: str
    code: str
    level: str
    path: list[str]


def unit_path_ids(path: str) -> list[int]:
    """The ids of a unit's ancestors and its own, from the root down, read from its materialized path."""
    return [int(path[start : start + PATH_SEGMENT_WIDTH]) for start in range(0, len(path), PATH_SEGMENT_WIDTH)]


def unit_search(*, user: User, text: str, limit: int) -> tuple[list[UnitMatch], bool]:
    """Units the user reaches whose name or code holds `text`, best first; and whether more matched than `limit`.

    Exact names and codes come first, then names starting with the text, then shallower units, then tree order.
    Without text: the top of the user's reach and the level below it, in tree order. Paths name only units the
    user reaches, never the ancestors above their own unit.
    """
    reached = Unit.objects.visible_to(user)
    text = unicodedata.normalize("NFKC", text).strip()
    if text:
        # Text without upper or lower case (Chinese) is matched as it is: upper-casing every name costs a third more.
        in_name = Q(name__icontains=text) if text.lower() != text.upper() else Q(name__contains=text)
        matches = reached.filter(in_name | Q(code__istartswith=text)).annotate(
            rank=Case(
                When(Q(name=text) | Q(code__iexact=text), then=Value(0)),
                When(name__startswith=text, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        matches = matches.order_by("rank", "depth", "path")
    else:
        # A parent's path sorts before its children's: the first unit in path order is at the top of the reach.
        top = reached.order_by("path").values_list("depth", flat=True).first() or 0
        matches = reached.filter(depth__lte=top + 1).order_by("path")
    rows = list(matches.only("pk", "name", "code", "level", "path")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    above = {pk for row in rows for pk in unit_path_ids(row.path)[:-1]}
    names = dict(reached.filter(pk__in=above).values_list("pk", "name")) if above else {}
    return [
        UnitMatch(
            pk=row.pk,
            name=row.name,
            code=row.code,
            level=row.level,
            path=[names[pk] for pk in unit_path_ids(row.path)[:-1] if pk in names] + [row.name],
        )
        for row in rows
    ], more


def unit_path_label(*, user: User, unit: Unit, separator: str = " › ") -> str:
    """The names from the top of the user's reach down to `unit`, joined: 昆明市 › 五华区 › 华山街道."""
    ids = unit_path_ids(unit.path)[:-1]
    names = dict(Unit.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return separator.join([names[pk] for pk in ids if pk in names] + [unit.name])
