"""Citizens' requests (群众诉求) in a report's period, per unit: what came in, what was taken on in time, what was
closed, and how the senders judged it (满意率, 解决率).

A request is counted by the unit handling it now (a forwarded request moves with it), as on the dashboard. Requests
are few beside the items, so they are read row by row:
- received: sent in the period; accepted on time: taken on (受理) in the period by the day it was due;
- answered: closed in the period, by a reply (答复办结) or by its work item's closing (销号);
- rated, satisfied, solved: rated in the period (the latest rating of each request, the sender's or a phone
  follow-up's); 满意率 = satisfied ÷ rated, 解决率 = solved ÷ rated;
- reopened: the second rounds (二次办理) opened in the period.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.core.rates import completion_rate
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH, subtree_q
from apps.public.models import SATISFIED_RATINGS, CitizenRequest, RequestAction, RequestStep
from apps.reports.branches import branch_section

REQUEST_FIGURES = ("received", "accepted_on_time", "answered", "rated", "satisfied", "solved", "reopened")


def request_figures(counts: Counter[str]) -> dict[str, Any]:
    """The counts, with 满意率 and 解决率 as text ("85.7"), None where nothing was rated."""
    figures: dict[str, Any] = {name: counts.get(name, 0) for name in REQUEST_FIGURES}
    for name, part in (("satisfaction_rate", "satisfied"), ("resolution_rate", "solved")):
        rate = completion_rate(completed=figures[part], planned=figures["rated"])
        figures[name] = None if rate is None else str(rate)
    return figures


def requests_in_period(
    unit: Unit, children: list[Unit], *, start: datetime.datetime, end: datetime.datetime
) -> dict[str, Any]:
    """The requests handled in the unit's subtree, per child branch, the unit's own and in total."""
    branch_length = len(unit.path) + PATH_SEGMENT_WIDTH
    in_subtree = CitizenRequest.objects.filter(subtree_q(unit.path, "unit_path")).order_by()  # reads no unit
    steps = RequestStep.objects.filter(request__in=in_subtree, at__gte=start, at__lt=end)
    answered = set(steps.filter(action=RequestAction.ANSWER).values_list("request_id", flat=True))
    reopened = Counter(steps.filter(action=RequestAction.REOPEN).values_list("request_id", flat=True))
    in_period = (
        Q(created_at__gte=start, created_at__lt=end)
        | Q(accepted_at__gte=start, accepted_at__lt=end)
        | Q(item__closed_at__gte=start, item__closed_at__lt=end)
        | Q(rated_at__gte=start, rated_at__lt=end)
        | Q(pk__in=answered | set(reopened))
    )
    by_branch: dict[str, Counter[str]] = defaultdict(Counter)
    rows = in_subtree.filter(in_period).values_list(
        "pk", "unit_path", "created_at", "accepted_at", "accept_by", "item__closed_at", "rating", "solved", "rated_at"
    )
    for pk, path, created_at, accepted_at, accept_by, item_closed_at, rating, solved, rated_at in rows:
        counts = by_branch[path[:branch_length]]
        counts["received"] += start <= created_at < end
        if accepted_at is not None and start <= accepted_at < end:
            counts["accepted_on_time"] += timezone.localdate(accepted_at) <= accept_by
        counts["answered"] += pk in answered or (item_closed_at is not None and start <= item_closed_at < end)
        if rated_at is not None and start <= rated_at < end and rating:
            counts["rated"] += 1
            counts["satisfied"] += rating in SATISFIED_RATINGS
            counts["solved"] += solved is True
        counts["reopened"] += reopened[pk]

    return branch_section(unit, children, by_branch, request_figures)
