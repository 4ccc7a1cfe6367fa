# Performance-critical: guarded by bench/report.py (the monthly report of 2,000,000 items); run it after changing this.
"""The moves of a report's period, read once: each item's last move of every action a report counts or lists.

A monthly report of a province reads hundreds of thousands of the period's transitions (completions, closings,
returns, extensions granted, acknowledgements). Each counts at the item's last move of its action in the period
(an item returned and completed again counts once), and the same moves feed the period lists (their counts and
first rows), on-time completion and acknowledgement per branch, and the late completions. On PostgreSQL one
statement picks each item's last moves and comes back counted, with only the rows a list shows; other databases
take the plain pass below, one read in time order, which the tests compare it with.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.items.models import Action, ItemTransition, Status

# The actions whose last move in the period a report counts or lists.
COUNTED_ACTIONS = (
    Action.COMPLETE,
    Action.CLOSE,
    Action.RETURN,
    Action.GRANT_EXTENSION,
    Action.ACKNOWLEDGE,
)


@dataclass
class PeriodMoves:
    """Each item's last move of each counted action in the period, counted and with the rows the lists show."""

    # action -> how many items had it in the period
    items: Counter[str] = field(default_factory=Counter)
    # action -> the first `limit` of the items' last moves, in time order: (at, transition id, item id)
    listed: dict[str, list[tuple[datetime.datetime, int, int]]] = field(default_factory=dict)
    # branch -> completed, completed_on_time, acknowledged, acknowledged_on_time
    by_branch: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    late_count: int = 0
    # the first `limit` late completions, in order of (at, item id): (at, item id, the deadline in force then)
    late: list[tuple[datetime.datetime, int, datetime.date]] = field(default_factory=list)


def moved_between(start: datetime.datetime, end: datetime.datetime) -> Q:
    """Transitions in [start, end), put so that the (to_status, at) index finds them (every status is listed)."""
    return Q(to_status__in=Status.values, at__gte=start, at__lt=end)


def in_time(at: datetime.datetime, due: datetime.date | None) -> bool:
    """A timed step taken on time: on or before the local day it was due by (a step held to no limit is)."""
    return due is None or at < end_of_day(due)


@functools.lru_cache(maxsize=4096)
def end_of_day(day: datetime.date) -> datetime.datetime:
    """The midnight ending `day`: one per due date, not a local date worked out per step (a month has 200,000)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _judged(counts: Counter[str], action: str, on_time: bool) -> None:
    if action == Action.COMPLETE:
        counts["completed"] += 1
        counts["completed_on_time"] += on_time
    elif action == Action.ACKNOWLEDGE:
        counts["acknowledged"] += 1
        counts["acknowledged_on_time"] += on_time


def period_moves_plain(
    of_items: Q, *, start: datetime.datetime, end: datetime.datetime, branch_length: int, limit: int
) -> PeriodMoves:
    """The plain pass: the period's counted moves read once in time order, each item's last of each action kept."""
    rows = (
        ItemTransition.objects.filter(of_items, moved_between(start, end), action__in=COUNTED_ACTIONS)
        .order_by("at", "id")
        .values_list("id", "item_id", "action", "at", "due", "item__unit__path")
    )
    last: dict[tuple[int, str], tuple] = {}
    with transaction.atomic():  # a cursor that streams, not one held past the transaction (WITH HOLD)
        for row in rows.iterator(5000):
            last[row[1], row[2]] = row
    moves = PeriodMoves()
    by_action: dict[str, list[tuple[datetime.datetime, int, int]]] = defaultdict(list)
    late = []
    for move_id, item_id, action, at, due, path in last.values():
        moves.items[action] += 1
        by_action[action].append((at, move_id, item_id))
        on_time = in_time(at, due)
        _judged(moves.by_branch[path[:branch_length]], action, on_time)
        if action == Action.COMPLETE and not on_time:
            late.append((at, item_id, due))
    moves.listed = {action: sorted(listed)[:limit] for action, listed in by_action.items()}
    moves.late_count = len(late)
    moves.late = sorted(late)[:limit]
    return moves


def period_moves_in_database(
    of_items: Q, *, start: datetime.datetime, end: datetime.datetime, branch_length: int, limit: int
) -> PeriodMoves:
    """On PostgreSQL: each item's last moves picked, judged and counted by the database in one statement; back come
    a few hundred counts and the rows the lists show."""
    scope_sql, scope_params = (
        ItemTransition.objects.filter(of_items, moved_between(start, end), action__in=COUNTED_ACTIONS)
        .order_by()
        .values_list("id", "item_id", "action", "at", "due", "item__unit__path")
        .query.sql_with_params()
    )
    params: dict = {f"scope_{n}": value for n, value in enumerate(scope_params)}
    scope_sql = scope_sql % tuple(f"%(scope_{n})s" for n in range(len(scope_params)))
    params.update(
        branch_length=branch_length,
        limit=limit,
        zone=django_settings.TIME_ZONE,
        complete=Action.COMPLETE.value,
        actions=[action.value for action in COUNTED_ACTIONS],
    )
    sql = f"""
        WITH last AS (
            SELECT DISTINCT ON (m.item_id, m.action) m.id, m.item_id, m.action, m.at,
                   m.due, substr(m.path, 1, %(branch_length)s) AS branch,
                   -- on or before the local day it was due by (a step held to no limit is on time)
                   m.due IS NULL OR (m.at AT TIME ZONE %(zone)s)::date <= m.due AS on_time
              FROM ({scope_sql}) AS m (id, item_id, action, at, due, path)
             ORDER BY m.item_id, m.action, m.at DESC, m.id DESC
        )
        SELECT action, branch, count(*), count(*) FILTER (WHERE on_time), NULL::timestamptz, NULL::integer,
               NULL::integer, NULL::date, false, false
          FROM last
         GROUP BY action, branch
        UNION ALL
        -- the first rows of each list: a bounded sort of each action's moves, not a ranking of them all
        (SELECT first.*
           FROM unnest(%(actions)s::varchar[]) AS listed (action),
                LATERAL (SELECT action, NULL::text, NULL::bigint, NULL::bigint, at, id, item_id, due, true, false
                           FROM last
                          WHERE last.action = listed.action
                          ORDER BY at, id
                          LIMIT %(limit)s) AS first)
        UNION ALL
        (SELECT action, NULL, NULL, NULL, at, id, item_id, due, false, true
           FROM last
          WHERE action = %(complete)s AND NOT on_time
          ORDER BY at, item_id, due
          LIMIT %(limit)s)
    """  # noqa: S608 - the scope comes from the ORM; every value is a parameter
    moves = PeriodMoves()
    listed: dict[str, list[tuple[datetime.datetime, int, int]]] = defaultdict(list)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling it costs more than it saves
        # no parallel workers: the items are being counted on the other cores (snapshot.py) meanwhile
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for action, branch, count, on_time, at, move_id, item_id, due, is_listed, is_late in rows:
        if branch is not None:
            moves.items[action] += count
            counts = moves.by_branch[branch]
            if action == Action.COMPLETE:
                counts["completed"] += count
                counts["completed_on_time"] += on_time
                moves.late_count += count - on_time
            elif action == Action.ACKNOWLEDGE:
                counts["acknowledged"] += count
                counts["acknowledged_on_time"] += on_time
            continue
        if is_listed:
            listed[action].append((at, move_id, item_id))
        elif is_late:
            moves.late.append((at, item_id, due))
    moves.listed = {action: sorted(rows) for action, rows in listed.items()}
    moves.late.sort()
    return moves
