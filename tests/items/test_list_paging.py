"""The item list's pages and total at any scale (apps/items/paging.py, selectors.item_list_total).

Pages are read id-first along the list's order (from the far end for the second half of an exactly counted
list); the total comes from the rollup counters when the filters are theirs, from a count otherwise, and is
shown as an estimate when the count stops at its cap.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import transaction
from django.db.models.expressions import RawSQL
from django.urls import reverse

from apps.items import selectors
from apps.items.models import ItemKind, OwnerType, Status, WorkItem, today_local
from apps.items.selectors import item_filterset, item_list_total
from apps.items.services import item_apply_action
from tests.factories import WorkItemFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

PAGE_SIZE = 4


@pytest.fixture
def many_items(owner, leader, district, township, settings):
    """Eighteen items of 五华区 and 华山街道, three to a deadline (so ties are broken by id), some submitted."""
    settings.ITEMS_PAGE_SIZE = PAGE_SIZE
    today = today_local()
    items = []
    for number in range(18):
        unit = district if number % 2 else township
        item = WorkItemFactory(unit=unit, by=owner, deadline=today + datetime.timedelta(days=number // 3))
        if number % 4 == 0:
            item = item_apply_action(item=item, by=owner, action="submit")
        items.append(item)
    return items


def _page_numbers(client, query: dict) -> tuple[list[str], str]:
    response = client.get(reverse("items:list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    table = re.search(r'<table class="items">(.*?)</table>', html, re.S).group(1)
    shown = re.findall(r'<td class="nowrap" data-label="[^"]*"><a href="[^"]*">([^<]+)</a></td>', table)
    return shown, html


def test_every_page_of_the_list_follows_on_from_the_last(client, leader, many_items):
    # given: the whole list in its order (deadline, then id)
    expected = [item.number for item in sorted(many_items, key=lambda item: (item.deadline, item.pk))]
    client.force_login(leader)

    # when: reading pages 1..5 (the last ones from the far end of the list)
    shown = []
    for page in range(1, 6):
        numbers, html = _page_numbers(client, {"page": page})
        shown += numbers
        assert f"第 {page} 页，共 5 页" in html or f"Page {page} of 5" in html

    # then: every item once, in order, nothing repeated or skipped
    assert shown == expected


def test_pages_of_a_sorted_and_filtered_list_hold_together(client, leader, many_items):
    client.force_login(leader)
    submitted = [item for item in many_items if item.status == Status.SUBMITTED]
    expected = [item.number for item in sorted(submitted, key=lambda item: (item.deadline, item.pk), reverse=True)]

    shown = []
    for page in (1, 2):
        shown += _page_numbers(client, {"status": Status.SUBMITTED, "ordering": "-deadline", "page": page})[0]

    assert shown == expected


def test_sorted_by_status_the_soonest_deadline_comes_first_within_a_status(client, leader, many_items):
    client.force_login(leader)
    expected = sorted(many_items, key=lambda item: (item.status, item.deadline, item.pk))
    descending = sorted(many_items, key=lambda item: (item.status, item.deadline, item.pk), reverse=True)

    ascending = [
        number for page in range(1, 6) for number in _page_numbers(client, {"ordering": "status", "page": page})[0]
    ]
    descending_shown = [
        number for page in range(1, 6) for number in _page_numbers(client, {"ordering": "-status", "page": page})[0]
    ]

    assert ascending == [item.number for item in expected]
    assert descending_shown == [item.number for item in descending]


def test_a_page_past_the_end_is_the_last_and_a_wrong_page_the_first(client, leader, many_items):
    client.force_login(leader)

    last, _html = _page_numbers(client, {"page": 5})
    first, _html = _page_numbers(client, {"page": 1})

    assert _page_numbers(client, {"page": 99})[0] == last
    assert _page_numbers(client, {"page": "abc"})[0] == first
    assert _page_numbers(client, {"page": "-3"})[0] == first


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kind": ItemKind.LIVELIHOOD_PLAN},
        {"owner_type": OwnerType.LEADERSHIP_TEAM, "status": [Status.SUBMITTED]},
        {"stage": "pending"},
        {"stage": "counted"},
        {"unit": "township"},
        {"q": "老旧小区"},
    ],
)
def test_the_total_is_exact_and_the_same_as_counting_the_items(leader, owner, many_items, township, filters):
    filters = {key: township.pk if value == "township" else value for key, value in filters.items()}
    for user in (leader, owner):
        filterset = item_filterset(user=user, data=filters)

        total = item_list_total(filterset, user=user)

        assert total.exact
        assert total.count == filterset.qs.count()


def test_items_handled_in_the_subtree_and_owned_outside_it_are_counted(outsider, leader, district, sibling_district):
    # given: an item of 五华区 handed to 盘龙区, which the counters of 盘龙区 do not hold
    WorkItemFactory(unit=district, by=leader, responsible_unit=sibling_district)

    filterset = item_filterset(user=outsider, data={})
    total = item_list_total(filterset, user=outsider)

    assert (total.count, total.exact) == (1, True)


def test_a_total_past_the_cap_is_shown_as_an_estimate(client, leader, many_items, monkeypatch):
    # given: a count that stops after 5 rows, and a search the counters cannot answer
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 5)
    client.force_login(leader)

    # when
    numbers, html = _page_numbers(client, {"q": "老旧小区", "page": 2})

    # then: the total says it is an estimate, the pager too, and the page still holds the right rows
    total = re.search(r'<span id="item-total" data-exact="(\w+)"[^>]*>([^<]+)</span>', html)
    assert total.group(1) == "false"
    assert re.search(r"约 \d+ 项|About \d+ items", total.group(2))
    assert "约" in html.split('class="pager"')[1] or "about" in html.split('class="pager"')[1]
    ordered = sorted(many_items, key=lambda item: (item.deadline, item.pk))
    assert numbers == [item.number for item in ordered[PAGE_SIZE : 2 * PAGE_SIZE]]


def test_an_exact_total_is_shown_as_exact(client, leader, many_items):
    client.force_login(leader)

    _numbers, html = _page_numbers(client, {})

    total = re.search(r'<span id="item-total" data-exact="(\w+)"[^>]*>([^<]+)</span>', html)
    assert total.group(1) == "true"
    assert "18" in total.group(2)
    assert WorkItem.objects.count() == 18


def test_a_count_that_takes_too_long_is_stopped_and_the_list_goes_on(db, many_items, monkeypatch):
    require_postgres()
    # given: rows that take 10 ms each to read, and a count allowed 30 ms
    monkeypatch.setattr(selectors, "LIST_COUNT_MS", 30)
    slow = WorkItem.objects.annotate(slow=RawSQL("pg_sleep(0.01)", [])).values("pk", "slow")

    # when / then: no total, and the connection is fit for the next query, without the time limit
    with transaction.atomic():
        assert selectors._capped_count(slow) is None
        assert selectors._capped_count(WorkItem.objects.values("pk")) == 18
        assert WorkItem.objects.annotate(slow=RawSQL("pg_sleep(0.05)", [])).values("pk", "slow")[:1].count() == 1
