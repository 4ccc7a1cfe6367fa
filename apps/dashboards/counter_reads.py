# Performance-critical: guarded by bench/dashboard.py; run `make bench` after changing it.
"""Reading a unit's rollup counters and its children's in one round trip to the database.

A dashboard needs seven small sets of counter rows. Asked one ORM query at a time they cost more in
query building than in the database, so they are read with one UNION ALL of plain SQL (table and
column names from the models, every value a parameter).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection

from apps.items.counters.models import (
    AcknowledgeByCount,
    CategoryCount,
    CompletionWeekCount,
    OpenDeadlineCount,
    StatusCount,
    TimelinessCount,
    YellowFromCount,
)
from apps.items.models import Category, Status

STATUS_COLUMNS = tuple(Status.values)


@dataclass
class CounterRows:
    """The counter rows of one dashboard."""

    # (unit id, owner type) -> count per status, for the unit and each child
    statuses: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)
    # (unit id, owner type) -> open items past their deadline, for the unit and each child
    overdue: dict[tuple[int, str], int] = field(default_factory=dict)
    # (unit id, owner type) -> items being delivered lit yellow or red today, for the unit and each child
    lit: dict[tuple[int, str], int] = field(default_factory=dict)
    # (unit id, owner type) -> (completed on time, acknowledged on time, acknowledged late), unit and children
    timeliness: dict[tuple[int, str], tuple[int, int, int]] = field(default_factory=dict)
    # (unit id, owner type) -> (waiting for acknowledgement, of those past the limit today), unit and children
    waiting: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    # category id -> (the category, planned, completed), for the unit
    categories: dict[int, tuple[Category, int, int]] = field(default_factory=dict)
    # Monday -> items completed that week, for the unit
    weeks: dict[datetime.date, int] = field(default_factory=dict)
    # The unit's earliest deadlines with open items past them, and how many: enough days to hold the first
    # `overdue_days` overdue items, which bounds the search of the longest overdue list.
    first_overdue_days: list[tuple[datetime.date, int]] = field(default_factory=list)

    def overdue_until(self, count: int) -> datetime.date | None:
        """The deadline by which the subtree's `count` longest overdue items all fall; None when none is overdue."""
        seen, until = 0, None
        for day, late in sorted(self.first_overdue_days):
            seen, until = seen + late, day
            if seen >= count:
                break
        return until


def _day(value: datetime.date | str) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite answers with text


def counters_read(
    *, unit_id: int, child_ids: list[int], today: datetime.date, first_week: datetime.date, overdue_days: int = 10
) -> CounterRows:
    """Every counter row a dashboard of `unit_id` reads, as of `today`, with the weeks from `first_week`.

    Also the unit's first `overdue_days` deadlines that open items are past (see CounterRows.overdue_until).
    """
    quote = connection.ops.quote_name

    def table(model: type) -> str:
        return quote(model._meta.db_table)

    unit_ids = [unit_id, *child_ids]
    in_units = ", ".join(["%s"] * len(unit_ids))
    zeros = [", ".join(["0"] * count) for count in range(len(STATUS_COLUMNS))]
    statuses = ", ".join(quote(column) for column in STATUS_COLUMNS)
    text = "CAST(NULL AS varchar(100))"
    # Columns: what the row is, unit, owner type or category code, category name and English name,
    # category id, day, then up to one number per status. The first branch names the column types
    # (PostgreSQL matches the branches' types left to right).
    sql = f"""
        SELECT 's', unit_id, owner_type, {text}, {text}, CAST(NULL AS bigint), CAST(NULL AS date), {statuses}
          FROM {table(StatusCount)} WHERE unit_id IN ({in_units})
        UNION ALL
        SELECT 'o', unit_id, owner_type, NULL, NULL, NULL, NULL, SUM(open_items), {zeros[8]}
          FROM {table(OpenDeadlineCount)} WHERE unit_id IN ({in_units}) AND deadline < %s
         GROUP BY unit_id, owner_type
        UNION ALL
        SELECT 'y', unit_id, owner_type, NULL, NULL, NULL, NULL, SUM(items), {zeros[8]}
          FROM {table(YellowFromCount)} WHERE unit_id IN ({in_units}) AND yellow_from <= %s
         GROUP BY unit_id, owner_type
        UNION ALL
        SELECT 't', unit_id, owner_type, NULL, NULL, NULL, NULL,
               completed_on_time, acknowledged_on_time, acknowledged_late, {zeros[6]}
          FROM {table(TimelinessCount)} WHERE unit_id IN ({in_units})
        UNION ALL
        SELECT 'a', unit_id, owner_type, NULL, NULL, NULL, NULL,
               SUM(waiting), SUM(CASE WHEN acknowledge_by < %s THEN waiting ELSE 0 END), {zeros[7]}
          FROM {table(AcknowledgeByCount)} WHERE unit_id IN ({in_units})
         GROUP BY unit_id, owner_type
        UNION ALL
        SELECT 'c', counts.unit_id, category.code, category.name, category.name_en, counts.category_id, NULL,
               counts.planned, counts.completed, category.sort_order, {zeros[6]}
          FROM {table(CategoryCount)} counts JOIN {table(Category)} category ON category.id = counts.category_id
         WHERE counts.unit_id = %s
        UNION ALL
        SELECT 'w', unit_id, NULL, NULL, NULL, NULL, week, completed, {zeros[8]}
          FROM {table(CompletionWeekCount)} WHERE unit_id = %s AND week >= %s AND week <= %s
        UNION ALL
        SELECT * FROM (
            SELECT 'd', unit_id, {text}, {text}, {text}, CAST(NULL AS bigint), deadline, SUM(open_items), {zeros[8]}
              FROM {table(OpenDeadlineCount)} WHERE unit_id = %s AND deadline < %s
             GROUP BY unit_id, deadline ORDER BY deadline LIMIT %s
        ) first_overdue_days
    """  # noqa: S608 - names come from the models; every value is a parameter
    params = [*unit_ids, *unit_ids, today, *unit_ids, today, *unit_ids, today, *unit_ids]
    params += [unit_id, unit_id, first_week, today, unit_id, today]
    params.append(overdue_days)
    rows = CounterRows()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, row_unit, word, name, name_en, category_id, day, *numbers in cursor.fetchall():
            if kind == "s":
                rows.statuses[(row_unit, word)] = dict(zip(STATUS_COLUMNS, numbers, strict=True))
            elif kind == "o":
                rows.overdue[(row_unit, word)] = numbers[0]
            elif kind == "y":
                rows.lit[(row_unit, word)] = numbers[0]
            elif kind == "t":
                rows.timeliness[(row_unit, word)] = (numbers[0], numbers[1], numbers[2])
            elif kind == "a":
                rows.waiting[(row_unit, word)] = (numbers[0], numbers[1])
            elif kind == "c":
                category = Category(pk=category_id, code=word, name=name, name_en=name_en, sort_order=numbers[2])
                rows.categories[category_id] = (category, numbers[0], numbers[1])
            elif kind == "w":
                rows.weeks[_day(day)] = numbers[0]
            else:
                rows.first_overdue_days.append((_day(day), numbers[0]))
    return rows
