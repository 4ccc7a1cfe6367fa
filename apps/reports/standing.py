# Performance-critical: guarded by bench/report.py (the monthly report of 2,000,000 items); run it after changing this.
"""Where each item of a report stood at the start and at the end of its period, replayed and counted in PostgreSQL.

One pass over the items streams through the database and comes back as a few hundred counted groups (owner type,
branch of the tree, status at the end, overdue, light) and one row for each item a period list may name; the
figures are those snapshot.py's plain per-item loop counts, which other databases run (tests compare the two).

Replaying from the transitions: ItemTransition records every move, each from the state the last one led to, and
the last one leads to the item's current state (the services write the move and the item in one transaction).
So the status at a moment is the `from_status` of the first move at or after it, or the current status when the
item has not moved since; only the moves since the start of the period are read, through the (to_status, at)
index, instead of every move of every item. Items without any transition (carried over from older ledgers) are
taken at their current state, except that a completion dated after the moment had not happened yet.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import QuerySet

from apps.items.models import (
    ACTIVE_STATUS_LIST,
    DONE_STATUSES,
    PLANNED_STATUS_LIST,
    ItemTransition,
    ProgressUpdate,
    Status,
    WorkItem,
)
from apps.org.models import Unit
from apps.org.paths import subtree_q
from apps.org.supervision import SupervisionSettings, settings_for_paths
from apps.workdays.days import WorkCalendar


@dataclass(frozen=True)
class ListedItem:
    """An item a period list may name: newly overdue, or a key item in the plan."""

    item_id: int
    deadline: datetime.date
    key_level: str


@dataclass(frozen=True)
class StandingGroup:
    """Items alike in every way the report counts them, with those of them a period list may name."""

    owner_type: str
    branch: str  # the path of the child unit the items fall under, or the report unit's own path
    status: str  # at the end of the period
    overdue: bool  # at the end of the period
    light: str  # at the end of the period; "" when not being delivered
    newly_overdue: bool
    key: bool  # a key item in the plan at the end of the period
    count: int
    listed: list[ListedItem]


def _near_threshold(day: datetime.date, warning_days: int, calendar: WorkCalendar) -> datetime.date:
    """The last deadline whose warning (warning_days working days before it) has begun by `day`."""
    deadline = day
    while calendar.add(deadline + datetime.timedelta(days=1), -warning_days) <= day:
        deadline += datetime.timedelta(days=1)
    return deadline


def _yellow_sql(settings: SupervisionSettings, day: datetime.date, calendar: WorkCalendar, params: dict) -> str:
    """Lit yellow by `day` (yellow_from <= day, apps/items/lights.py) under `settings`, for an item not yet red."""
    key = f"near_{settings.warning_days}"
    params[key] = _near_threshold(day, settings.warning_days, calendar)
    tolerance = int(settings.lag_tolerance)
    # near <= day, or the first day progress lags the time elapsed (start + ⌊(p + tol) × span / 100⌋ + 1) <= day
    return (
        f"(c.deadline <= %({key})s OR (c.deadline - c.start > 0 AND c.lit_progress + {tolerance} < 100"
        f" AND %(end_day)s - c.start >= ((c.lit_progress + {tolerance}) * (c.deadline - c.start)) / 100 + 1))"
    )


def _fallback_sql(moment: str, day: str) -> str:
    """The status at a moment of an item without transitions: its current one, unless created after it, and not
    done when its completion is dated after it."""
    return (
        f"CASE WHEN i.created_at >= %({moment})s THEN NULL"
        f" WHEN i.status = ANY(%(done)s) AND (i.completed_on IS NULL OR i.completed_on >= %({day})s)"
        f" THEN '{Status.IN_PROGRESS.value}' ELSE i.status END"
    )


def standing_groups(
    *, items: QuerySet[WorkItem], unit: Unit, branch_length: int, start: datetime.datetime, end: datetime.datetime,
    start_day: datetime.date, end_day: datetime.date, ids: tuple[int, int] | None = None,
) -> Iterator[StandingGroup]:  # fmt: skip
    """The items counted by group, as they stood at `start` and `end` (the midnights starting `start_day` and
    `end_day`); items newly overdue and key items in the plan are named in their group.

    With `ids` (low, high), only the items whose ids lie in [low, high), and only their transitions, are read: the
    items split in parts of ids, each counted on a connection of its own, give the groups of all of them.
    """
    in_part = ""
    if ids is not None:
        items = items.filter(pk__gte=ids[0], pk__lt=ids[1])
        in_part = "AND item_id >= %(low)s AND item_id < %(high)s"
    scope_sql, scope_params = (
        items.order_by()
        .values_list(
            "id",
            "owner_type",
            "unit__path",
            "unit_id",
            "deadline",
            "is_key",
            "key_level",
            "status",
            "completed_on",
            "created_at",
            "start_date",
            "progress_percent",
        )
        .query.sql_with_params()
    )
    params: dict = {f"scope_{n}": value for n, value in enumerate(scope_params)}
    scope_sql = scope_sql % tuple(f"%(scope_{n})s" for n in range(len(scope_params)))
    params.update(
        start=start, end=end, start_day=start_day, end_day=end_day, branch_length=branch_length,
        statuses=list(Status.values), done=sorted(DONE_STATUSES), active=ACTIVE_STATUS_LIST,
        planned=PLANNED_STATUS_LIST, zone=django_settings.TIME_ZONE, low=ids and ids[0], high=ids and ids[1],
    )  # fmt: skip
    # The lights: the units' supervision settings as they are now, most units under the defaults.
    calendar = WorkCalendar()
    paths = dict(Unit.objects.filter(subtree_q(unit.path)).values_list("pk", "path"))
    in_force = settings_for_paths(paths.values())
    by_settings: dict[SupervisionSettings, list[int]] = {}
    for pk, path in paths.items():
        by_settings.setdefault(in_force[path], []).append(pk)
    default = SupervisionSettings()
    yellow = _yellow_sql(default, end_day, calendar, params)
    for n, (settings, unit_ids) in enumerate(item for item in by_settings.items() if item[0] != default):
        params[f"units_{n}"] = unit_ids
        yellow = f"CASE WHEN c.unit_id = ANY(%(units_{n})s) THEN {_yellow_sql(settings, end_day, calendar, params)} ELSE {yellow} END"
    transitions = connection.ops.quote_name(ItemTransition._meta.db_table)
    progress_updates = connection.ops.quote_name(ProgressUpdate._meta.db_table)
    sql = f"""
        WITH moved AS (
            SELECT t.item_id,
                   bool_or(t.at >= %(end)s) AS since_end,
                   (array_agg(t.from_status ORDER BY t.at, t.id))[1] AS before_start,
                   (array_agg(t.from_status ORDER BY t.at, t.id) FILTER (WHERE t.at >= %(end)s))[1] AS before_end
              FROM {transitions} t
             -- every status is listed so that the (to_status, at) index serves the time range
             WHERE t.to_status = ANY(%(statuses)s) AND t.at >= %(start)s {in_part}
             GROUP BY t.item_id
        ),
        standing AS (
            SELECT i.*, m.since_end, m.before_start, m.before_end, h.item_id IS NOT NULL AS has_history
              FROM ({scope_sql}) AS i (id, owner_type, path, unit_id, deadline, is_key, key_level, status,
                                       completed_on, created_at, start_date, progress)
              LEFT JOIN moved m ON m.item_id = i.id
              -- the items with a story: one read of the item_id index, not a look-up per item
              LEFT JOIN (SELECT DISTINCT item_id FROM {transitions} WHERE true {in_part}) h ON h.item_id = i.id
            OFFSET 0  -- each row's standing worked out once, not once for every use of it below
        ),
        statuses AS (
            SELECT i.id, i.owner_type, i.path, i.unit_id, i.deadline, i.is_key, i.key_level, i.created_at,
                   i.start_date, i.progress, i.has_history,
                   CASE WHEN NOT i.has_history THEN {_fallback_sql("start", "start_day")}
                        WHEN i.before_start IS NOT NULL THEN NULLIF(i.before_start, '')
                        ELSE i.status END AS at_start,
                   CASE WHEN NOT i.has_history THEN {_fallback_sql("end", "end_day")}
                        WHEN i.since_end THEN NULLIF(i.before_end, '')
                        ELSE i.status END AS at_end
              FROM standing i
            OFFSET 0
        ),
        counted AS (
            SELECT i.*,
                   i.at_end = ANY(%(active)s) AND i.deadline < %(end_day)s AS overdue,
                   COALESCE(i.at_start = ANY(%(active)s) AND i.deadline < %(start_day)s, false) AS overdue_at_start,
                   -- the progress reported by the end, read only for the items being delivered and not yet red
                   CASE WHEN NOT i.has_history THEN i.progress
                        WHEN i.at_end = ANY(%(active)s) AND i.deadline >= %(end_day)s
                        THEN COALESCE((SELECT u.percent FROM {progress_updates} u
                                        WHERE u.item_id = i.id AND u.at < %(end)s
                                        ORDER BY u.at DESC, u.id DESC LIMIT 1), 0) END AS lit_progress,
                   COALESCE(i.start_date, (i.created_at AT TIME ZONE %(zone)s)::date) AS start
              FROM statuses i
             WHERE i.at_end IS NOT NULL
            OFFSET 0
        ),
        lit AS (
            SELECT c.*,
                   CASE WHEN NOT c.at_end = ANY(%(active)s) THEN ''
                        WHEN c.overdue THEN 'red'
                        WHEN {yellow} THEN 'yellow'
                        ELSE 'green' END AS light,
                   c.overdue AND NOT c.overdue_at_start AS newly_overdue,
                   c.is_key AND c.at_end = ANY(%(planned)s) AS key
              FROM counted c
        )
        SELECT owner_type, branch, at_end, overdue, light, newly_overdue, key, count(*),
               -- one row for each item a list may name, with what it is listed by
               CASE WHEN listed THEN id END, min(deadline), min(key_level)
          FROM (SELECT *, substr(path, 1, %(branch_length)s) AS branch,
                       newly_overdue OR key AS listed
                  FROM lit) AS listing
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 9
    """  # noqa: S608 - the table names come from the models, the scope from the ORM; every value is a parameter
    with transaction.atomic(), connection.cursor() as cursor:
        # Compiling this one query costs more than it saves. The groups are a few hundred, but the planner cannot
        # tell from the expressions they are made of and expects one per item: with the memory such a hash table
        # would need, it counts them in one (using a few megabytes) instead of sorting two million rows first;
        # the sort of the period's moves fits in it too.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for owner_type, branch, status, overdue, light, newly_overdue, key, count, item_id, deadline, key_level in rows:
        listed = [ListedItem(item_id, deadline, key_level)] if item_id is not None else []
        yield StandingGroup(owner_type, branch, status, overdue, light, newly_overdue, key, count, listed)
