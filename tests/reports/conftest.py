"""A week of work in 五华区 and its township, laid down at the dates it happened (Asia/Shanghai)."""

from __future__ import annotations

import datetime

import pytest

from apps.accounts.models import Role, User
from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_apply_action, item_grant_extension, item_request_extension
from apps.org.models import Unit
from tests.conftest import travel_to
from tests.factories import UserFactory, WorkItemFactory

__all__ = ["travel_to"]  # the report tests import it from here

# The week reported on: Monday 2021-06-07 to Sunday 2021-06-13; produced on Monday 2021-06-14.
WEEK_START = datetime.date(2021, 6, 7)
WEEK_END = datetime.date(2021, 6, 13)


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Report files of one test never meet another's."""


@pytest.fixture
def staff(city: Unit) -> User:
    """Reporting staff of the city."""
    return UserFactory(username="staff", full_name="统计员", unit=city, roles=[Role.REPORTING_STAFF])


@pytest.fixture
def week(actor_for, owner, leader, district, township, sibling_district) -> dict[str, WorkItem]:
    """Items with a known story during the week of 2021-06-07."""

    def act(item: WorkItem, day: datetime.date, *actions: str, reason: str = "") -> WorkItem:
        with travel_to(day):
            for action in actions:
                item = item_apply_action(item=item, by=actor_for(action, item), action=action, reason=reason or "核查")
        return item

    with travel_to(datetime.date(2021, 6, 1)):
        items = {
            "done_and_closed": WorkItemFactory(unit=district, by=owner, deadline=datetime.date(2021, 6, 10)),
            "returned": WorkItemFactory(unit=district, by=owner, deadline=datetime.date(2021, 6, 30)),
            "late_before": WorkItemFactory(unit=district, by=owner, deadline=datetime.date(2021, 6, 5)),
            "late_in_week": WorkItemFactory(unit=township, by=owner, deadline=datetime.date(2021, 6, 9)),
            "cancelled": WorkItemFactory(unit=township, by=owner, deadline=datetime.date(2021, 6, 9)),
            "key": WorkItemFactory(
                unit=district, by=owner, deadline=datetime.date(2021, 12, 31), is_key=True, key_level="city"
            ),
            "done_last_week": WorkItemFactory(unit=township, by=owner, deadline=datetime.date(2021, 6, 30)),
            # Not yet commitments, late or not: they count nowhere.
            "late_draft": WorkItemFactory(unit=district, by=owner, deadline=datetime.date(2021, 6, 5)),
            "awaiting": WorkItemFactory(unit=township, by=owner, deadline=datetime.date(2021, 6, 8)),
        }
    for name in ("late_before", "late_in_week", "key"):
        items[name] = act(items[name], datetime.date(2021, 6, 2), "submit", "approve")
    items["awaiting"] = act(items["awaiting"], datetime.date(2021, 6, 2), "submit")
    items["done_last_week"] = act(
        items["done_last_week"], datetime.date(2021, 6, 3), "submit", "approve", "start", "complete"
    )
    items["cancelled"] = act(items["cancelled"], datetime.date(2021, 6, 2), "cancel", reason="重复立项")
    items["done_and_closed"] = act(
        items["done_and_closed"], datetime.date(2021, 6, 8), "submit", "approve", "start", "complete"
    )
    items["done_and_closed"] = act(items["done_and_closed"], datetime.date(2021, 6, 9), "close")
    items["returned"] = act(items["returned"], datetime.date(2021, 6, 11), "submit", "approve", "start", "complete")
    items["returned"] = act(items["returned"], datetime.date(2021, 6, 12), "return", reason="佐证材料不全")
    # Returned, it asks for a fortnight more, granted the next day: the week's one extension.
    with travel_to(datetime.date(2021, 6, 12)):
        items["returned"] = item_request_extension(
            item=items["returned"], by=owner, deadline=datetime.date(2021, 7, 15), reason="补充佐证材料需时"
        )
    with travel_to(datetime.date(2021, 6, 13)):
        items["returned"] = item_grant_extension(item=items["returned"], by=leader, note="同意")
    with travel_to(datetime.date(2021, 6, 2)):
        items["key"] = item_apply_action(item=items["key"], by=leader, action=Action.CLAIM)
    # Logged after the week ended: it is not in the week's figures.
    with travel_to(datetime.date(2021, 6, 15)):
        items["later"] = WorkItemFactory(unit=district, by=owner, deadline=datetime.date(2021, 6, 20))
    assert items["returned"].status == Status.RETURNED
    return items
