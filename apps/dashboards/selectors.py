# Performance-critical: guarded by bench/dashboard.py; run `make bench` after changing it.
"""Completion-rate figures for a unit's subtree, read from the rollup counters (or counted from items)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from apps.accounts.models import User
from apps.core.rates import completion_rate
from apps.dashboards.counter_reads import counters_read
from apps.dashboards.item_lists import ListedItem, lists_from_items, lists_read
from apps.dashboards.notice_figures import NoticeFigures, NoticeTallies, notice_tallies
from apps.dashboards.request_figures import RequestFigures, RequestTallies, request_tallies
from apps.items.counters.writes import ancestor_ids, week_of
from apps.items.models import (
    ACTIVE_STATUS_LIST,
    ACTIVE_STATUSES,
    KIND_OF_OWNER_TYPE,
    Acknowledgement,
    Category,
    OwnerType,
    Status,
    WorkItem,
    acknowledgement_q,
    completed_q,
    counts_as_completed,
    counts_as_planned,
    on_time_q,
    overdue_q,
    planned_q,
    today_local,
)
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH
from apps.org.scope import LARGEST_UNIT_ID, user_reaches

TREND_WEEKS = 12
OVERDUE_LIST_SIZE = 10
KEY_LIST_SIZE = 20
# How the rows of the child units can be sorted: by name (their order in the tree), rate or overdue.
CHILD_SORTS = ("unit", "rate", "-rate", "overdue", "-overdue")


@dataclass
class Figures:
    """Planned, completed and overdue counts of one group of items, and the lights of those being delivered."""

    planned: int = 0
    completed: int = 0
    overdue: int = 0
    active: int = 0  # being delivered: planned, open, not suspended; each has a light
    lit: int = 0  # of those, yellow or red today
    on_time: int = 0  # completed on or before the deadline in force (按期办结)
    acknowledged_on_time: int = 0  # handed down and acknowledged (签收) within the limit
    acknowledged_late: int = 0
    waiting: int = 0  # handed down, being delivered, not acknowledged yet (未签收)
    waiting_late: int = 0  # of those, past the limit today

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(completed=self.completed, planned=self.planned)

    @property
    def on_time_rate(self) -> Decimal | None:
        """按期办结率: completed on time ÷ completed."""
        return completion_rate(completed=self.on_time, planned=self.completed)

    @property
    def late_completions(self) -> int:
        return self.completed - self.on_time

    @property
    def acknowledgement_rate(self) -> Decimal | None:
        """签收及时率: acknowledged on time ÷ (acknowledged + still waiting past the limit)."""
        due = self.acknowledged_on_time + self.acknowledged_late + self.waiting_late
        return completion_rate(completed=self.acknowledged_on_time, planned=due)

    @property
    def red(self) -> int:
        return self.overdue

    @property
    def yellow(self) -> int:
        return self.lit - self.overdue

    @property
    def green(self) -> int:
        return self.active - self.lit

    def add(self, other: Figures) -> None:
        for name in FIGURE_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def minus(self, other: Figures) -> Figures:
        return Figures(**{name: getattr(self, name) - getattr(other, name) for name in FIGURE_FIELDS})


FIGURE_FIELDS = (
    "planned",
    "completed",
    "overdue",
    "active",
    "lit",
    "on_time",
    "acknowledged_on_time",
    "acknowledged_late",
    "waiting",
    "waiting_late",
)


@dataclass
class OwnerTypeRow:
    owner_type: OwnerType
    figures: Figures

    @property
    def kind(self) -> str:
        return KIND_OF_OWNER_TYPE[self.owner_type]


@dataclass
class ChildRow:
    unit: Unit | None  # None for the items the scope unit owns itself
    figures: Figures
    has_children: bool = False
    notices: NoticeFigures = field(default_factory=NoticeFigures)  # supervision notices on its items
    requests: RequestFigures = field(default_factory=RequestFigures)  # citizens' requests it handles


@dataclass
class StatusRow:
    status: Status
    count: int


@dataclass
class CategoryRow:
    category: Category
    figures: Figures  # planned and completed; overdue is not counted per category


@dataclass
class TrendPoint:
    week: datetime.date  # the Monday the week starts on
    completed: int

    @property
    def week_end(self) -> datetime.date:
        return self.week + datetime.timedelta(days=6)


@dataclass
class Dashboard:
    unit: Unit
    breadcrumbs: list[Unit]
    owner_type_rows: list[OwnerTypeRow]
    total: Figures
    child_rows: list[ChildRow] = field(default_factory=list)
    today: datetime.date | None = None
    sort: str = "unit"
    status_rows: list[StatusRow] = field(default_factory=list)
    category_rows: list[CategoryRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    overdue_items: list[ListedItem] = field(default_factory=list)
    key_items: list[ListedItem] = field(default_factory=list)
    notices: NoticeFigures = field(default_factory=NoticeFigures)  # of the whole subtree
    requests: RequestFigures = field(default_factory=RequestFigures)  # of the whole subtree
    ancestors: list[Unit] = field(default_factory=list)  # every unit above, from the root, seen or not


@dataclass
class _Tallies:
    """What a dashboard is made of, from either source: the counters or the items themselves."""

    by_owner_type: dict[str, Figures]
    by_branch: dict[int | None, Figures]  # a child's id, or None for the unit's own items
    by_status: Counter[str]
    by_category: dict[int, Figures]
    by_week: Counter[datetime.date]
    categories: dict[int, Category]
    # The deadline by which the longest overdue items all fall (counters only); None when none is overdue.
    overdue_until: datetime.date | None = None


def dashboard_unit_for(*, user: User, unit_id: int | str | None) -> Unit:
    """The unit a dashboard is asked for, if the user may see it (default: the user's own unit)."""
    if unit_id in (None, ""):
        unit = user.unit if user.unit_id else Unit.objects.visible_to(user).order_by("depth", "path").first()
    elif not str(unit_id).isdigit() or int(unit_id) > LARGEST_UNIT_ID or not user.is_authenticated:
        unit = None  # an id no database could hold is a unit that does not exist, not a database error
    else:
        # The unit and the user's own unit in one query; the one visibility rule is then applied to the row.
        units = {other.pk: other for other in _units_where("unit.id IN (%s, %s)", [int(unit_id), user.unit_id or 0])}
        if user.unit_id in units:
            user.unit = units[user.unit_id]
        unit = units.get(int(unit_id))
        unit = unit if unit is not None and user_reaches(user, unit) else None
    if unit is None:
        raise Http404
    return unit


def breadcrumbs_for(user: User, unit: Unit, ancestors: list[Unit]) -> list[Unit]:
    """The units above `unit` the user may see, from the highest, then the unit itself."""
    return [other for other in ancestors if user_reaches(user, other)] + [unit]


def _units_where(where: str, params: list, *, has_children: bool = False) -> list[Unit]:
    """Units by a plain WHERE clause over `unit`, ordered by path; `has_children` set on each when asked for.

    A dashboard is a handful of small queries, and building these with the ORM (an Exists subquery
    above all) took several times longer than running them; they are written out instead.
    """
    quote = connection.ops.quote_name
    fields = Unit._meta.concrete_fields
    columns = ", ".join(f"unit.{quote(field.column)}" for field in fields)
    # The table's name and fixed clauses are written in; every value is a parameter.
    table = quote(Unit._meta.db_table)
    children = f", EXISTS (SELECT 1 FROM {table} child WHERE child.parent_id = unit.id)" if has_children else ""  # noqa: S608
    sql = f"SELECT {columns}{children} FROM {table} unit WHERE {where} ORDER BY unit.path"  # noqa: S608
    names, width = [field.attname for field in fields], len(fields)
    units = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            unit = Unit.from_db(connection.alias, names, row[:width])
            if has_children:
                unit.has_children = bool(row[width])  # SQLite answers 0 or 1
            units.append(unit)
    return units


def _status_figures(counts: dict[str, int]) -> Figures:
    return Figures(
        planned=sum(count for status, count in counts.items() if counts_as_planned(status)),
        completed=sum(count for status, count in counts.items() if counts_as_completed(status)),
        active=sum(count for status, count in counts.items() if status in ACTIVE_STATUSES),
    )


def _tallies_from_counters(unit: Unit, child_ids: list[int], today: datetime.date) -> _Tallies:
    """Read the unit's rollup rows and its children's: a few dozen rows, whatever the size of the subtree."""
    rows = counters_read(
        unit_id=unit.pk,
        child_ids=child_ids,
        today=today,
        first_week=_first_week(today),
        overdue_days=OVERDUE_LIST_SIZE,
    )
    by_owner_type: dict[str, Figures] = defaultdict(Figures)
    by_branch: dict[int | None, Figures] = defaultdict(Figures)
    by_status: Counter[str] = Counter()
    own_items = 0  # every item, cancelled too: the unit's own row shows when it owns any item at all
    for (unit_id, owner_type), counts in rows.statuses.items():
        figures = _status_figures(counts)
        if unit_id == unit.pk:
            by_owner_type[owner_type].add(figures)
            by_status.update(counts)
            own_items += sum(counts.values())
        else:
            by_branch[unit_id].add(figures)
            own_items -= sum(counts.values())
    for (unit_id, owner_type), late in rows.overdue.items():
        if unit_id == unit.pk:
            by_owner_type[owner_type].overdue += late
        else:
            by_branch[unit_id].overdue += late
    for (unit_id, owner_type), lit in rows.lit.items():
        if unit_id == unit.pk:
            by_owner_type[owner_type].lit += lit
        else:
            by_branch[unit_id].lit += lit
    for (unit_id, owner_type), numbers in rows.timeliness.items():
        figures = by_owner_type[owner_type] if unit_id == unit.pk else by_branch[unit_id]
        figures.on_time += numbers[0]
        figures.acknowledged_on_time += numbers[1]
        figures.acknowledged_late += numbers[2]
    for (unit_id, owner_type), (waiting, waiting_late) in rows.waiting.items():
        figures = by_owner_type[owner_type] if unit_id == unit.pk else by_branch[unit_id]
        figures.waiting += waiting
        figures.waiting_late += waiting_late
    # The unit's own items are what its subtree holds beyond its children's subtrees.
    own = Figures()
    for figures in by_owner_type.values():
        own.add(figures)
    for figures in by_branch.values():
        own = own.minus(figures)
    if own_items:
        by_branch[None] = own
    by_category = {category_id: Figures(planned, done) for category_id, (_c, planned, done) in rows.categories.items()}
    return _Tallies(
        by_owner_type,
        by_branch,
        by_status,
        by_category,
        Counter(rows.weeks),
        {category_id: category for category_id, (category, _planned, _done) in rows.categories.items()},
        overdue_until=rows.overdue_until(OVERDUE_LIST_SIZE),
    )


def _first_week(today: datetime.date) -> datetime.date:
    return week_of(today) - datetime.timedelta(weeks=TREND_WEEKS - 1)


def _figure_counts(today: datetime.date) -> dict:
    return {
        "planned": Count("id", filter=planned_q()),
        "completed": Count("id", filter=completed_q()),
        "overdue": Count("id", filter=overdue_q(today)),
        "active": Count("id", filter=Q(status__in=ACTIVE_STATUS_LIST)),
        "lit": Count("id", filter=Q(status__in=ACTIVE_STATUS_LIST, yellow_from__lte=today)),
        "on_time": Count("id", filter=on_time_q()),
        "acknowledged_on_time": Count("id", filter=acknowledgement_q(Acknowledgement.ON_TIME)),
        "acknowledged_late": Count("id", filter=acknowledgement_q(Acknowledgement.LATE)),
        "waiting": Count("id", filter=acknowledgement_q(Acknowledgement.WAITING)),
        "waiting_late": Count("id", filter=acknowledgement_q(Acknowledgement.WAITING_LATE, today)),
    }


def _figures(row: dict) -> Figures:
    return Figures(**{name: row[name] for name in FIGURE_FIELDS})


def _tallies_from_items(unit: Unit, items: QuerySet[WorkItem], today: datetime.date) -> _Tallies:
    """Count the items themselves with GROUP BY: the naive way, kept as the yardstick the counters must equal."""
    items = items.order_by()
    by_owner_type = {
        row["owner_type"]: _figures(row) for row in items.values("owner_type").annotate(**_figure_counts(today))
    }
    # Each child's subtree shares the first len(child.path) characters of its path, so one GROUP BY
    # over that prefix gives every child's figures; the unit's own items keep the shorter prefix.
    branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
    by_branch: dict[int | None, Figures] = {}
    for row in (
        items.annotate(branch=Substr("unit__path", 1, branch_length)).values("branch").annotate(**_figure_counts(today))
    ):
        by_branch[None if row["branch"] == unit.path else int(row["branch"][-PATH_SEGMENT_WIDTH:])] = _figures(row)
    by_status = Counter(dict(items.values_list("status").annotate(n=Count("id"))))
    by_category = {
        row["category_id"]: Figures(row["planned"], row["completed"])
        for row in items.values("category_id").annotate(
            planned=Count("id", filter=planned_q()),
            completed=Count("id", filter=completed_q()),
        )
    }
    first_week = _first_week(today)
    by_week: Counter[datetime.date] = Counter()
    done = items.filter(completed_q(), completed_on__gte=first_week, completed_on__lte=today)
    for day, count in done.values_list("completed_on").annotate(n=Count("id")):
        by_week[week_of(day)] += count
    categories = Category.objects.in_bulk(list(by_category))
    return _Tallies(by_owner_type, by_branch, by_status, by_category, by_week, categories)


def _sort_children(rows: list[ChildRow], sort: str) -> list[ChildRow]:
    """Rows by rate or overdue; units with no rate ("—") go last either way."""
    if sort in ("rate", "-rate"):
        sign = -1 if sort.startswith("-") else 1
        return sorted(rows, key=lambda row: (row.figures.rate is None, sign * (row.figures.rate or 0)))
    if sort in ("overdue", "-overdue"):
        sign = -1 if sort.startswith("-") else 1
        return sorted(rows, key=lambda row: sign * row.figures.overdue)
    return rows


def dashboard_build(
    *,
    user: User,
    unit: Unit,
    items: QuerySet[WorkItem] | None = None,
    sort: str = "unit",
    with_notices: bool = True,
    with_requests: bool = True,
) -> Dashboard:
    """Figures by owner type, per child unit, status, category and week for the subtree rooted at `unit`.

    The figures come from the rollup counters; pass `items` (the subtree's items) to count them from
    the items instead — the slow, obvious way the counters are checked against. The supervision notices'
    figures are counted from the notices either way (one query; `with_notices=False` leaves them at zero), and the
    citizens' requests' from the requests (one query; `with_requests=False` leaves them at zero).
    """
    today = today_local()
    # The children (with whether they have children of their own) and the ancestors, in one query.
    above = ancestor_ids(unit.path)[:-1]
    in_above = ", ".join(["%s"] * len(above)) or "NULL"
    related = _units_where(f"unit.parent_id = %s OR unit.id IN ({in_above})", [unit.pk, *above], has_children=True)
    children = [other for other in related if other.parent_id == unit.pk]
    ancestors = [other for other in related if other.pk in above]
    breadcrumbs = breadcrumbs_for(user, unit, ancestors)
    if items is None:
        tallies = _tallies_from_counters(unit, [child.pk for child in children], today)
    else:
        tallies = _tallies_from_items(unit, items, today)

    notices = notice_tallies(unit=unit, today=today) if with_notices else NoticeTallies()
    requests = request_tallies(unit=unit) if with_requests else RequestTallies()

    owner_type_rows = [
        OwnerTypeRow(owner_type, tallies.by_owner_type.get(owner_type, Figures())) for owner_type in OwnerType
    ]
    total = Figures()
    for row in owner_type_rows:
        total.add(row.figures)
    child_rows = []
    if None in tallies.by_branch:
        child_rows.append(ChildRow(None, tallies.by_branch[None], notices=notices.of(None), requests=requests.of(None)))
    sort = sort if sort in CHILD_SORTS else "unit"
    child_rows += _sort_children(
        [
            ChildRow(
                child,
                tallies.by_branch.get(child.pk, Figures()),
                has_children=child.has_children,
                notices=notices.of(child),
                requests=requests.of(child),
            )
            for child in children
        ],
        sort,
    )
    category_rows = [
        CategoryRow(tallies.categories[category_id], figures)
        for category_id, figures in tallies.by_category.items()
        if figures.planned or figures.completed
    ]
    category_rows.sort(key=lambda row: (row.category.sort_order, row.category.code))
    this_week = week_of(today)
    trend = [
        TrendPoint(week, tallies.by_week.get(week, 0))
        for week in (this_week - datetime.timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1))
    ]
    if items is None:
        overdue_items, key_items = lists_read(
            unit=unit,
            today=today,
            overdue=OVERDUE_LIST_SIZE,
            key=KEY_LIST_SIZE,
            overdue_until=tallies.overdue_until,
        )
    else:
        overdue_items, key_items = lists_from_items(items, today=today, overdue=OVERDUE_LIST_SIZE, key=KEY_LIST_SIZE)
    return Dashboard(
        unit=unit,
        breadcrumbs=breadcrumbs,
        owner_type_rows=owner_type_rows,
        total=total,
        child_rows=child_rows,
        today=today,
        sort=sort,
        status_rows=[StatusRow(status, tallies.by_status.get(status, 0)) for status in Status],
        category_rows=category_rows,
        trend=trend,
        overdue_items=overdue_items,
        key_items=key_items,
        notices=notices.total,
        requests=requests.total,
        ancestors=ancestors,
    )
