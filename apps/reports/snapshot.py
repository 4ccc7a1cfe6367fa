"""The figures of one report, computed once from the items as they stood at the end of the period."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from apps.core.rates import completion_rate
from apps.dashboards.selectors import OWNER_TYPE_ORDER
from apps.items.models import DONE_STATUSES, KIND_OF_OWNER_TYPE, Action, ItemTransition, Status, WorkItem
from apps.org.models import PATH_SEGMENT_WIDTH, Unit, subtree_q
from apps.reports.periods import Period

SNAPSHOT_VERSION = 1
# Period lists keep this many rows each (their full counts are kept too); a monthly report of a
# province can close tens of thousands of items and the ledger is the place to read them all.
LIST_LIMIT = 500
FIGURES = ("planned", "completed", "overdue")
NOT_COUNTED_FOR_OVERDUE = (Status.CANCELLED, Status.SUSPENDED)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _done_by(day: datetime.date) -> Q:
    return Q(status__in=DONE_STATUSES, completed_on__lte=day)


def _as_of_counts(end: datetime.date) -> dict[str, Count]:
    """Planned, completed and overdue as they stood when the period's last day ended."""
    return {
        "planned": Count("id", filter=~Q(status=Status.CANCELLED)),
        "completed": Count("id", filter=_done_by(end)),
        # Overdue when the report is due (the day after the period): open, deadline on or before the last day.
        "overdue": Count(
            "id",
            filter=Q(deadline__lte=end)
            & ~Q(status__in=NOT_COUNTED_FOR_OVERDUE)
            & (Q(completed_on__isnull=True) | Q(completed_on__gt=end)),
        ),
    }


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    figures = {name: row.get(name, 0) for name in FIGURES}
    figures["rate"] = _rate_text(completion_rate(completed=figures["completed"], planned=figures["planned"]))
    return figures


def _rate_text(rate: Decimal | None) -> str | None:
    return None if rate is None else str(rate)


def _change(current: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """Each figure's change against the previous report; None where there is no previous report."""
    if previous is None:
        return None
    change: dict[str, Any] = {name: current[name] - previous.get(name, 0) for name in FIGURES}
    if current["rate"] is None or previous.get("rate") is None:
        change["rate"] = None
    else:
        change["rate"] = str(Decimal(current["rate"]) - Decimal(previous["rate"]))
    return change


def _item_row(item: WorkItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "number": item.number,
        "title": item.title,
        "owner_type": item.owner_type,
        "unit": item.unit.name,
        "responsible_unit": item.responsible_unit.name,
        "responsible_person": str(item.responsible_person) if item.responsible_person else "",
        "lead_leader": str(item.lead_leader) if item.lead_leader else "",
        "deadline": item.deadline.isoformat(),
        "status": item.status,
        "progress": item.progress_percent,
    }


def _transitions_in(items: QuerySet[WorkItem], action: str, period: Period) -> tuple[int, list[dict[str, Any]]]:
    """Items that had `action` during the period: how many, and the first LIST_LIMIT with when and why."""
    moves = (
        ItemTransition.objects.filter(
            action=action, at__gte=start_of(period.start), at__lt=start_of(period.end + datetime.timedelta(days=1))
        )
        .filter(item__in=items)
        .select_related("item__unit", "item__responsible_unit", "item__responsible_person", "item__lead_leader")
        .order_by("at", "id")
    )
    latest: dict[int, ItemTransition] = {}
    for move in moves.iterator(chunk_size=2000):
        latest[move.item_id] = move  # an item returned and completed again counts once, at its last move
    rows = []
    for move in list(latest.values())[:LIST_LIMIT]:
        row = _item_row(move.item)
        row["at"] = timezone.localtime(move.at).strftime("%Y-%m-%d %H:%M")
        row["reason"] = move.reason
        rows.append(row)
    return len(latest), rows


def _newly_overdue(items: QuerySet[WorkItem], period: Period) -> tuple[int, list[dict[str, Any]]]:
    """Items that became overdue during the period: deadline passed on one of its days, not done by then."""
    late = items.filter(
        deadline__gte=period.start - datetime.timedelta(days=1),
        deadline__lte=period.end - datetime.timedelta(days=1),
    ).exclude(status__in=NOT_COUNTED_FOR_OVERDUE)
    late = late.exclude(Q(status__in=DONE_STATUSES) & Q(completed_on__lte=F("deadline")))
    late = late.select_related("unit", "responsible_unit", "responsible_person", "lead_leader").order_by(
        "deadline", "id"
    )
    return late.count(), [_item_row(item) for item in late[:LIST_LIMIT]]


def snapshot_build(
    *,
    unit: Unit,
    period: Period,
    previous_data: dict[str, Any] | None,
    on_progress: Callable[[int], None] = lambda percent: None,
) -> dict[str, Any]:
    """Every figure of the report for the subtree under `unit`, as plain JSON-ready data."""
    end_moment = start_of(period.end + datetime.timedelta(days=1))
    items = WorkItem.objects.filter(subtree_q(unit.path, "unit__path"), created_at__lt=end_moment)
    counts = _as_of_counts(period.end)

    by_owner_type = {row["owner_type"]: row for row in items.values("owner_type").annotate(**counts)}
    previous_rows = {row["owner_type"]: row for row in (previous_data or {}).get("owner_types", [])}
    owner_types = []
    total = dict.fromkeys(FIGURES, 0)
    for owner_type in OWNER_TYPE_ORDER:
        figures = _figures(by_owner_type.get(owner_type, {}))
        for name in FIGURES:
            total[name] += figures[name]
        figures.update(owner_type=owner_type.value, kind=KIND_OF_OWNER_TYPE[owner_type].value)
        figures["change"] = _change(figures, previous_rows.get(owner_type.value)) if previous_data else None
        owner_types.append(figures)
    total = _figures(total)
    total["change"] = _change(total, previous_data["total"]) if previous_data else None
    on_progress(20)

    branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
    by_branch = {
        row["branch"]: row
        for row in items.annotate(branch=Substr("unit__path", 1, branch_length)).values("branch").annotate(**counts)
    }
    previous_children = {row["unit_id"]: row for row in (previous_data or {}).get("children", [])}
    children = []
    for child in unit.children.order_by("path"):
        figures = _figures(by_branch.get(child.path, {}))
        figures.update(unit_id=child.pk, name=child.name)
        figures["change"] = _change(figures, previous_children.get(child.pk)) if previous_data else None
        children.append(figures)
    own = by_branch.get(unit.path)
    on_progress(40)

    lists: dict[str, Any] = {}
    for key, action in (("completed", Action.COMPLETE), ("closed", Action.CLOSE), ("returned", Action.RETURN)):
        lists[f"{key}_count"], lists[f"{key}_items"] = _transitions_in(items, action, period)
    lists["newly_overdue_count"], lists["newly_overdue_items"] = _newly_overdue(items, period)
    key_items = (
        items.filter(is_key=True)
        .exclude(status=Status.CANCELLED)
        .select_related("unit", "responsible_unit", "responsible_person", "lead_leader")
        .order_by("key_level", "deadline", "id")
    )
    lists["key_count"] = key_items.count()
    lists["key_items"] = [
        {
            **_item_row(item),
            "key_level": item.key_level,
            "completed": bool(item.completed_on and item.completed_on <= period.end),
        }
        for item in key_items[:LIST_LIMIT]
    ]
    on_progress(55)

    return {
        "version": SNAPSHOT_VERSION,
        "kind": period.kind,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "unit": {"id": unit.pk, "name": unit.name},
        "has_previous": previous_data is not None,
        "owner_types": owner_types,
        "total": total,
        "own": _figures(own) if own else None,
        "children": children,
        **lists,
    }
