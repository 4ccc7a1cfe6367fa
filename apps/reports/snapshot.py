"""The figures of one report, rebuilt from the items' recorded transitions as they stood at the end of the period.

A report may be produced long after its period (a past period asked for by hand, a retry days later); by then
items have moved on. Each item's status at a moment is the to-state of its last transition before that moment
(ItemTransition records every move: who, when, from, to, why), so the figures describe the period as it stood
at its end, whenever they are computed.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.core.rates import completion_rate
from apps.items.lights import schedule_start, yellow_from
from apps.items.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    KIND_OF_OWNER_TYPE,
    Action,
    ItemTransition,
    Light,
    OwnerType,
    ProgressUpdate,
    Status,
    WorkItem,
    counts_as_completed,
    counts_as_overdue,
    counts_as_planned,
    light_on,
)
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH, subtree_q
from apps.org.supervision import SupervisionSettings, settings_for_paths
from apps.reports.branches import branch_section
from apps.reports.citizen_requests import requests_in_period
from apps.reports.moves import PeriodMoves, period_moves_in_database, period_moves_plain
from apps.reports.periods import Period
from apps.reports.standing import StandingGroup, standing_groups
from apps.supervision.models import Notice, NoticeColour, NoticeEvent, NoticeEventKind
from apps.workdays.days import WorkCalendar

LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN)

# 2: figures rebuilt from the transitions, and the change of the period lists' counts.
# 3: drafts and items awaiting approval count nowhere (DOMAIN.md, "What counts").
# 4: the lights of the items being delivered at the end of the period, per unit; the extensions granted in it.
# 5: on-time completion and acknowledgement in the period, per unit; the late completions and the items not
#    acknowledged past their limit.
# 6: supervision notices in the period, per unit: issued, answered, past the reply deadline at its end, red.
# 7: citizens' requests in the period, per unit: received, accepted on time, answered, rated, 满意率 and 解决率.
SNAPSHOT_VERSION = 7
# Period lists keep this many rows each (their full counts are kept too); a monthly report of a
# province can close tens of thousands of items and the ledger is the place to read them all.
LIST_LIMIT = 500
FIGURES = ("planned", "completed", "overdue")
# The period lists, each with its full count (`<key>_count`) and its first rows (`<key>_items`).
LIST_KEYS = (
    "completed",
    "closed",
    "newly_overdue",
    "returned",
    "key",
    "extended",
    "completed_late",
    "not_acknowledged",
)
TIMELINESS = ("completed", "completed_on_time", "acknowledged", "acknowledged_on_time", "waiting_late")
NOTICE_FIGURES = ("issued", "answered", "overdue", "red")
# The items are counted in the database in this many parts of their ids, in parallel.
STANDING_PARTS = 2
# Renewing the worker's lease while the items are read, in rows.
PROGRESS_EVERY_ROWS = 50_000


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def is_overdue_on(status: str | None, deadline: datetime.date, day: datetime.date) -> bool:
    """Overdue at the midnight that starts `day`: being delivered then, with a deadline before `day`.

    The one boundary of every overdue figure in a report, the dashboard's own (deadline < today): an item
    becomes overdue at the midnight that ends its deadline day. A report counts what is overdue at the end of
    its period (day = last day + 1, so a deadline on the last day counts) and lists as newly overdue what is
    overdue then but was not at the end of the previous period (day = first day).
    """
    return counts_as_overdue(status, deadline, day)


def _last_status_before(moment: datetime.datetime) -> Subquery:
    moves = ItemTransition.objects.filter(item=OuterRef("pk"), at__lt=moment).order_by("-at", "-id")
    return Subquery(moves.values("to_status")[:1])


def _with_standing(items: QuerySet[WorkItem], period: Period) -> QuerySet[WorkItem]:
    """Each item with its recorded status at the start and at the end of the period."""
    return items.annotate(
        has_history=Exists(ItemTransition.objects.filter(item=OuterRef("pk"))),
        status_at_start=_last_status_before(start_of(period.start)),
        status_at_end=_last_status_before(start_of(period.end + datetime.timedelta(days=1))),
    )


def _status_then(
    *,
    has_history: bool,
    recorded: str | None,
    status: str,
    completed_on: datetime.date | None,
    created_at: datetime.datetime,
    moment: datetime.datetime,
) -> str | None:
    """The item's status at `moment` (a midnight), or None when it did not exist yet."""
    if has_history:
        return recorded  # the to-state of its last transition before the moment; none: not yet created
    # Items without any transition row (bulk-generated demo data, written straight into the table) have no
    # story to replay: they are taken at their current state, except that a completion dated after the
    # moment had not happened yet.
    if created_at >= moment:
        return None
    if status in DONE_STATUSES and (completed_on is None or completed_on >= timezone.localdate(moment)):
        return Status.IN_PROGRESS
    return status


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


def _list_changes(lists: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, int | None] | None:
    """How many more (or fewer) items each period list has than in the previous report."""
    if previous is None:
        return None
    return {
        key: None if previous.get(f"{key}_count") is None else lists[f"{key}_count"] - previous[f"{key}_count"]
        for key in LIST_KEYS
    }


class _Tally:
    """Planned, completed and overdue at the end of the period, by owner type and by branch of the tree."""

    def __init__(self, unit: Unit) -> None:
        self.branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
        self.by_owner_type: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
        self.by_branch: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))

    def add(self, *, owner_type: str, path: str, status: str, overdue: bool, count: int = 1) -> None:
        # The unit's own items fall under its own path, shorter than any branch's.
        for figures in (self.by_owner_type[owner_type], self.by_branch[path[: self.branch_length]]):
            if counts_as_planned(status):  # drafts, items awaiting approval and cancelled ones count nowhere
                figures["planned"] += count
            if counts_as_completed(status):
                figures["completed"] += count
            if overdue:
                figures["overdue"] += count


class _Lights:
    """The lights of the items being delivered at the end of the period, per branch of the tree.

    Each light as the item page would have shown it on the period's last evening: red when overdue, yellow from
    the first day it lights yellow (apps/items/lights.py) with the progress reported by then, green otherwise.
    The units' settings and the working calendar are taken as they are now.
    """

    def __init__(self, unit: Unit, period: Period) -> None:
        self.unit = unit
        self.day = period.end + datetime.timedelta(days=1)  # the midnight ending the period, as overdue counts
        self.branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
        self.by_branch: dict[str, Counter[str]] = defaultdict(Counter)
        self.calendar = WorkCalendar()
        self.settings: dict[str, SupervisionSettings] = {}

    def _settings(self, path: str) -> SupervisionSettings:
        if not self.settings:
            self.settings = settings_for_paths(
                Unit.objects.filter(subtree_q(self.unit.path)).values_list("path", flat=True)
            )
        return self.settings[path]

    def add(self, *, path: str, status: str, deadline: datetime.date, start: datetime.date, progress: int) -> None:
        first = yellow_from(
            start=start, deadline=deadline, progress=progress, settings=self._settings(path), calendar=self.calendar
        )
        self.by_branch[path[: self.branch_length]][light_on(status, deadline, first, self.day)] += 1

    def data(self, children: list[Unit]) -> dict[str, Any]:
        def counts(counter: Counter[str]) -> dict[str, int]:
            return {light: counter.get(light, 0) for light in LIGHTS}

        return branch_section(self.unit, children, self.by_branch, counts)


def _latest_moves(
    of_items: Q, actions: list[str], *, before: datetime.datetime
) -> dict[int, tuple[str, datetime.datetime, datetime.date | None, str]]:
    """Each item's last move of `actions` before `before`: item id -> (action, at, due, the item's unit path)."""
    moves = ItemTransition.objects.filter(of_items, action__in=actions, at__lt=before)
    latest = {}
    rows = moves.order_by("at", "id").values_list("item_id", "action", "at", "due", "item__unit__path")
    with transaction.atomic():  # a cursor that streams, not one held past the transaction (WITH HOLD)
        for item_id, action, at, due, path in rows.iterator(5000):
            latest[item_id] = (action, at, due, path)
    return latest


class _Timeliness:
    """On-time completion (按期办结率) and acknowledgement (签收及时率) in the period, per branch of the tree.

    A completion counts once, at the item's last completion in the period, judged against the deadline in force
    then (ItemTransition.due); so does an acknowledgement, against the day it was due by (both from the period's
    moves, moves.py). The items still not acknowledged at the end of the period, past that day, count against the
    acknowledgement rate: waiting on the last evening is the last assignment before the end not followed by an
    acknowledgement or a decline.
    """

    def __init__(self, unit: Unit, of_items: Q, period: Period, moves: PeriodMoves) -> None:
        self.unit = unit
        self.branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
        self.by_branch: dict[str, Counter[str]] = defaultdict(Counter)
        for branch, counts in moves.by_branch.items():
            self.by_branch[branch].update(counts)
        # The first LIST_LIMIT late completions, (at, item id, due) in that order, and how many there are.
        self.late_completions = moves.late
        self.late_count = moves.late_count
        end = start_of(period.end + datetime.timedelta(days=1))
        steps = [Action.ASSIGN, Action.ACKNOWLEDGE, Action.DECLINE]
        # item id -> (the day it was due by, its unit's path): still waiting, past the day, if being delivered
        self.waiting_late_candidates = {
            item_id: (due, path)
            for item_id, (action, _at, due, path) in _latest_moves(of_items, steps, before=end).items()
            if action == Action.ASSIGN and due is not None and due <= period.end
        }
        self.waiting_late: list[tuple[datetime.date, int]] = []

    def add_waiting(self, item_id: int, status_at_end: str) -> None:
        """Count the item as still waiting past its limit if it was one of the candidates and being delivered."""
        if item_id in self.waiting_late_candidates and status_at_end in ACTIVE_STATUSES:
            due, path = self.waiting_late_candidates[item_id]
            self.by_branch[path[: self.branch_length]]["waiting_late"] += 1
            self.waiting_late.append((due, item_id))

    @staticmethod
    def _figures(counts: Counter[str]) -> dict[str, Any]:
        figures: dict[str, Any] = {name: counts.get(name, 0) for name in TIMELINESS}
        on_time = completion_rate(completed=figures["completed_on_time"], planned=figures["completed"])
        due = figures["acknowledged"] + figures["waiting_late"]
        acknowledgement = completion_rate(completed=figures["acknowledged_on_time"], planned=due)
        figures["on_time_rate"] = _rate_text(on_time)
        figures["acknowledgement_rate"] = _rate_text(acknowledgement)
        return figures

    def data(self, children: list[Unit]) -> dict[str, Any]:
        return branch_section(self.unit, children, self.by_branch, self._figures)


def _notices(unit: Unit, period: Period, children: list[Unit]) -> dict[str, Any]:
    """Supervision notices on items owned in the subtree, per branch: issued, answered and red in the period, and
    past their reply deadline at its end (not replied, accepted or escalated before its end), from their steps."""
    start, end = start_of(period.start), start_of(period.end + datetime.timedelta(days=1))
    branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
    # Each notice keeps its item's owning unit's path (Notice.unit_path): neither the items nor the units are read.
    notices = Notice.objects.filter(subtree_q(unit.path, "unit_path"), issued_at__lt=end)
    steps = NoticeEvent.objects.filter(notice__in=notices, at__lt=end)
    replied_in_period = set(
        steps.filter(kind=NoticeEventKind.REPLIED, at__gte=start).values_list("notice_id", flat=True)
    )
    moved_on = set(
        steps.filter(
            kind__in=[NoticeEventKind.REPLIED, NoticeEventKind.ACCEPTED, NoticeEventKind.ESCALATED]
        ).values_list("notice_id", flat=True)
    )
    by_branch: dict[str, Counter[str]] = defaultdict(Counter)
    for notice_id, colour, issued_at, reply_by, path in notices.values_list(
        "id", "colour", "issued_at", "reply_by", "unit_path"
    ).iterator(2000):
        counts = by_branch[path[:branch_length]]
        if issued_at >= start:
            counts["issued"] += 1
            counts["red"] += colour == NoticeColour.RED
        counts["answered"] += notice_id in replied_in_period
        # waiting at the midnight ending the period, due before it: the dashboard's overdue (reply_by < today)
        counts["overdue"] += notice_id not in moved_on and reply_by <= period.end

    def figures(counter: Counter[str]) -> dict[str, int]:
        return {name: counter.get(name, 0) for name in NOTICE_FIGURES}

    return branch_section(unit, children, by_branch, figures)


def _item_rows(items: QuerySet[WorkItem], ids: list[int], period: Period) -> list[dict[str, Any]]:
    """The rows of the items `ids`, in that order, with their status and progress at the end of the period."""
    end = start_of(period.end + datetime.timedelta(days=1))
    percents = ProgressUpdate.objects.filter(item=OuterRef("pk"), at__lt=end).order_by("-at", "-id")
    found = {
        item.pk: item
        for item in _with_standing(items.filter(pk__in=ids), period)
        .annotate(percent_at_end=Subquery(percents.values("percent")[:1]))
        .select_related("unit", "responsible_unit", "responsible_person", "lead_leader")
    }
    rows = []
    for item_id in ids:
        item = found[item_id]
        status = _status_then(
            has_history=item.has_history,
            recorded=item.status_at_end,
            status=item.status,
            completed_on=item.completed_on,
            created_at=item.created_at,
            moment=end,
        )
        if not item.has_history:
            progress = item.progress_percent
        elif status in DONE_STATUSES:
            progress = 100  # completing sets 100%; returning goes back to the last reported figure
        else:
            progress = item.percent_at_end or 0
        rows.append(
            {
                "id": item.pk,
                "number": item.number,
                "title": item.title,
                "owner_type": item.owner_type,
                "unit": item.unit.name,
                "responsible_unit": item.responsible_unit.name,
                "responsible_person": str(item.responsible_person) if item.responsible_person else "",
                "lead_leader": str(item.lead_leader) if item.lead_leader else "",
                "deadline": item.deadline.isoformat(),
                "status": status,
                "progress": progress,
                "key_level": item.key_level,
            }
        )
    return rows


def _period_lists(
    items: QuerySet[WorkItem], lists: tuple[tuple[str, str], ...], period: Period, moves: PeriodMoves
) -> dict[str, Any]:
    """The lists of the items moved in the period (completed, closed, …): each one's count and first rows, in the
    order of each item's last move of the list's action (a time line of the last moves, not of the first)."""
    listed = {action: moves.listed.get(action, []) for _key, action in lists}
    reasons = dict(
        ItemTransition.objects.filter(pk__in=[move_id for rows in listed.values() for _at, move_id, _item in rows])
        .order_by()
        .values_list("id", "reason")
    )
    result: dict[str, Any] = {}
    for key, action in lists:
        result[f"{key}_count"] = moves.items.get(action, 0)
        rows = _item_rows(items, [item_id for _at, _id, item_id in listed[action]], period)
        for row, (at, move_id, _item_id) in zip(rows, listed[action], strict=True):
            row["at"] = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
            row["reason"] = reasons[move_id]
        result[f"{key}_items"] = rows
    return result


def _by_order(entries: Iterable[tuple[Any, ...]]) -> list[int]:
    """The item ids (the last element of each entry), in the order of the entries."""
    return [entry[-1] for entry in sorted(entries)]


def _count_item_by_item(
    items: QuerySet[WorkItem],
    unit: Unit,
    period: Period,
    *,
    tally: _Tally,
    lights: _Lights,
    timeliness: _Timeliness,
    newly_overdue: list[tuple[datetime.date, int]],
    key_items: list[tuple[str, datetime.date, int]],
    on_progress: Callable[[int], None],
) -> None:
    """Each item's standing read with subqueries and counted here, one by one: the plain path, which databases
    other than PostgreSQL take and the database's own counting (standing.py) is checked against."""
    start_moment = start_of(period.start)
    end_moment = start_of(period.end + datetime.timedelta(days=1))
    percents = ProgressUpdate.objects.filter(item=OuterRef("pk"), at__lt=end_moment).order_by("-at", "-id")
    standing = _with_standing(items, period).annotate(percent_at_end=Subquery(percents.values("percent")[:1]))
    rows = standing.values_list(
        "id",
        "owner_type",
        "unit__path",
        "deadline",
        "is_key",
        "key_level",
        "status",
        "completed_on",
        "created_at",
        "has_history",
        "status_at_start",
        "status_at_end",
        "start_date",
        "progress_percent",
        "percent_at_end",
    )
    for count, row in enumerate(rows.iterator(chunk_size=5000), start=1):
        (item_id, owner_type, path, deadline, is_key, key_level, status, completed_on, created_at) = row[:9]
        has_history, recorded_at_start, recorded_at_end, start_date, progress, percent_at_end = row[9:]
        current = {"status": status, "completed_on": completed_on, "created_at": created_at}
        at_end = _status_then(has_history=has_history, recorded=recorded_at_end, moment=end_moment, **current)
        if at_end is None:
            continue
        at_start = _status_then(has_history=has_history, recorded=recorded_at_start, moment=start_moment, **current)
        overdue = is_overdue_on(at_end, deadline, period.end + datetime.timedelta(days=1))
        tally.add(owner_type=owner_type, path=path, status=at_end, overdue=overdue)
        timeliness.add_waiting(item_id, at_end)
        if at_end in ACTIVE_STATUSES:
            if has_history:  # the progress reported by the end; completing sets 100%, so only open items matter
                progress = percent_at_end or 0
            lights.add(
                path=path,
                status=at_end,
                deadline=deadline,
                start=schedule_start(start_date, created_at),
                progress=progress,
            )
        if overdue and not is_overdue_on(at_start, deadline, period.start):
            newly_overdue.append((deadline, item_id))
        if is_key and counts_as_planned(at_end):
            key_items.append((key_level, deadline, item_id))
        if count % PROGRESS_EVERY_ROWS == 0:
            on_progress(10)


def _counts_in_database() -> bool:
    """PostgreSQL counts the items itself (standing.py); other databases take the plain per-item loop."""
    return connection.vendor == "postgresql"


def _groups_counted_in_database(
    items: QuerySet[WorkItem], unit: Unit, period: Period, ids: tuple[int, int] | None = None
) -> list[StandingGroup]:
    """On PostgreSQL: the items (those with ids in [low, high) of `ids`) replayed and counted by the database in one
    pass, a few hundred groups back."""
    return list(
        standing_groups(
            items=items,
            unit=unit,
            branch_length=len(unit.path) + PATH_SEGMENT_WIDTH,
            start=start_of(period.start),
            end=start_of(period.end + datetime.timedelta(days=1)),
            start_day=period.start,
            end_day=period.end + datetime.timedelta(days=1),
            ids=ids,
        )
    )


def _id_parts(parts: int) -> list[tuple[int, int]]:
    """The range of the items' ids cut in `parts` ranges [low, high) of about as many ids each."""
    bounds = WorkItem.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"] or 0, (bounds["high"] or 0) + 1
    cuts = [low + (high - low) * part // parts for part in range(parts)] + [high]
    return list(itertools.pairwise(cuts))


def _on_a_connection_of_its_own(read: Callable[[], list[StandingGroup]]) -> list[StandingGroup]:
    """Run `read` in this thread, on this thread's own connection, closed when done."""
    try:
        return read()
    finally:
        connections.close_all()


def _count_groups(
    groups: list[StandingGroup],
    items: QuerySet[WorkItem],
    period: Period,
    *,
    tally: _Tally,
    lights: _Lights,
    timeliness: _Timeliness,
    newly_overdue: list[tuple[datetime.date, int]],
    key_items: list[tuple[str, datetime.date, int]],
) -> None:
    """Add up the groups the database counted; the few items waiting to be acknowledged are replayed here."""
    for group in groups:
        tally.add(
            owner_type=group.owner_type,
            path=group.branch,
            status=group.status,
            overdue=group.overdue,
            count=group.count,
        )
        if group.light:
            lights.by_branch[group.branch][group.light] += group.count
        for item in group.listed:
            if group.newly_overdue:
                newly_overdue.append((item.deadline, item.item_id))
            if group.key:
                key_items.append((item.key_level, item.deadline, item.item_id))
    end = start_of(period.end + datetime.timedelta(days=1))
    waiting = _with_standing(items.filter(pk__in=list(timeliness.waiting_late_candidates)), period).values_list(
        "id", "has_history", "status_at_end", "status", "completed_on", "created_at"
    )
    for item_id, has_history, recorded, status, completed_on, created_at in waiting.order_by("id"):
        at_end = _status_then(
            has_history=has_history,
            recorded=recorded,
            status=status,
            completed_on=completed_on,
            created_at=created_at,
            moment=end,
        )
        if at_end is not None:
            timeliness.add_waiting(item_id, at_end)


def snapshot_build(
    *,
    unit: Unit,
    period: Period,
    previous_data: dict[str, Any] | None,
    on_progress: Callable[[int], None] = lambda percent: None,
) -> dict[str, Any]:
    """Every figure of the report for the subtree under `unit` as it stood at the end of `period`, as JSON data."""
    start_moment = start_of(period.start)
    end_moment = start_of(period.end + datetime.timedelta(days=1))
    # Items created after the end are not in the report (their creation is a transition after the end too).
    items = WorkItem.objects.filter(subtree_q(unit.path, "unit__path"), created_at__lt=end_moment)

    tally = _Tally(unit)
    lights = _Lights(unit, period)
    # The same items, for the queries of their transitions: on the join those make anyway, not a second read.
    of_items = subtree_q(unit.path, "item__unit__path") & Q(item__created_at__lt=end_moment)
    newly_overdue: list[tuple[datetime.date, int]] = []
    key_items: list[tuple[str, datetime.date, int]] = []
    listed_moves = (
        ("completed", Action.COMPLETE),
        ("closed", Action.CLOSE),
        ("returned", Action.RETURN),
        ("extended", Action.GRANT_EXTENSION),
    )
    read_moves = functools.partial(
        period_moves_in_database if _counts_in_database() else period_moves_plain,
        of_items,
        start=start_moment,
        end=end_moment,
        branch_length=len(unit.path) + PATH_SEGMENT_WIDTH,
        limit=LIST_LIMIT,
    )
    if not _counts_in_database():
        moves = read_moves()
        timeliness = _Timeliness(unit, of_items, period, moves)
        period_lists = _period_lists(items, listed_moves, period, moves)
        _count_item_by_item(
            items,
            unit,
            period,
            tally=tally,
            lights=lights,
            timeliness=timeliness,
            newly_overdue=newly_overdue,
            key_items=key_items,
            on_progress=on_progress,
        )
    else:
        # The database counts the items in parts, each on a connection of its own, while the moves of the period are
        # read on this one: the counting is the longest read, and the period's moves take a part of it only.
        # Outside a transaction only: another connection would not see what this one has not committed yet.
        count = functools.partial(_groups_counted_in_database, items, unit, period)
        with ThreadPoolExecutor(max_workers=STANDING_PARTS) as pool:
            counted = (
                []
                if connection.in_atomic_block
                else [
                    pool.submit(_on_a_connection_of_its_own, functools.partial(count, ids=part))
                    for part in _id_parts(STANDING_PARTS)
                ]
            )
            moves = read_moves()
            timeliness = _Timeliness(unit, of_items, period, moves)
            period_lists = _period_lists(items, listed_moves, period, moves)
            groups = [group for part in counted for group in part.result()] if counted else count()
        on_progress(10)
        _count_groups(
            groups,
            items,
            period,
            tally=tally,
            lights=lights,
            timeliness=timeliness,
            newly_overdue=newly_overdue,
            key_items=key_items,
        )
    on_progress(20)

    previous_rows = {row["owner_type"]: row for row in (previous_data or {}).get("owner_types", [])}
    owner_types = []
    total = dict.fromkeys(FIGURES, 0)
    for owner_type in OwnerType:
        figures = _figures(tally.by_owner_type.get(owner_type, {}))
        for name in FIGURES:
            total[name] += figures[name]
        figures.update(owner_type=owner_type.value, kind=KIND_OF_OWNER_TYPE[owner_type].value)
        figures["change"] = _change(figures, previous_rows.get(owner_type.value)) if previous_data else None
        owner_types.append(figures)
    total = _figures(total)
    total["change"] = _change(total, previous_data["total"]) if previous_data else None

    previous_children = {row["unit_id"]: row for row in (previous_data or {}).get("children", [])}
    children = []
    child_units = list(unit.children.order_by("path"))
    for child in child_units:
        figures = _figures(tally.by_branch.get(child.path, {}))
        figures.update(unit_id=child.pk, name=child.name)
        figures["change"] = _change(figures, previous_children.get(child.pk)) if previous_data else None
        children.append(figures)
    own = tally.by_branch.get(unit.path)
    on_progress(40)

    lists: dict[str, Any] = {}
    lists.update(period_lists)
    lists["newly_overdue_count"] = len(newly_overdue)
    lists["newly_overdue_items"] = _item_rows(items, _by_order(newly_overdue)[:LIST_LIMIT], period)
    late = timeliness.late_completions  # in order of (at, item id, due) already, the first LIST_LIMIT
    lists["completed_late_count"] = timeliness.late_count
    lists["completed_late_items"] = _item_rows(items, [item_id for _at, item_id, _due in late[:LIST_LIMIT]], period)
    for row, (at, _item_id, due) in zip(lists["completed_late_items"], late, strict=False):
        row["at"] = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
        row["deadline"] = due.isoformat()  # the deadline in force when it was completed
    waiting = sorted(timeliness.waiting_late)
    lists["not_acknowledged_count"] = len(waiting)
    lists["not_acknowledged_items"] = _item_rows(items, _by_order(waiting)[:LIST_LIMIT], period)
    for row, (due, _item_id) in zip(lists["not_acknowledged_items"], waiting, strict=False):
        row["due"] = due.isoformat()
    lists["key_count"] = len(key_items)
    lists["key_items"] = [
        {**row, "completed": row["status"] in DONE_STATUSES}
        for row in _item_rows(items, _by_order(key_items)[:LIST_LIMIT], period)
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
        "list_changes": _list_changes(lists, previous_data),
        "lights": lights.data(child_units),
        "timeliness": timeliness.data(child_units),
        "notices": _notices(unit, period, child_units),
        "requests": requests_in_period(unit, child_units, start=start_moment, end=end_moment),
    }
