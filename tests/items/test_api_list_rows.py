"""The item list API's flat rows: the same JSON as the item serializer gives, for items in every state and scope."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from apps.items.api.serializers import WorkItemSerializer
from apps.items.models import Category, KeyLevel, Light, Status, WorkItem, today_local
from tests.conftest import official_of, travel_to
from tests.factories import WorkItemFactory

LIST_FIELDS = list(WorkItemSerializer.Meta.fields)


@pytest.fixture
def varied_items(make_item, owner, leader, township) -> list[WorkItem]:
    """Items the list shows differently: a draft, red, yellow and green items, a service-list item with its
    people and leader, an assigned one acknowledged with an extension asked for, a key item, a closed one."""
    draft = make_item(Status.DRAFT)
    red = make_item(Status.IN_PROGRESS, deadline=today_local() + datetime.timedelta(days=5))
    yellow = make_item(Status.IN_PROGRESS, deadline=today_local() + datetime.timedelta(days=60))
    green = make_item(Status.APPROVED, deadline=today_local() + datetime.timedelta(days=60))
    service = WorkItemFactory(service_list=True, unit=owner.unit, by=owner, owner_person=owner)
    handled = make_item(Status.IN_PROGRESS)
    key = make_item(Status.SUSPENDED)
    closed = make_item(Status.CLOSED)
    now = timezone.now()
    WorkItem.objects.filter(pk=yellow.pk).update(yellow_from=today_local() + datetime.timedelta(days=10))
    WorkItem.objects.filter(pk=service.pk).update(
        responsible_person=owner, lead_leader=leader, progress_percent=40, start_date=today_local()
    )
    WorkItem.objects.filter(pk=handled.pk).update(
        responsible_unit=township,
        responsible_person=official_of(township),
        acknowledge_by=today_local(),
        acknowledged_at=now.replace(microsecond=123456),
        extension_asked_for=handled.deadline + datetime.timedelta(days=30),
        original_deadline=handled.deadline - datetime.timedelta(days=3),
    )
    WorkItem.objects.filter(pk=key.pk).update(is_key=True, key_level=KeyLevel.CITY, is_published=True)
    return [draft, red, yellow, green, service, handled, key, closed]


def list_rows(client) -> dict[int, dict]:
    response = client.get("/api/v1/items/?page_size=200")
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def detail_rows(client, ids) -> dict[int, dict]:
    rows = {}
    for pk in ids:
        response = client.get(f"/api/v1/items/{pk}/")
        assert response.status_code == 200, response.content
        rows[pk] = response.json()
    return rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_item_list_rows_are_the_detail_rows_for_every_list_field(api, leader, varied_items, language):
    # given items in every state, read 15 days on (the red one is ten days overdue, the yellow one lit)
    Category.objects.filter(pk__in=[item.category_id for item in varied_items]).update(name_en="Elderly care")
    with travel_to(today_local() + datetime.timedelta(days=15)):
        client = api(leader)  # a token issued that day: tokens last a week
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        # when
        listed = list_rows(client)
        detailed = detail_rows(client, listed)

    # then each row has exactly the list's fields, each as the detail (the full serializer) gives it
    assert set(listed) == {item.pk for item in varied_items}
    for pk, row in listed.items():
        assert list(row) == LIST_FIELDS
        assert row == {field: detailed[pk][field] for field in LIST_FIELDS}
    lights = {row["light"] for row in listed.values()}
    assert lights == {Light.RED, Light.YELLOW, Light.GREEN, ""}
    red = next(row for row in listed.values() if row["light"] == Light.RED)
    assert (red["is_overdue"], red["days_overdue"]) == (True, 10)
    service = next(row for row in listed.values() if row["lead_leader"])
    assert service["owner_person"]["full_name"] == "张敏"
    category = Category.objects.get(pk=service["category"]["id"])
    assert service["category"]["name"] == ("Elderly care" if language == "en" else category.name)


def test_item_list_rows_keep_the_serializer_order_newest_first_across_cursor_pages(api, leader, varied_items):
    client = api(leader)
    seen, address = [], "/api/v1/items/?page_size=3"
    while address:
        body = client.get(address).json()
        seen += [row["id"] for row in body["results"]]
        address = body["next"]

    assert seen == sorted((item.pk for item in varied_items), reverse=True)


def test_item_list_rows_follow_the_filters(api, leader, varied_items):
    body = api(leader).get("/api/v1/items/", {"status": Status.IN_PROGRESS}).json()

    assert {row["id"] for row in body["results"]} == {
        item.pk for item in varied_items if item.status == Status.IN_PROGRESS
    }
    assert {row["status_label"] for row in body["results"]} == {"推进中"}


def test_item_list_rows_leave_out_what_an_outsider_may_not_see(api, outsider, varied_items):
    response = api(outsider).get("/api/v1/items/")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_item_list_reads_a_page_in_a_fixed_number_of_queries(api, leader, varied_items, django_assert_max_num_queries):
    client = api(leader)
    client.get("/api/v1/items/?page_size=3")  # the token and the session settle once

    # token with user and unit, roles, scope (up to two), the page, units, people, categories
    with django_assert_max_num_queries(9):
        small = client.get("/api/v1/items/?page_size=3")
    with django_assert_max_num_queries(9):
        whole = client.get("/api/v1/items/?page_size=200")

    assert len(small.json()["results"]) == 3
    assert len(whole.json()["results"]) == len(varied_items)
