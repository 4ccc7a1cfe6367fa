"""What the dashboard tests compare with: figures counted straight from the items, and items to count."""

from __future__ import annotations

import datetime

import pytest

from apps.items.models import DONE_STATUSES, Status, WorkItem, overdue_q, today_local
from apps.org.models import Unit
from apps.org.paths import subtree_q
from tests.factories import WorkItemFactory


def direct_counts(unit: Unit, **filters) -> tuple[int, int, int]:
    """Planned, completed and overdue items of the unit's subtree, counted from the items themselves."""
    items = WorkItem.objects.filter(subtree_q(unit.path, "unit__path"), **filters)
    return (
        items.exclude(status=Status.CANCELLED).count(),
        items.filter(status__in=DONE_STATUSES).count(),
        items.filter(overdue_q()).count(),
    )


@pytest.fixture
def spread(make_item, township, owner) -> list[WorkItem]:
    """Items in every state in the district, plus an overdue draft in the township below it."""
    items = [make_item(status) for status in Status]
    items.append(WorkItemFactory(unit=township, by=owner, deadline=today_local() - datetime.timedelta(days=1)))
    return items
