# Performance-critical: guarded by bench/dashboard.py; run `make bench` after changing it.
"""Supervision notices (督办单) of a unit's subtree, in total and per child unit, for the dashboard and the ranking.

Notices are counted by the owning unit of their item, like every other figure: a subtree's notices are those on
items owned in it, which each notice keeps with that unit's path (Notice.unit, Notice.unit_path). Notices are few
(thousands, not millions), so they are counted from the notices themselves in one GROUP BY over the child-branch
prefix of that path, not kept in the rollup counters; the path is the notice's own column, so the query reads no
unit (joining the units read all of them: three quarters of the query's time at the province).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field, fields

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Substr

from apps.core.raw_rows import dict_rows, statement_of
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH, subtree_q
from apps.supervision.filtersets import notice_open_q, notice_replied_q
from apps.supervision.models import Notice, NoticeColour, notice_overdue_q


@dataclass
class NoticeFigures:
    """Notices issued, answered, past their reply deadline, red and still open, of one group of items."""

    issued: int = 0  # every notice, each colour; an escalation is a new notice
    answered: int = 0  # got a reply (a "replied" step), whatever was decided on it since
    overdue: int = 0  # still waiting for a reply past the reply deadline today
    red: int = 0
    open: int = 0  # waiting for a reply, or answered and waiting for the supervisor's decision

    def add(self, other: NoticeFigures) -> None:
        for name in NOTICE_FIGURE_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


NOTICE_FIGURE_FIELDS = tuple(figure.name for figure in fields(NoticeFigures))


@dataclass
class NoticeTallies:
    total: NoticeFigures = field(default_factory=NoticeFigures)
    by_branch: dict[int | None, NoticeFigures] = field(default_factory=dict)  # a child's id, None: the unit's own

    def of(self, unit: Unit | None) -> NoticeFigures:
        return self.by_branch.get(unit.pk if unit is not None else None, NoticeFigures())


def _counts(today: datetime.date) -> dict:
    return {
        "issued": Count("id"),
        "answered": Count("id", filter=notice_replied_q()),
        "overdue": Count("id", filter=notice_overdue_q(today)),
        "red": Count("id", filter=Q(colour=NoticeColour.RED)),
        "open": Count("id", filter=notice_open_q()),
    }


@functools.lru_cache(maxsize=1024)
def _statement(path: str, today: datetime.date, vendor: str) -> tuple[str, tuple]:
    """The tallies' query of the subtree at `path` on `today`, built by the ORM once (building it cost more than
    running it) and run as it is for every later dashboard of the subtree that day."""
    branch_length = len(path) + PATH_SEGMENT_WIDTH
    return statement_of(
        Notice.objects.filter(subtree_q(path, "unit_path"))
        .order_by()
        .annotate(branch=Substr("unit_path", 1, branch_length))
        .values("branch")
        .annotate(**_counts(today))
    )


def notice_tallies(*, unit: Unit, today: datetime.date) -> NoticeTallies:
    """The notices on items owned in the unit's subtree, per child branch and in total: one query."""
    rows = dict_rows(_statement(unit.path, today, connection.vendor))
    tallies = NoticeTallies()
    for row in rows:
        figures = NoticeFigures(**{name: row[name] for name in NOTICE_FIGURE_FIELDS})
        # Each child's subtree shares the first len(child.path) characters; the unit's own keep its shorter path.
        branch = None if row["branch"] == unit.path else int(row["branch"][-PATH_SEGMENT_WIDTH:])
        tallies.by_branch[branch] = figures
        tallies.total.add(figures)
    return tallies
