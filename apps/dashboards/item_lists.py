# Performance-critical: guarded by bench/dashboard.py; run `make bench` after changing it.
"""The dashboard's two short lists — longest overdue, key items being delivered — read in one query.

Both lists are the first rows of an index walk (partial indexes on open items, apps.items migration
0005), so the database work is a millisecond; building two ORM queries cost more than running them,
hence one plain SQL statement with the two ordered, limited selects side by side.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from apps.accounts.models import User
from apps.items.models import ACTIVE_STATUS_LIST, KeyLevel, Status, WorkItem, counts_as_overdue, overdue_q
from apps.org.models import Unit
from apps.org.paths import path_upper_bound


@dataclass
class ListedItem:
    """An item as the dashboard's lists show it."""

    pk: int
    number: str
    title: str
    unit: str  # the owning unit's name
    deadline: datetime.date
    status: str
    progress_percent: int
    key_level: str
    lead_leader: str | None
    today: datetime.date

    @property
    def is_overdue(self) -> bool:
        return counts_as_overdue(self.status, self.deadline, self.today)

    @property
    def days_overdue(self) -> int:
        return (self.today - self.deadline).days if self.is_overdue else 0

    def get_status_display(self) -> str:
        return str(Status(self.status).label)

    def get_key_level_display(self) -> str:
        return str(KeyLevel(self.key_level).label) if self.key_level else ""


def _listed(item: WorkItem, today: datetime.date) -> ListedItem:
    leader = item.lead_leader
    return ListedItem(
        item.pk,
        item.number,
        item.title,
        item.unit.name,
        item.deadline,
        item.status,
        item.progress_percent,
        item.key_level,
        str(leader) if leader else None,
        today,
    )


def lists_from_items(
    items: QuerySet[WorkItem], *, today: datetime.date, overdue: int, key: int
) -> tuple[list[ListedItem], list[ListedItem]]:
    """The two lists from a queryset of items (the naive path, and the yardstick for `lists_read`)."""
    items = items.select_related("unit", "lead_leader").order_by("deadline", "id")
    return (
        [_listed(item, today) for item in items.filter(overdue_q(today))[:overdue]],
        [_listed(item, today) for item in items.filter(is_key=True, status__in=ACTIVE_STATUS_LIST)[:key]],
    )


def lists_read(
    *, unit: Unit, today: datetime.date, overdue: int, key: int, overdue_until: datetime.date | None
) -> tuple[list[ListedItem], list[ListedItem]]:
    """The subtree's `overdue` longest overdue items and its first `key` key items still being delivered.

    `overdue_until` is the deadline by which the `overdue` longest overdue items all fall (the counters know
    it, CounterRows.overdue_until): the search stops there instead of reading every overdue item of the
    subtree; None means nothing is overdue. Two statements: as one UNION the database planned them slower.
    """
    quote = connection.ops.quote_name
    items, units, users = (quote(model._meta.db_table) for model in (WorkItem, Unit, User))
    statuses = ", ".join(["%s"] * len(ACTIVE_STATUS_LIST))
    scope = [unit.path, path_upper_bound(unit.path), *ACTIVE_STATUS_LIST]

    def select(leader: bool) -> str:
        # Only the key items show their lead leader; the overdue list does without the join.
        names, join = (
            "leader.full_name, leader.username",
            f"LEFT JOIN {users} leader ON leader.id = item.lead_leader_id",
        )
        if not leader:
            names, join = "NULL, NULL", ""
        return f"""
            SELECT item.id, item.number, item.title, unit.name, item.deadline, item.status,
                   item.progress_percent, item.key_level, {names}
              FROM {items} item JOIN {units} unit ON unit.id = item.unit_id {join}
             WHERE unit.path >= %s AND unit.path < %s AND item.status IN ({statuses})
        """  # noqa: S608 - names come from the models; every value is a parameter

    def read(sql: str, params: list) -> list[ListedItem]:
        listed = []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, number, title, unit_name, deadline, status, progress, level, name, username in cursor:
                if isinstance(deadline, str):  # SQLite answers with text
                    deadline = datetime.date.fromisoformat(deadline)
                leader = (name or username) if username else None
                listed.append(
                    ListedItem(pk, number, title, unit_name, deadline, status, progress, level, leader, today)
                )
        return listed

    overdue_items = []
    if overdue_until is not None:
        overdue_items = read(
            f"{select(False)} AND item.deadline < %s AND item.deadline <= %s ORDER BY item.deadline, item.id LIMIT %s",
            [*scope, today, overdue_until, overdue],
        )
    key_items = read(
        f"{select(True)} AND item.is_key = %s ORDER BY item.deadline, item.id LIMIT %s", [*scope, True, key]
    )
    return overdue_items, key_items
