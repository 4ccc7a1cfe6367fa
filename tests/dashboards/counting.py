"""What the dashboard tests compare with: figures counted straight from the items, and items to count.

The counting rule is spelled out here as DOMAIN.md states it ("What counts"), not imported from the portal,
so a change of the portal's definition shows up as a failing figure.
"""

from __future__ import annotations

import datetime

import pytest

from apps.items.models import Status, WorkItem, today_local
from apps.org.models import Unit
from apps.org.paths import subtree_q
from tests.factories import WorkItemFactory

# Approved into the plan and not cancelled; drafts and items awaiting approval count nowhere.
PLANNED = ("approved", "in_progress", "completed", "closed", "returned", "suspended")
COMPLETED = ("completed", "closed")
# Planned, open and not suspended: these fall overdue once past their deadline.
BEING_DELIVERED = ("approved", "in_progress", "returned")

# The spread's figures worked out by hand (planned, completed, overdue):
# - the district's own items, one in each of the nine states, deadlines ahead: planned are approved, in
#   progress, completed, closed, returned and suspended (6); completed and closed are done (2); none is late;
# - the township's three items, all past their deadline: in progress (planned, overdue), suspended (planned,
#   not overdue: suspended), a draft (counts nowhere, overdue or not).
SPREAD_FIGURES = {"district_own": (6, 2, 0), "township": (2, 0, 1), "district": (8, 2, 1)}


def direct_counts(unit: Unit, **filters) -> tuple[int, int, int]:
    """Planned, completed and overdue items of the unit's subtree, counted from the items themselves."""
    items = WorkItem.objects.filter(subtree_q(unit.path, "unit__path"), **filters)
    return (
        items.filter(status__in=PLANNED).count(),
        items.filter(status__in=COMPLETED).count(),
        items.filter(status__in=BEING_DELIVERED, deadline__lt=today_local()).count(),
    )


@pytest.fixture
def spread(make_item, township, owner) -> list[WorkItem]:
    """Items in every state in the district, and three late ones in the township below it (in progress,
    suspended, a draft); the late item in progress comes last."""
    items = [make_item(status) for status in Status]
    yesterday = today_local() - datetime.timedelta(days=1)
    items.append(WorkItemFactory(unit=township, by=owner, deadline=yesterday))
    items.append(make_item(Status.SUSPENDED, unit=township, deadline=yesterday))
    items.append(make_item(Status.IN_PROGRESS, unit=township, deadline=yesterday))
    return items
