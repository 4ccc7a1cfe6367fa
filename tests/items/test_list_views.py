"""The item list pages as a logged-in user reads them: every filter, sorting, paging and "my items".

One small dataset where each filter picks a known subset; every expectation below is written out by hand.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Role, User
from apps.items.models import Category, ItemKind, OwnerType, WorkItem, today_local
from apps.items.services import item_apply_action, item_claim
from apps.org.models import Unit, UnitLevel
from tests.conftest import ROUTE_TO_STATUS
from tests.factories import UnitFactory, UserFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

ALL = {"wenlin", "canteen", "pipes", "parking", "hall", "market", "bridge"}
BY_DEADLINE = ["hall", "pipes", "market", "bridge", "wenlin", "canteen", "parking"]


@dataclass
class Dataset:
    items: dict[str, WorkItem]
    units: dict[str, Unit]
    people: dict[str, User]
    today: datetime.date

    def names(self, numbers: list[str]) -> list[str]:
        by_number = {item.number: name for name, item in self.items.items()}
        return [by_number[number] for number in numbers]


def build_dataset() -> Dataset:
    """Seven items of 昆明市's tree, each in a different state, with a different deadline (days from today):

    name     unit     kind / owner type              category     deadline  state        logged by   note
    wenlin   五华区   plan / leadership team         education    +10       in progress  owner       beneficiaries 文林街小学师生
    canteen  五华区   service list / team member     elderly care +40       submitted    owner       owner's own list
    pipes    华山街道 plan / grassroots organisation water supply -5        approved     township    content 铸铁管; claimed by the leader
    parking  华山街道 service list / party member    transport    +70       completed    township    the township official's list
    hall     五华区   plan / leadership team         employment   -20       closed       colleague   responsible unit 华山街道
    market   五华区   plan / leadership team         environment  -3        cancelled    colleague   responsible person: owner
    bridge   盘龙区   plan / leadership team         housing      +5        draft        outsider
    """
    today = today_local()
    # The fixed cast of tests/conftest.py, built here once for the module.
    city = UnitFactory(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = UnitFactory(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    sibling_district = UnitFactory(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)
    township = UnitFactory(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    every_role_but_system_admin = [Role.OFFICIAL, Role.UNIT_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.REPORTING_STAFF]
    people = {
        "owner": UserFactory(username="owner", full_name="张敏", unit=district, roles=[Role.OFFICIAL]),
        "colleague": UserFactory(username="colleague", full_name="李强", unit=district, roles=[Role.OFFICIAL]),
        "outsider": UserFactory(
            username="outsider", full_name="王芳", unit=sibling_district, roles=every_role_but_system_admin
        ),
        "leader": UserFactory(username="leader", full_name="赵书记", unit=city, roles=[Role.LEADER]),
        "township_official": UserFactory(
            username="township_official", full_name="郑浩", unit=township, roles=[Role.OFFICIAL]
        ),
    }
    system_admin = UserFactory(username="system_admin", unit=None, roles=[Role.SYSTEM_ADMIN])
    category = {category.code: category for category in Category.objects.all()}
    plan = {"kind": ItemKind.LIVELIHOOD_PLAN, "owner_type": OwnerType.LEADERSHIP_TEAM}

    def make(status: str, days: int, **fields: Any) -> WorkItem:
        item = WorkItemFactory(deadline=today + datetime.timedelta(days=days), **fields)
        for action in ROUTE_TO_STATUS[status]:  # the system administrator may take every step
            item = item_apply_action(item=item, by=system_admin, action=action, reason="测试")
        return WorkItem.objects.get(pk=item.pk)

    items = {
        "wenlin": make(
            "in_progress",
            10,
            unit=district,
            by=people["owner"],
            **plan,
            title="文林街小学操场翻新",
            category=category["education"],
            beneficiaries="文林街小学师生",
        ),
        "canteen": make(
            "submitted",
            40,
            unit=district,
            by=people["owner"],
            kind=ItemKind.SERVICE_LIST,
            owner_type=OwnerType.TEAM_MEMBER,
            title="为翠湖片区独居老人送餐",
            category=category["elderly_care"],
        ),
        "pipes": make(
            "approved",
            -5,
            unit=township,
            by=people["township_official"],
            kind=ItemKind.LIVELIHOOD_PLAN,
            owner_type=OwnerType.GRASSROOTS_ORGANISATION,
            title="华山街道供水管网改造",
            content="更换老化铸铁管2.3公里",
            category=category["water_supply"],
        ),
        "parking": make(
            "completed",
            70,
            unit=township,
            by=people["township_official"],
            kind=ItemKind.SERVICE_LIST,
            owner_type=OwnerType.PARTY_MEMBER,
            title="协调小区夜间停车位",
            category=category["transport_parking"],
        ),
        "hall": make(
            "closed",
            -20,
            unit=district,
            by=people["colleague"],
            **plan,
            title="便民服务大厅延时服务",
            category=category["employment"],
            responsible_unit=township,
        ),
        "market": make(
            "cancelled",
            -3,
            unit=district,
            by=people["colleague"],
            **plan,
            title="农贸市场环境整治",
            category=category["environment"],
            responsible_person=people["owner"],
        ),
        "bridge": make(
            "draft",
            5,
            unit=sibling_district,
            by=people["outsider"],
            **plan,
            title="盘龙江人行桥维修",
            category=category["housing"],
        ),
    }
    item_claim(item=items["pipes"], by=people["leader"])
    return Dataset(
        items=items,
        units={"city": city, "district": district, "township": township, "sibling": sibling_district},
        people=people,
        today=today,
    )


@pytest.fixture(scope="module")
def dataset(django_db_setup: None, django_db_blocker: Any) -> Iterator[Dataset]:
    """Built once for the module inside a transaction rolled back afterwards; each test runs in a savepoint in it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_dataset()
        transaction.set_rollback(True)


def list_page(client: Client, url: str, query: dict | None = None) -> tuple[Any, list[str]]:
    """The response and the item numbers in the table's rows, in the order shown."""
    response = client.get(url, query or {})
    assert response.status_code == 200
    table = re.search(r'<table class="items">(.*?)</table>', response.content.decode(), re.S).group(1)
    shown = re.findall(r'<td class="nowrap" data-label="[^"]*"><a href="[^"]*">([^<]+)</a></td>', table)
    # the page shows exactly the rows of its page object, in the same order
    assert shown == [item.number for item in response.context["page_obj"]]
    return response, shown


def shown_names(client: Client, dataset: Dataset, query: dict, url: str | None = None) -> set[str]:
    _response, numbers = list_page(client, url or reverse("items:list"), query)
    names = dataset.names(numbers)
    assert len(names) == len(set(names))
    return set(names)


# Each query names units and categories symbolically; `resolve` puts in their ids.
FILTER_CASES = [
    ("no filter", {}, ALL),
    ("kind livelihood plan", {"kind": "livelihood_plan"}, {"wenlin", "pipes", "hall", "market", "bridge"}),
    ("kind service list", {"kind": "service_list"}, {"canteen", "parking"}),
    ("owner type leadership team", {"owner_type": "leadership_team"}, {"wenlin", "hall", "market", "bridge"}),
    ("owner type team member", {"owner_type": "team_member"}, {"canteen"}),
    ("owner type grassroots organisation", {"owner_type": "grassroots_org"}, {"pipes"}),
    ("owner type party member", {"owner_type": "party_member"}, {"parking"}),
    ("status completed", {"status": "completed"}, {"parking"}),
    ("status submitted or approved", {"status": ["submitted", "approved"]}, {"canteen", "pipes"}),
    ("status cancelled", {"status": "cancelled"}, {"market"}),
    ("stage done", {"stage": "done"}, {"parking", "hall"}),
    ("stage planned", {"stage": "counted"}, {"wenlin", "pipes", "parking", "hall"}),
    ("stage being delivered", {"stage": "open"}, {"wenlin", "pipes"}),
    ("stage not yet planned", {"stage": "pending"}, {"canteen", "bridge"}),
    ("category water supply", {"category": "category:water_supply"}, {"pipes"}),
    ("category education", {"category": "category:education"}, {"wenlin"}),
    ("category with no items", {"category": "category:childcare"}, set()),
    ("responsible unit township", {"responsible_unit": "unit:township"}, {"pipes", "parking", "hall"}),
    (
        "responsible unit district and below",
        {"responsible_unit": "unit:district"},
        {"wenlin", "canteen", "pipes", "parking", "hall", "market"},
    ),
    ("owning unit township", {"unit": "unit:township"}, {"pipes", "parking"}),
    ("owning unit sibling district", {"unit": "unit:sibling"}, {"bridge"}),
    ("overdue", {"overdue": "true"}, {"pipes"}),
    ("not overdue", {"overdue": "false"}, {"wenlin", "canteen", "parking", "hall", "market", "bridge"}),
    (
        "deadline from today to +40",
        {"deadline_after": "day:0", "deadline_before": "day:40"},
        {"bridge", "wenlin", "canteen"},
    ),
    ("deadline before yesterday", {"deadline_before": "day:-1"}, {"hall", "pipes", "market"}),
    ("deadline from +41", {"deadline_after": "day:41"}, {"parking"}),
    ("search title", {"q": "老人"}, {"canteen"}),
    ("search content", {"q": "铸铁"}, {"pipes"}),
    ("search beneficiaries", {"q": "师生"}, {"wenlin"}),
    ("search number", {"q": "number:bridge"}, {"bridge"}),
    ("search nothing matches", {"q": "飞机场"}, set()),
    (
        "combined: plans of the district not overdue",
        {"kind": "livelihood_plan", "unit": "unit:district", "overdue": "false"},
        {"wenlin", "hall", "market"},
    ),
]


def resolve(query: dict, dataset: Dataset) -> dict:
    def one(value: str) -> str:
        kind, _colon, name = value.partition(":")
        if kind == "unit":
            return str(dataset.units[name].pk)
        if kind == "category":
            return str(Category.objects.get(code=name).pk)
        if kind == "day":
            return (dataset.today + datetime.timedelta(days=int(name))).isoformat()
        if kind == "number":
            return dataset.items[name].number
        return value

    return {key: [one(v) for v in value] if isinstance(value, list) else one(value) for key, value in query.items()}


@pytest.mark.parametrize(("query", "expected"), [case[1:] for case in FILTER_CASES], ids=[c[0] for c in FILTER_CASES])
def test_item_list_filter_shows_exactly_the_matching_items(query, expected, client, dataset):
    # given: the city's leader, who sees the whole tree
    client.force_login(dataset.people["leader"])

    # when
    shown = shown_names(client, dataset, resolve(query, dataset))

    # then
    assert shown == expected


def test_item_list_count_says_how_many_match(client, dataset):
    client.force_login(dataset.people["leader"])

    response, _numbers = list_page(client, reverse("items:list"), {"kind": "service_list"})

    assert response.context["page_obj"].paginator.count == 2
    assert "共 2 项" in response.content.decode()


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("deadline", BY_DEADLINE), ("-deadline", list(reversed(BY_DEADLINE)))],
)
def test_item_list_sorts_by_deadline(ordering, expected, client, dataset):
    client.force_login(dataset.people["leader"])

    _response, numbers = list_page(client, reverse("items:list"), {"ordering": ordering})

    assert dataset.names(numbers) == expected


def test_item_list_pages_hold_the_next_items_and_the_right_count(client, dataset, settings):
    # given: three items a page
    settings.ITEMS_PAGE_SIZE = 3
    client.force_login(dataset.people["leader"])
    url = reverse("items:list")

    # when
    pages = [list_page(client, url, {"ordering": "deadline", "page": page}) for page in (1, 2, 3)]

    # then
    assert [dataset.names(numbers) for _response, numbers in pages] == [
        ["hall", "pipes", "market"],
        ["bridge", "wenlin", "canteen"],
        ["parking"],
    ]
    first = pages[0][0]
    assert (first.context["page_obj"].paginator.count, first.context["page_obj"].paginator.num_pages) == (7, 3)
    assert "共 7 项" in first.content.decode()
    assert "第 2 页，共 3 页" in pages[1][0].content.decode()


def test_item_list_next_page_link_keeps_the_filters(client, dataset, settings):
    # given: the five livelihood-plan items, latest deadline first, three a page
    settings.ITEMS_PAGE_SIZE = 3
    client.force_login(dataset.people["leader"])
    url = reverse("items:list")
    query = {"kind": "livelihood_plan", "ordering": "-deadline"}

    # when
    first, first_numbers = list_page(client, url, query)
    next_link = re.search(r'<a href="\?([^"]+)">[^<]*下一页', first.content.decode())
    second, second_numbers = list_page(client, url + "?" + next_link.group(1).replace("&amp;", "&"))

    # then
    assert dataset.names(first_numbers) == ["wenlin", "bridge", "market"]
    assert dataset.names(second_numbers) == ["pipes", "hall"]
    assert second.context["page_obj"].paginator.count == 5


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # logged by the owner (wenlin, canteen — their own service list) or naming them responsible (market)
        ("owner", {"wenlin", "canteen", "market"}),
        # logged by the colleague
        ("colleague", {"hall", "market"}),
        # claimed and led by the leader
        ("leader", {"pipes"}),
        # logged by the township official, parking on their own list
        ("township_official", {"pipes", "parking"}),
        # only their own district's item, logged by them
        ("outsider", {"bridge"}),
    ],
)
def test_my_items_shows_exactly_the_users_items(who, expected, client, dataset):
    client.force_login(dataset.people[who])

    shown = shown_names(client, dataset, {}, url=reverse("items:mine"))

    assert shown == expected


def test_my_items_filters_apply_within_the_users_items(client, dataset):
    client.force_login(dataset.people["owner"])

    assert shown_names(client, dataset, {"kind": "service_list"}, url=reverse("items:mine")) == {"canteen"}
    assert shown_names(client, dataset, {"status": "cancelled"}, url=reverse("items:mine")) == {"market"}


def test_item_list_outsider_sees_only_their_district_even_when_asking_for_another(client, dataset):
    # given: a user of the sibling district (holding every role but system administrator)
    client.force_login(dataset.people["outsider"])

    # when: they ask for the list of 五华区, a unit outside their subtree
    response, numbers = list_page(client, reverse("items:list"), {"unit": dataset.units["district"].pk})

    # then: the unit is refused as a choice and nothing of 五华区 is listed (nothing at all: a refused filter
    # lists nothing rather than the list without it)
    assert "unit" in response.context["filterset"].form.errors
    assert dataset.names(numbers) == []
    assert shown_names(client, dataset, {}) == {"bridge"}
