"""The count in the top bar: what waits on the person and their unread notifications, kept for a minute.

Counting every section on every page would cost a dozen queries a page; the figure is kept in the cache for
BADGE_SECONDS per person (per web node with the default local-memory cache), and forgotten when the person
opens the inbox or reads notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache

from apps.notifications.inbox import inbox_total
from apps.notifications.models import Notification

if TYPE_CHECKING:
    from apps.accounts.models import User

BADGE_SECONDS = 60


def _key(user: User | int) -> str:
    return f"inbox-badge:{user if isinstance(user, int) else user.pk}"


def badge_counts(user: User) -> dict[str, int]:
    """{"todo": entries waiting on the person, "unread": unread notifications}."""
    counts = cache.get(_key(user))
    if counts is None:
        counts = {
            "todo": inbox_total(user),
            "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        }
        cache.set(_key(user), counts, BADGE_SECONDS)
    return counts


def badge_forget(user: User | int) -> None:
    """Count the person's badge afresh on their next page (after they acted, or were told something)."""
    cache.delete(_key(user))
