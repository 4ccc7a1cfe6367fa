"""The lists of the API: cursor pages over items, the same filters as the pages, the unit tree and people."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.items.models import ItemKind, OwnerType, Status, today_local
from tests.factories import UnitFactory, UserFactory, WorkItemFactory


def test_api_items_cursor_pages_walk_every_item_once_without_counting(api, leader, owner, district, township):
    # given: 11 items across two units
    items = [WorkItemFactory(unit=district, by=owner) for _ in range(6)]
    items += [WorkItemFactory(unit=township, by=owner) for _ in range(5)]
    client = api(leader)

    # when: following `next` three items at a time
    seen, pages = [], 0
    url = "/api/v1/items/?page_size=3"
    with CaptureQueriesContext(connection) as queries:
        while url:
            body = client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            url, pages = body["next"], pages + 1

    # then: every item once, newest first, and no page asked the database to count
    assert seen == sorted((item.pk for item in items), reverse=True)
    assert pages == 4
    assert not [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]


def test_api_items_cursor_is_stable_when_items_are_added_meanwhile(api, leader, owner, district):
    items = [WorkItemFactory(unit=district, by=owner) for _ in range(4)]
    client = api(leader)

    first = client.get("/api/v1/items/?page_size=2").json()
    WorkItemFactory(unit=district, by=owner)  # a new item lands on a page already read
    second = client.get(first["next"]).json()

    seen = [row["id"] for row in first["results"] + second["results"]]
    assert seen == sorted((item.pk for item in items), reverse=True)


def test_api_items_bad_cursor_is_a_json_404(api, leader):
    response = api(leader).get("/api/v1/items/?cursor=garbage")

    assert response.status_code == 404
    assert response.json() == {"detail": "无效游标"}


@pytest.fixture
def varied_items(make_item, owner, township, district, leader):
    """Items of both kinds, several states, two units, one overdue, one key item."""
    late = make_item(Status.RETURNED, deadline=today_local() - datetime.timedelta(days=3))
    return [
        make_item(Status.DRAFT),
        make_item(Status.IN_PROGRESS, title="社区食堂改造"),
        make_item(Status.COMPLETED),
        make_item(Status.CLOSED, is_key=True, key_level="city"),
        make_item(Status.CANCELLED),
        make_item(Status.SUSPENDED),
        make_item(Status.APPROVED, kind=ItemKind.SERVICE_LIST, owner_type=OwnerType.PARTY_MEMBER),
        WorkItemFactory(unit=township, by=owner, deadline=datetime.date(2031, 5, 1)),
        late,
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "stage=done",
        "stage=open",
        "stage=counted",
        "stage=pending",
        "status=in_progress&status=completed",
        "kind=service_list",
        "owner_type=leadership_team",
        "overdue=true",
        "overdue=false",
        "is_key=true",
        "q=食堂",
        "unit={township}",
        "responsible_unit={township}",
        "deadline_after=2031-01-01&deadline_before=2031-12-31",
        "kind=livelihood_plan&stage=open&unit={district}",
    ],
)
def test_api_items_filters_select_what_the_list_page_selects(
    api, client, leader, varied_items, district, township, query
):
    # given: the same query string for the item list page and the API
    query = query.format(district=district.pk, township=township.pk)
    client.force_login(leader)

    # when
    page = client.get(f"/items/?{query}")
    body = api(leader).get(f"/api/v1/items/?{query}&page_size=200").json()

    # then: the same items, and each filter really narrows the list down
    assert page.status_code == 200
    selected = {row["id"] for row in body["results"]}
    assert selected == {item.pk for item in page.context["filterset"].qs}
    everything = {item.pk for item in varied_items}
    assert selected < everything if query else selected == everything
    assert selected


def test_api_items_invalid_filter_is_refused_with_its_label(api, leader):
    response = api(leader).get("/api/v1/items/?stage=sometime&deadline_after=yesterday")

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"stage", "deadline"}
    assert body["detail"].startswith("阶段：")


def test_api_units_tree_filters_by_parent_level_and_subtree(api, leader, city, district, township, sibling_district):
    village = UnitFactory(name="大观社区", code="DG", level="village", parent=township)
    client = api(leader)

    def names(query: str) -> list[str]:
        return [row["name"] for row in client.get(f"/api/v1/units/?{query}").json()["results"]]

    assert names("") == ["昆明市", "五华区", "华山街道", "大观社区", "盘龙区"]
    assert names(f"parent={city.pk}") == ["五华区", "盘龙区"]
    assert names("level=county") == ["五华区", "盘龙区"]
    assert names(f"within={district.pk}") == ["五华区", "华山街道", "大观社区"]
    assert names("q=华山") == ["华山街道"]
    unit = client.get(f"/api/v1/units/{village.pk}/").json()
    assert unit == {
        "id": village.pk,
        "name": "大观社区",
        "code": "DG",
        "level": "village",
        "level_label": "村/社区",
        "parent": township.pk,
        "depth": 3,
    }


def test_api_units_page_by_number(api, leader, city):
    for number in range(3):
        UnitFactory(name=f"街道{number}", parent=city, level="township")

    body = api(leader).get("/api/v1/units/?page_size=2&page=2").json()

    assert body["count"] == 4
    assert [row["name"] for row in body["results"]] == ["街道1", "街道2"]


def test_api_people_are_scoped_and_never_show_a_password(api, owner, colleague, leader, outsider, township):
    clerk = UserFactory(username="clerk", unit=township, roles=[Role.OFFICIAL], phone="13900000000")

    rows = api(owner).get("/api/v1/people/").json()["results"]

    assert [row["username"] for row in rows] == ["clerk", "colleague", "owner"]
    assert all("password" not in row for row in rows)
    clerk_row = next(row for row in rows if row["id"] == clerk.pk)
    assert clerk_row["roles"] == ["official"]
    assert clerk_row["unit"]["name"] == "华山街道"


def test_api_people_phone_only_for_administrators(api, owner, unit_admin, system_admin, colleague):
    colleague.phone = "13700000000"
    colleague.save()
    url = f"/api/v1/people/{colleague.pk}/"

    assert api(owner).get(url).json()["phone"] is None
    assert api(unit_admin).get(url).json()["phone"] == "13700000000"
    assert api(system_admin).get(url).json()["phone"] == "13700000000"


def test_api_people_filters_by_role_unit_and_subtree(api, leader, owner, unit_admin, district, township):
    UserFactory(username="clerk", unit=township, roles=[Role.OFFICIAL])
    client = api(leader)

    def usernames(query: str) -> list[str]:
        return [row["username"] for row in client.get(f"/api/v1/people/?{query}").json()["results"]]

    assert usernames("role=unit_admin") == ["unit_admin"]
    assert usernames(f"unit={district.pk}") == ["owner", "unit_admin"]
    assert usernames(f"within={district.pk}") == ["clerk", "owner", "unit_admin"]
    assert usernames("q=张敏") == ["owner"]


def test_api_lists_read_a_page_in_a_fixed_number_of_queries(api, leader, owner, district, city):
    # given: each list with about one row, and the queries reading it takes
    WorkItemFactory(unit=district, by=owner)
    client = api(leader)
    urls = ["/api/v1/items/", "/api/v1/people/", "/api/v1/units/"]
    before = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before[url] = len(queries)

    # when: each list has many more rows
    for number in range(8):
        person = UserFactory(unit=district, roles=[Role.OFFICIAL, Role.LEADER])
        WorkItemFactory(unit=UnitFactory(parent=district, level="township", name=f"街道{number}"), by=person)

    # then: reading a page costs the same number of queries
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == before[url], url
