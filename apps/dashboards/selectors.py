"""Completion-rate figures for a unit's subtree, counted straight from the items."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from apps.accounts.models import User
from apps.core.rates import completion_rate
from apps.items.models import DONE_STATUSES, KIND_OF_OWNER_TYPE, OwnerType, Status, WorkItem, overdue_q
from apps.org.models import PATH_SEGMENT_WIDTH, Unit

# The order leaders read the table in (DOMAIN.md).
OWNER_TYPE_ORDER = [
    OwnerType.LEADERSHIP_TEAM,
    OwnerType.TEAM_MEMBER,
    OwnerType.GRASSROOTS_ORGANISATION,
    OwnerType.PARTY_MEMBER,
]


@dataclass
class Figures:
    """Planned, completed and overdue counts of one group of items."""

    planned: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(completed=self.completed, planned=self.planned)

    def add(self, other: Figures) -> None:
        self.planned += other.planned
        self.completed += other.completed
        self.overdue += other.overdue


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


@dataclass
class Dashboard:
    unit: Unit
    breadcrumbs: list[Unit]
    owner_type_rows: list[OwnerTypeRow]
    total: Figures
    child_rows: list[ChildRow] = field(default_factory=list)


def _figure_counts() -> dict:
    return {
        "planned": Count("id", filter=~Q(status=Status.CANCELLED)),
        "completed": Count("id", filter=Q(status__in=DONE_STATUSES)),
        "overdue": Count("id", filter=overdue_q()),
    }


def _figures(row: dict) -> Figures:
    return Figures(planned=row["planned"], completed=row["completed"], overdue=row["overdue"])


def dashboard_unit_for(*, user: User, unit_id: int | str | None) -> Unit:
    """The unit a dashboard is asked for, if the user may see it (default: the user's own unit)."""
    units = Unit.objects.visible_to(user)
    if unit_id in (None, ""):
        unit = user.unit if user.unit_id else units.order_by("depth", "path").first()
    else:
        unit = units.filter(pk=unit_id).first() if str(unit_id).isdigit() else None
    if unit is None:
        raise Http404
    return unit


def dashboard_build(*, user: User, unit: Unit, items: QuerySet[WorkItem] | None = None) -> Dashboard:
    """Figures by owner type and per child unit for the subtree rooted at `unit`."""
    items = WorkItem.objects.in_subtree(unit.path) if items is None else items
    by_owner_type = {
        row["owner_type"]: _figures(row) for row in items.values("owner_type").annotate(**_figure_counts())
    }
    owner_type_rows = [
        OwnerTypeRow(owner_type, by_owner_type.get(owner_type, Figures())) for owner_type in OWNER_TYPE_ORDER
    ]
    total = Figures()
    for row in owner_type_rows:
        total.add(row.figures)

    # Each child's subtree shares the first len(child.path) characters of its path, so one GROUP BY
    # over that prefix gives every child's figures; the unit's own items keep the shorter prefix.
    branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
    by_branch = {
        row["branch"]: _figures(row)
        for row in items.annotate(branch=Substr("unit__path", 1, branch_length))
        .values("branch")
        .annotate(**_figure_counts())
    }
    children = list(unit.children.order_by("path"))
    grandchild_parents = set(Unit.objects.filter(parent__in=children).values_list("parent_id", flat=True).distinct())
    child_rows = []
    if unit.path in by_branch:
        child_rows.append(ChildRow(None, by_branch[unit.path]))
    child_rows += [
        ChildRow(child, by_branch.get(child.path, Figures()), has_children=child.pk in grandchild_parents)
        for child in children
    ]
    visible_ancestors = Unit.objects.visible_to(user).filter(pk__in=unit.ancestors().values("pk"))
    return Dashboard(
        unit=unit,
        breadcrumbs=list(visible_ancestors.order_by("depth")),
        owner_type_rows=owner_type_rows,
        total=total,
        child_rows=child_rows,
    )
