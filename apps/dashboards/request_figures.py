"""Citizens' requests (群众诉求) of a unit's subtree, in total and per child unit, for the dashboards and the ranking.

A request is counted by the unit handling it now (a forwarded request moves with it). Requests are few beside the
items, so they are counted from the requests in one GROUP BY over the child-branch prefix of that unit's path,
which each request keeps (CitizenRequest.unit_path, moved with it when forwarded): the query reads no unit.
- received: every request; accepted on time: taken on (受理) by the day it was due;
- answered: answered and closed (答复办结), or its work item closed (销号);
- 满意率 = satisfied and basically satisfied ÷ rated; 解决率 = confirmed solved ÷ rated (the sender's, or a phone
  follow-up's latest rating); reopened: the second rounds (二次办理) they took.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from apps.core.rates import completion_rate
from apps.core.raw_rows import dict_rows, statement_of
from apps.items.models import Status
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH, subtree_q
from apps.public.models import SATISFIED_RATINGS, CitizenRequest, RequestStatus


@dataclass
class RequestFigures:
    received: int = 0
    accepted_on_time: int = 0
    answered: int = 0
    rated: int = 0
    satisfied: int = 0
    solved: int = 0
    reopened: int = 0

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """满意率: satisfied and basically satisfied ÷ rated."""
        return completion_rate(completed=self.satisfied, planned=self.rated)

    @property
    def resolution_rate(self) -> Decimal | None:
        """解决率: the share the citizen confirmed solved, of those rated."""
        return completion_rate(completed=self.solved, planned=self.rated)

    def add(self, other: RequestFigures) -> None:
        for name in REQUEST_FIGURE_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


REQUEST_FIGURE_FIELDS = tuple(figure.name for figure in fields(RequestFigures))


@dataclass
class RequestTallies:
    total: RequestFigures = field(default_factory=RequestFigures)
    by_branch: dict[int | None, RequestFigures] = field(default_factory=dict)  # a child's id, None: the unit's own

    def of(self, unit: Unit | None) -> RequestFigures:
        return self.by_branch.get(unit.pk if unit is not None else None, RequestFigures())


@functools.lru_cache(maxsize=1024)
def _statement(path: str, vendor: str, zone: str) -> tuple[str, tuple]:
    """The tallies' query of the subtree at `path`, built by the ORM once (building it cost more than running it)
    and run as it is for every later dashboard of the subtree."""
    branch_length = len(path) + PATH_SEGMENT_WIDTH
    answered = Q(status=RequestStatus.ANSWERED) | Q(status=RequestStatus.TURNED_INTO_ITEM, item__status=Status.CLOSED)
    return statement_of(
        CitizenRequest.objects.filter(subtree_q(path, "unit_path"))
        .order_by()
        .annotate(branch=Substr("unit_path", 1, branch_length), accepted_on=TruncDate("accepted_at"))
        .values("branch")
        .annotate(
            received=Count("id"),
            accepted_on_time=Count("id", filter=Q(accepted_on__lte=F("accept_by"))),
            answered=Count("id", filter=answered),
            rated=Count("id", filter=~Q(rating="")),
            satisfied=Count("id", filter=Q(rating__in=sorted(SATISFIED_RATINGS))),
            solved=Count("id", filter=Q(solved=True)),
            reopened=Sum("reopened"),
        )
    )


def request_tallies(*, unit: Unit) -> RequestTallies:
    """The requests handled in the unit's subtree, per child branch and in total: one query."""
    # The day a request was taken on is read in the current time zone, which is part of the statement.
    rows = dict_rows(_statement(unit.path, connection.vendor, timezone.get_current_timezone_name()))
    tallies = RequestTallies()
    for row in rows:
        figures = RequestFigures(**{name: row[name] or 0 for name in REQUEST_FIGURE_FIELDS})
        branch = None if row["branch"] == unit.path else int(row["branch"][-PATH_SEGMENT_WIDTH:])
        tallies.by_branch[branch] = figures
        tallies.total.add(figures)
    return tallies
