"""Who reaches which unit: the one scoping rule of the portal.

A user reaches their own unit and every unit below it; system administrators reach every unit; a user
with no unit, or not logged in, reaches none. Every `visible_to` queryset method and every permission
check of a unit goes through here (NetBox's `RestrictedQuerySet.restrict` plays the same part).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Q, QuerySet

from apps.org.paths import subtree_q

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.org.models import Unit

RowsT = TypeVar("RowsT", bound=QuerySet)


def user_reaches(user: User, unit: Unit) -> bool:
    """May `user` act in `unit` at all: is it their unit, a unit below it, or do they reach everything?"""
    if not user.is_authenticated:
        return False
    if user.sees_everything:
        return True
    return user.unit_id is not None and unit.is_within(user.unit)


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
