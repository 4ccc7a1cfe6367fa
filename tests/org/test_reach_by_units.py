"""The visibility rule as a condition on the items' own unit ids (org.scope.in_reach_through_units).

Whatever form the condition takes (the subtree's units listed, the units outside it listed, or a subquery when
both are too many), every role sees exactly the items owned or handled in its subtree: written out by hand,
and the same as the rule read through the unit paths.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from apps.accounts.models import Role
from apps.items.models import WorkItem
from apps.items.selectors import item_list
from apps.org import scope
from apps.org.models import UnitLevel
from apps.org.scope import SubtreeUnits, in_reach_of, subtree_units
from tests.factories import UnitFactory, UserFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

# Each item by (owning unit, responsible unit); who sees which, written out.
ITEMS = {
    "A": ("五华区", "五华区"),
    "B": ("五华区", "盘龙区"),  # handed to the sibling district
    "C": ("华山街道", "华山街道"),
    "D": ("昆明市", "华山街道"),  # owned above, handled below
    "E": ("曲靖市", "曲靖市"),  # another tree
    "F": ("曲靖市", "五华区"),  # owned in another tree, handled in this one
}
SEES = {
    "owner": {"A", "B", "C", "D", "F"},
    "outsider": {"B"},
    "leader": {"A", "B", "C", "D", "F"},
    "township_official": {"C", "D"},
    "qujing_official": {"E", "F"},
    "system_admin": set(ITEMS),
    "no_unit": set(),
    "anonymous": set(),
}


@pytest.fixture
def cast(owner, outsider, leader, system_admin, township, district, sibling_district, city):
    qujing = UnitFactory(name="曲靖市", code="QJ", level=UnitLevel.CITY)
    units = {unit.name: unit for unit in (city, district, sibling_district, township, qujing)}
    for name, (owning, responsible) in ITEMS.items():
        WorkItemFactory(unit=units[owning], responsible_unit=units[responsible], by=system_admin, title=name)
    return {
        "owner": owner,
        "outsider": outsider,
        "leader": leader,
        "township_official": UserFactory(username="hs", unit=township, roles=[Role.OFFICIAL]),
        "qujing_official": UserFactory(username="qj", unit=qujing, roles=[Role.OFFICIAL, Role.LEADER]),
        "system_admin": system_admin,
        "no_unit": UserFactory(username="no_unit", unit=None, roles=[Role.LEADER]),
        "anonymous": AnonymousUser(),
    }


# 2000: every subtree listed; 2: the city's four units outside-listed (the rest of the tree is two units);
# 0: nothing may be listed, so the subquery (and, for a whole tree, no condition at all).
@pytest.mark.parametrize("list_limit", [2000, 2, 0])
def test_visible_to_gives_the_items_owned_or_handled_in_reach_in_every_form(cast, monkeypatch, list_limit):
    monkeypatch.setattr(scope, "REACH_LIST_LIMIT", list_limit)

    for name, user in cast.items():
        # when
        seen = {item.title for item in WorkItem.objects.visible_to(user)}
        # then
        assert seen == SEES[name], name
        through_paths = in_reach_of(WorkItem.objects.all(), user, "unit__path", "responsible_unit__path")
        assert seen == {item.title for item in through_paths}, name


def test_subtree_units_lists_the_smaller_side(cast, city, township, monkeypatch):
    # given: five units, four of them under 昆明市
    monkeypatch.setattr(scope, "REACH_LIST_LIMIT", 2)

    # then: the township is listed as itself, the city by the one unit outside it, the root of everything...
    assert subtree_units(township.path) == SubtreeUnits(township.path, inside=[township.pk])
    outside_city = subtree_units(city.path)
    assert outside_city.inside is None and len(outside_city.outside) == 1
    # ...and with nothing listable, neither
    monkeypatch.setattr(scope, "REACH_LIST_LIMIT", 0)
    cache.clear()  # what was read under the other limit is kept for the tree as it stands
    assert subtree_units(city.path) == SubtreeUnits(city.path)


def test_the_visibility_condition_joins_no_unit(cast):
    sql = str(WorkItem.objects.visible_to(cast["owner"]).query)

    assert "org_unit" not in sql
    assert '"unit_id" IN' in sql and '"responsible_unit_id" IN' in sql


@pytest.mark.parametrize("list_limit", [2000, 0])
def test_unit_filters_match_the_unit_and_below_by_ids(cast, district, township, city, monkeypatch, list_limit):
    monkeypatch.setattr(scope, "REACH_LIST_LIMIT", list_limit)
    leader = cast["leader"]

    def titles(filters: dict) -> set[str]:
        return {item.title for item in item_list(user=leader, filters=filters)}

    assert titles({"unit": district.pk}) == {"A", "B", "C"}
    assert titles({"unit": township.pk}) == {"C"}
    assert titles({"responsible_unit": township.pk}) == {"C", "D"}
    assert titles({"responsible_unit": district.pk}) == {"A", "C", "D", "F"}
    assert titles({"unit": city.pk, "responsible_unit": township.pk}) == {"C", "D"}


def test_a_subtree_holding_every_unit_there_is_needs_no_condition(leader, owner, township, monkeypatch):
    # given: one tree of four units, 昆明市 at its top; an item of the township
    monkeypatch.setattr(scope, "REACH_LIST_LIMIT", 2)
    item = WorkItemFactory(unit=township, by=owner)

    # when
    visible = WorkItem.objects.visible_to(leader)

    # then: the city's leader sees every item without any condition; the district's official through one
    assert "WHERE" not in str(visible.query)
    assert list(visible) == [item]
    assert list(WorkItem.objects.visible_to(owner)) == [item]


def test_a_unit_added_below_shows_in_the_lists_read_before_it_at_once(
    api, leader, district, system_admin, django_capture_on_commit_callbacks
):
    # given: the city's leader has read the item list once, so the ids of the city's units are cached
    assert api(leader).get("/api/v1/items/").json()["results"] == []
    cached = subtree_units(leader.unit.path)

    # when: a new township is added under the district (committed) and an item is logged there
    with django_capture_on_commit_callbacks(execute=True):
        township = UnitFactory(name="新街道", code="XJ", level=UnitLevel.TOWNSHIP, parent=district)
    WorkItemFactory(unit=township, by=system_admin, title="新街道的事项")

    # then: the leader's next read reaches the new unit, in the list and filtered to it
    assert township.pk not in cached.inside
    assert [row["title"] for row in api(leader).get("/api/v1/items/").json()["results"]] == ["新街道的事项"]
    filtered = api(leader).get("/api/v1/items/", {"unit": township.pk}).json()["results"]
    assert [row["title"] for row in filtered] == ["新街道的事项"]


def test_a_unit_filter_takes_only_a_unit_the_reader_reaches(api, cast, district, city):
    qujing = cast["qujing_official"].unit

    def listed(user, unit_id) -> tuple[int, object]:
        response = api(user).get("/api/v1/items/", {"unit": unit_id})
        body = response.json()
        return response.status_code, body["errors"]["unit"] if response.status_code == 400 else len(body["results"])

    # a unit in the leader's subtree filters; one of another tree, one that does not exist and a word are all
    # refused alike (an unreachable unit is told apart from a missing one by nothing)
    assert listed(cast["leader"], district.pk) == (200, 3)
    refusals = [listed(cast["leader"], value) for value in (qujing.pk, 987654, "五华区", 2**63)]
    assert {status for status, _errors in refusals} == {400}
    assert len({str(errors) for _status, errors in refusals}) == 1
    # a system administrator reaches every tree; the township's official not even the district above
    assert listed(cast["system_admin"], qujing.pk) == (200, 2)
    assert listed(cast["township_official"], district.pk)[0] == 400
