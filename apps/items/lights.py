"""Lights (亮灯): red when overdue, yellow when the deadline nears or progress lags the time elapsed, else green.

Every item being delivered (planned, open, not suspended: ACTIVE_STATUSES) has a light. Whether it is yellow
depends on today only through one date, fixed when the item is written: `yellow_from`, the first day it is
yellow, the earlier of
- the day `warning_days` working days before the deadline (the unit's setting, apps/org/supervision.py), and
- the first day its reported progress lags the share of its time elapsed by more than `lag_tolerance` points
  (未达序时进度): progress p lags on day d when (d − start) ÷ (deadline − start) × 100 > p + tolerance.
So on any day: red when deadline < today, yellow when yellow_from ≤ today, green otherwise — a comparison of
two stored dates, which the rollup counters count per unit without reading items.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.items.counters.writes import counters_follow
from apps.items.models import ACTIVE_STATUS_LIST, ACTIVE_STATUSES, Light, WorkItem, light_on, today_local
from apps.org.supervision import SupervisionSettings, settings_for_paths
from apps.workdays.days import WorkCalendar


def yellow_from(
    *,
    start: datetime.date,
    deadline: datetime.date,
    progress: int,
    settings: SupervisionSettings,
    calendar: WorkCalendar,
) -> datetime.date:
    """The first day an item being delivered lights yellow (it stays yellow until it turns red)."""
    near = calendar.add(deadline, -settings.warning_days)
    span = (deadline - start).days
    behind = deadline
    if span > 0 and progress + settings.lag_tolerance < 100:
        # the first whole day d with (d - start) / span * 100 > progress + tolerance
        behind = start + datetime.timedelta(days=math.floor((progress + settings.lag_tolerance) * span / 100) + 1)
    return min(near, behind, deadline)


def light_q(light: str, today: datetime.date | None = None) -> Q:
    """The items showing `light` today, as a filter."""
    today = today or today_local()
    active = Q(status__in=ACTIVE_STATUS_LIST)
    if light == Light.RED:
        return active & Q(deadline__lt=today)
    if light == Light.YELLOW:
        return active & Q(deadline__gte=today, yellow_from__lte=today)
    return active & Q(deadline__gte=today) & (Q(yellow_from__gt=today) | Q(yellow_from=None))


def schedule_start(start_date: datetime.date | None, created_at: datetime.datetime | None) -> datetime.date:
    """Where an item's time starts for the schedule: its start date, else the day it was logged."""
    if start_date:
        return start_date
    return timezone.localdate(created_at) if created_at else today_local()


def items_set_yellow_from(
    items: Iterable[WorkItem],
    *,
    calendar: WorkCalendar | None = None,
    settings: dict[str, SupervisionSettings] | None = None,
) -> None:
    """Set `yellow_from` on items (not saved): the first day each lights yellow; None for items not being delivered.

    Reads the settings of the items' units in one query (pass `settings` by unit path to skip it) and the
    working calendar once a year it touches.
    """
    items = list(items)
    calendar = calendar or WorkCalendar()
    if settings is None:
        paths = {item.unit.path for item in items if item.status in ACTIVE_STATUSES}
        settings = settings_for_paths(paths) if paths else {}
    for item in items:
        if item.status not in ACTIVE_STATUSES:
            item.yellow_from = None
            continue
        item.yellow_from = yellow_from(
            start=schedule_start(item.start_date, item.created_at),
            deadline=item.deadline,
            progress=item.progress_percent,
            settings=settings.get(item.unit.path) or SupervisionSettings(),
            calendar=calendar,
        )


__all__ = [
    "Light",
    "items_relight",
    "items_set_yellow_from",
    "items_write_yellow_from",
    "light_on",
    "light_q",
    "schedule_start",
    "yellow_from",
]


RELIGHT_BATCH = 2000


def items_write_yellow_from(items: Sequence[WorkItem]) -> None:
    """Write the items' `yellow_from` (and nothing else; the caller keeps the counters right).

    One UPDATE … FROM (VALUES …) per thousand items on PostgreSQL: Django's bulk_update writes a CASE per row,
    which took minutes over a province's items.
    """
    if connection.vendor != "postgresql":
        WorkItem.objects.bulk_update(items, ["yellow_from"], batch_size=500)
        return
    table = connection.ops.quote_name(WorkItem._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(items), 1000):
            batch = items[start : start + 1000]
            values = ", ".join(["(%s, %s::date)"] * len(batch))
            params = [part for item in batch for part in (item.pk, item.yellow_from)]
            # The table's name comes from the model; every value is a parameter.
            cursor.execute(
                f"UPDATE {table} AS item SET yellow_from = new.day FROM (VALUES {values}) AS new (id, day) "  # noqa: S608
                "WHERE item.id = new.id",
                params,
            )


def items_relight(items: QuerySet[WorkItem]) -> int:
    """Work `yellow_from` out again for the items being delivered among `items`, and keep the counters right.

    For a change of what the lights depend on other than the item itself: a unit's supervision settings, the
    working calendar. Batches of RELIGHT_BATCH items, each in its own transaction; returns how many changed.
    """
    ids = list(items.filter(status__in=ACTIVE_STATUS_LIST).order_by("pk").values_list("pk", flat=True))
    calendar, changed = WorkCalendar(), 0
    for start in range(0, len(ids), RELIGHT_BATCH):
        chunk = ids[start : start + RELIGHT_BATCH]
        with transaction.atomic():
            batch = list(
                WorkItem.objects.filter(pk__in=chunk)
                .select_related("unit")
                .select_for_update(of=("self",))
                .only("status", "deadline", "start_date", "created_at", "progress_percent", "yellow_from", "unit__path")
            )
            before = {item.pk: item.yellow_from for item in batch}
            items_set_yellow_from(batch, calendar=calendar)
            moved = [item for item in batch if item.yellow_from != before[item.pk]]
            if moved:
                with counters_follow(item.pk for item in moved):
                    items_write_yellow_from(moved)
            changed += len(moved)
    return changed
