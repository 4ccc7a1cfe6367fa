"""Reads of work items that respect who is asking."""

from __future__ import annotations

import json
import operator
from functools import reduce

from django.db import OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404, QueryDict

from apps.accounts.models import User
from apps.items.counters.models import StatusCount
from apps.items.filtersets import WorkItemFilterSet
from apps.items.models import (
    ACTIVE_STATUS_LIST,
    DONE_STATUSES,
    PLANNED_STATUS_LIST,
    ItemTransition,
    Status,
    WorkItem,
)
from apps.items.paging import ListTotal
from apps.items.rules import REASONED_STATUSES, STATUS_KEEPING_ACTIONS
from apps.org.scope import subtree_units

# The most rows a list counts one by one, and the longest it counts them for; past either the total shown is an
# estimate (约 N 项).
LIST_COUNT_CAP = 10_000
LIST_COUNT_MS = 200
QUERY_CANCELED = "57014"  # PostgreSQL's error code for a statement stopped by statement_timeout
# The filters the rollup counters answer: the owning unit (and below), list kind, owner type, status, stage.
COUNTER_FILTERS = frozenset({"unit", "kind", "owner_type", "status", "stage", "ordering"})
STAGE_STATUSES = {
    "counted": set(PLANNED_STATUS_LIST),
    "done": set(DONE_STATUSES),
    "open": set(ACTIVE_STATUS_LIST),
    "pending": {Status.DRAFT, Status.SUBMITTED},
}


def item_base_queryset(*, user: User) -> QuerySet[WorkItem]:
    return WorkItem.objects.visible_to(user).select_related(
        "unit", "responsible_unit", "responsible_person", "owner_person", "lead_leader", "category"
    )


def item_filterset(*, user: User, data: QueryDict | dict | None = None, mine: bool = False) -> WorkItemFilterSet:
    """The filtered list of items the user may see; `mine` keeps the items the user owns, handles or leads."""
    queryset = item_base_queryset(user=user)
    if mine:
        queryset = queryset.filter(
            Q(created_by=user) | Q(owner_person=user) | Q(responsible_person=user) | Q(lead_leader=user)
        )
    return WorkItemFilterSet(data=data or None, queryset=queryset.order_by("deadline", "id"), user=user)


def item_list(*, user: User, filters: QueryDict | dict | None = None) -> QuerySet[WorkItem]:
    return item_filterset(user=user, data=filters).qs


def item_list_total(filterset: WorkItemFilterSet, *, user: User, mine: bool = False) -> ListTotal:
    """How many items a list holds: exact from the rollup counters when its filters are theirs, else counted up
    to LIST_COUNT_CAP rows, past which it is an estimate (marked as such)."""
    if filterset.is_bound and not filterset.is_valid():
        return ListTotal(0)
    counted = None if mine else _total_from_counters(filterset, user)
    if counted is not None:
        return ListTotal(counted)
    rows = filterset.qs.order_by().values("pk")
    capped = _capped_count(rows)
    if capped is not None and capped <= LIST_COUNT_CAP:
        return ListTotal(capped)
    # Past the cap, at least the cap; stopped by the time limit, the estimate alone (a rare word matches few rows).
    estimate = _estimated_rows(rows)
    return ListTotal(estimate if capped is None else max(estimate, capped), exact=False, cap=LIST_COUNT_CAP)


def _capped_count(rows: QuerySet) -> int | None:
    """The rows counted up to LIST_COUNT_CAP + 1; None when counting them takes longer than LIST_COUNT_MS (a
    search that few rows match reads every row: PostgreSQL stops it, and the list shows an estimate)."""
    if connection.vendor != "postgresql":
        return rows[: LIST_COUNT_CAP + 1].count()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [LIST_COUNT_MS])
            counted = rows[: LIST_COUNT_CAP + 1].count()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = DEFAULT")
            return counted
    except OperationalError as error:
        if getattr(error, "pgcode", None) == QUERY_CANCELED or "statement timeout" in str(error):
            return None
        raise


def _total_from_counters(filterset: WorkItemFilterSet, user: User) -> int | None:
    """The list's total from StatusCount, or None when its filters or the user's reach are not the counters'."""
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    if {name for name, value in data.items() if value not in (None, "", [], ())} - COUNTER_FILTERS:
        return None
    statuses = set(Status.values)
    if data.get("status"):
        statuses &= set(data["status"])
    if data.get("stage"):
        statuses &= STAGE_STATUSES[data["stage"]]
    rows = StatusCount.objects.all()
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("owner_type"):
        rows = rows.filter(owner_type=data["owner_type"])
    if data.get("unit") is not None:
        # The unit is one the user reaches, so every item it (or a unit below) owns is on the list.
        rows = rows.filter(unit=data["unit"])
    elif user.sees_everything:
        rows = rows.filter(unit__parent__isnull=True)
    elif _handled_from_outside(user):
        return None  # the list also holds items handled in the user's subtree and owned elsewhere
    else:
        rows = rows.filter(unit_id=user.unit_id)
    if not statuses:
        return 0
    columns = [F(status) for status in sorted(statuses)]  # StatusCount has one column per status
    return rows.aggregate(total=Sum(reduce(operator.add, columns)))["total"] or 0


def _handled_from_outside(user: User) -> bool:
    """Does the user reach items handled in their subtree and owned outside it (which the counters leave out)?"""
    units = subtree_units(user.unit.path)
    # Only an item handed to another unit than its owner's can be (the few entries of the index item_handed_over).
    handed_over = WorkItem.objects.exclude(unit=F("responsible_unit"))
    if units.inside is not None:
        return handed_over.filter(responsible_unit__in=units.inside).exclude(unit__in=units.inside).exists()
    if units.outside is not None:
        if not units.outside:
            return False
        return handed_over.filter(unit__in=units.outside).exclude(responsible_unit__in=units.outside).exists()
    return True  # not worth finding out: counted the ordinary way


def _estimated_rows(rows: QuerySet) -> int:
    """PostgreSQL's estimate of how many rows a query returns (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def item_get(*, user: User, pk: int) -> WorkItem:
    """One item the user may see, or 404 (an item outside the subtree does not exist for them)."""
    try:
        return item_base_queryset(user=user).get(pk=pk)
    except WorkItem.DoesNotExist as error:
        raise Http404 from error


def latest_reason(item: WorkItem) -> ItemTransition | None:
    """The move that left the item where it stands with a reason (returned, sent back, suspended, cancelled)."""
    latest = (
        item.transitions.exclude(action__in=list(STATUS_KEEPING_ACTIONS)).order_by("-at", "-id").select_related("by")
    )
    move = latest.first()
    if move is None or REASONED_STATUSES.get(move.action) != item.status or not move.reason:
        return None
    return move
