"""Scoping: units and items are seen only within the viewer's own subtree."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.models import Role
from apps.items.models import WorkItem
from apps.items.services import item_assign
from apps.org.models import Unit, UnitLevel
from apps.org.paths import PATH_SEGMENT_WIDTH
from apps.org.services import unit_path
from tests.factories import UnitFactory, UserFactory, WorkItemFactory


@pytest.fixture
def tree(db: None) -> dict[str, Unit]:
    """A province with two cities; the first city goes four levels down with siblings at every level."""
    units: dict[str, Unit] = {}

    def add(key: str, level: str, parent: str | None = None) -> None:
        units[key] = UnitFactory(name=key, code=key.upper(), level=level, parent=units[parent] if parent else None)

    add("yn", UnitLevel.PROVINCE)
    add("km", UnitLevel.CITY, "yn")
    add("qj", UnitLevel.CITY, "yn")
    add("wh", UnitLevel.COUNTY, "km")
    add("pl", UnitLevel.COUNTY, "km")
    add("ql", UnitLevel.COUNTY, "qj")
    add("hs", UnitLevel.TOWNSHIP, "wh")
    add("dg", UnitLevel.TOWNSHIP, "wh")
    add("pl_town", UnitLevel.TOWNSHIP, "pl")
    add("hs_a", UnitLevel.VILLAGE, "hs")
    add("hs_b", UnitLevel.VILLAGE, "hs")
    add("dg_a", UnitLevel.VILLAGE, "dg")
    return units


@pytest.fixture
def items_by_unit(tree: dict[str, Unit]) -> dict[str, WorkItem]:
    creator = UserFactory(unit=None, roles=[Role.SYSTEM_ADMIN])
    return {key: WorkItemFactory(unit=unit, by=creator) for key, unit in tree.items()}


def names(queryset) -> set[str]:
    return {unit.name for unit in queryset}


def item_units(queryset) -> set[str]:
    return {item.unit.name for item in queryset}


SUBTREES = {
    "yn": {"yn", "km", "qj", "wh", "pl", "ql", "hs", "dg", "pl_town", "hs_a", "hs_b", "dg_a"},
    "km": {"km", "wh", "pl", "hs", "dg", "pl_town", "hs_a", "hs_b", "dg_a"},
    "qj": {"qj", "ql"},
    "wh": {"wh", "hs", "dg", "hs_a", "hs_b", "dg_a"},
    "pl": {"pl", "pl_town"},
    "hs": {"hs", "hs_a", "hs_b"},
    "hs_a": {"hs_a"},
}


def test_unit_tree_paths_and_depths(tree):
    # then: fixed-width segments, one per level
    village = tree["hs_a"]
    assert village.depth == 4
    assert village.path == "".join(f"{unit.pk:0{PATH_SEGMENT_WIDTH}d}" for unit in village.ancestors())
    assert [unit.name for unit in village.ancestors()] == ["yn", "km", "wh", "hs", "hs_a"]


@pytest.mark.parametrize(("root", "expected"), SUBTREES.items())
def test_unit_subtree_of_is_exactly_the_subtree(root, expected, tree):
    assert names(Unit.objects.subtree_of(tree[root])) == expected
    assert {key for key, unit in tree.items() if unit.is_within(tree[root])} == expected


@pytest.mark.parametrize(("root", "expected"), SUBTREES.items())
def test_unit_visible_to_member_sees_own_subtree_only(root, expected, tree, items_by_unit):
    # given
    member = UserFactory(unit=tree[root], roles=[Role.LEADER])

    # when
    units = Unit.objects.visible_to(member)
    items = WorkItem.objects.visible_to(member)

    # then
    assert names(units) == expected
    assert item_units(items) == expected


def test_item_visible_to_includes_items_assigned_into_the_subtree(tree, items_by_unit):
    # given: the city hands its own item down to a township of 五华区
    city_leader = UserFactory(unit=tree["km"], roles=[Role.LEADER])
    item_assign(item=items_by_unit["km"], by=city_leader, responsible_unit=tree["hs"])
    township_official = UserFactory(unit=tree["hs"])
    sibling_official = UserFactory(unit=tree["dg"])

    # then: the township handling it sees it; its sibling township does not
    assert items_by_unit["km"] in WorkItem.objects.visible_to(township_official)
    assert item_units(WorkItem.objects.visible_to(township_official)) == {"km", "hs", "hs_a", "hs_b"}
    assert item_units(WorkItem.objects.visible_to(sibling_official)) == {"dg", "dg_a"}


def test_unit_visible_to_system_admin_sees_everything(tree, items_by_unit):
    # given
    admin = UserFactory(unit=tree["hs_a"], roles=[Role.SYSTEM_ADMIN])
    superuser = UserFactory(unit=None, roles=[])
    superuser.is_superuser = True

    # then
    for user in (admin, superuser):
        assert names(Unit.objects.visible_to(user)) == set(tree)
        assert WorkItem.objects.visible_to(user).count() == len(items_by_unit)


def test_unit_visible_to_user_without_unit_sees_nothing(tree, items_by_unit):
    # given: a leader and supervisor with every working role, but no unit
    homeless = UserFactory(unit=None, roles=[Role.LEADER, Role.SUPERVISOR, Role.UNIT_ADMIN, Role.OFFICIAL])

    # then
    assert not Unit.objects.visible_to(homeless).exists()
    assert not WorkItem.objects.visible_to(homeless).exists()


def test_unit_visible_to_anonymous_sees_nothing(tree, items_by_unit):
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    assert not WorkItem.objects.visible_to(AnonymousUser()).exists()


def _unit_with_id(pk: int, parent: Unit | None = None) -> Unit:
    # The ids matter here, so the row is written directly, with the path unit_create would give it.
    return Unit.objects.create(
        pk=pk,
        name=f"unit {pk}",
        code=f"ID{pk}",
        level=UnitLevel.COUNTY,
        parent=parent,
        path=unit_path(unit_id=pk, parent=parent),
        depth=parent.depth + 1 if parent else 0,
    )


@pytest.mark.django_db
def test_unit_subtree_of_keeps_textual_prefix_siblings_apart():
    # given: units 1 and 10 are siblings although "1" is a prefix of "10"; 100 is under 1, 11 under 10
    one = _unit_with_id(1)
    ten = _unit_with_id(10)
    two = _unit_with_id(2)
    hundred = _unit_with_id(100, parent=one)
    eleven = _unit_with_id(11, parent=ten)

    # then
    assert set(Unit.objects.subtree_of(one)) == {one, hundred}
    assert set(Unit.objects.subtree_of(ten)) == {ten, eleven}
    assert not ten.is_within(one)
    assert not eleven.is_within(one)
    assert hundred.is_within(one)
    # fixed width also keeps the tree order: 1 and its children, then 2, then 10
    assert list(Unit.objects.all()) == [one, hundred, two, ten, eleven]


def test_unit_create_sets_fixed_width_path_and_depth(db):
    # given
    root = UnitFactory(level=UnitLevel.PROVINCE)

    # when
    child = UnitFactory(parent=root)

    # then
    assert root.path == f"{root.pk:08d}"
    assert child.path == f"{root.pk:08d}{child.pk:08d}"
    assert (root.depth, child.depth) == (0, 1)
