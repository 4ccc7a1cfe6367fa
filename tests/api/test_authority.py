"""Who may do what to an item, through the API: every role × every action × every place in the unit tree.

The expected answers are this test's own table, written from DOMAIN.md's "Who may do what", not read from
apps/items/rules.py: the owning side (the owning unit and the units above it) decides what is asked and by
when; the responsible side (the unit it was assigned to) does the work; units that merely see the item read it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.items.models import Status, WorkItem
from apps.items.services import item_apply_action, item_assign
from apps.org.models import Unit, UnitLevel
from tests.api.conftest import if_match
from tests.conftest import REASON, ROUTE_TO_STATUS
from tests.factories import UnitFactory, UserFactory, WorkItemFactory

# The tree: 云南省 > 昆明市 (owns the item) > 五华区 > 华山街道 (responsible for it); 盘龙区 is 五华区's sibling.
OWNING_UNIT = "owning unit"
ABOVE_OWNER = "unit above the owner"
RESPONSIBLE_UNIT = "responsible unit"
ABOVE_RESPONSIBLE = "unit above the responsible unit"
OUTSIDER = "sibling outsider"
PLACES = (OWNING_UNIT, ABOVE_OWNER, RESPONSIBLE_UNIT, ABOVE_RESPONSIBLE, OUTSIDER)
ROLES = (Role.OFFICIAL, Role.UNIT_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.REPORTING_STAFF)

OFFICIAL, UNIT_ADMIN, LEADER, SUPERVISOR = Role.OFFICIAL, Role.UNIT_ADMIN, Role.LEADER, Role.SUPERVISOR
MANAGERS = {OWNING_UNIT: {UNIT_ADMIN, LEADER}, ABOVE_OWNER: {UNIT_ADMIN, LEADER}}
CHECKERS = {OWNING_UNIT: {SUPERVISOR}, ABOVE_OWNER: {SUPERVISOR}}
WORKERS = {RESPONSIBLE_UNIT: {OFFICIAL, UNIT_ADMIN}}

# action -> (the state it is tried in, who may take it: place -> roles). Everyone else who sees the item is
# refused (403); the outsider does not see it at all (404). A system administrator may take every action but
# a leader's own claim.
MATRIX: dict[str, tuple[str, dict[str, set[str]]]] = {
    # What is asked and by when: the owning unit's officials and the owning side's administrators, leaders
    # and supervisors; never the responsible side, never an official of a unit above.
    "edit": (Status.IN_PROGRESS, {OWNING_UNIT: {OFFICIAL, UNIT_ADMIN, LEADER, SUPERVISOR}, ABOVE_OWNER: {UNIT_ADMIN, LEADER, SUPERVISOR}}),
    # Sending a draft up: the people who log it, and the owning side's administrators.
    "submit": (Status.DRAFT, {OWNING_UNIT: {OFFICIAL, UNIT_ADMIN}, ABOVE_OWNER: {UNIT_ADMIN}}),
    "approve": (Status.SUBMITTED, MANAGERS),
    "publish": (Status.APPROVED, MANAGERS),
    "assign": (Status.IN_PROGRESS, MANAGERS),
    "suspend": (Status.IN_PROGRESS, MANAGERS),
    "resume": (Status.SUSPENDED, MANAGERS),
    "cancel": (Status.IN_PROGRESS, MANAGERS),
    "close": (Status.COMPLETED, CHECKERS),
    "return": (Status.COMPLETED, CHECKERS),
    "claim": (Status.IN_PROGRESS, {OWNING_UNIT: {LEADER}, ABOVE_OWNER: {LEADER}}),
    "start": (Status.APPROVED, WORKERS),
    "progress": (Status.IN_PROGRESS, WORKERS),
    "complete": (Status.IN_PROGRESS, WORKERS),
}  # fmt: skip
NEEDS_REASON = {"return", "suspend", "cancel"}


@pytest.fixture
def tree(db: None) -> dict[str, Unit]:
    province = UnitFactory(name="云南省", code="YN", level=UnitLevel.PROVINCE)
    city = UnitFactory(name="昆明市", code="KM", level=UnitLevel.CITY, parent=province)
    district = UnitFactory(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    township = UnitFactory(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    sibling = UnitFactory(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)
    return {
        OWNING_UNIT: city,
        ABOVE_OWNER: province,
        RESPONSIBLE_UNIT: township,
        ABOVE_RESPONSIBLE: district,
        OUTSIDER: sibling,
    }


@pytest.fixture
def people(tree: dict[str, Unit]) -> dict[tuple[str, str], User]:
    """One person of each role in each place."""
    return {
        (place, role): UserFactory(username=f"{role}-{tree[place].code}", unit=tree[place], roles=[role])
        for place in PLACES
        for role in ROLES
    }


@pytest.fixture
def root(db: None) -> User:
    return UserFactory(username="root", unit=None, roles=[Role.SYSTEM_ADMIN])


@pytest.fixture
def assigned_item(tree: dict[str, Unit], people: dict[tuple[str, str], User], root: User) -> Callable[[str], WorkItem]:
    """An item of 昆明市 assigned to 华山街道, brought to `status` by the system administrator."""

    def make(status: str) -> WorkItem:
        item = WorkItemFactory(
            unit=tree[OWNING_UNIT], by=people[(OWNING_UNIT, Role.OFFICIAL)], deadline=datetime.date(2021, 12, 31)
        )
        item_assign(item=item, by=root, responsible_unit=tree[RESPONSIBLE_UNIT], letter="昆明市交办函〔2021〕3号")
        for action in ROUTE_TO_STATUS[status]:
            item_apply_action(item=item, by=root, action=action, reason=REASON)
        item = WorkItem.objects.get(pk=item.pk)
        assert item.status == status
        return item

    return make


def _call(client: APIClient, action: str, item: WorkItem, township: Unit) -> Any:
    url = f"/api/v1/items/{item.pk}/"
    if action == "edit":
        return client.patch(url, {"title": "改过的标题", "deadline": "2022-06-30"}, format="json", **if_match(item))
    if action == "progress":
        return client.post(f"{url}progress/", {"note": "已完成管网铺设", "percent": 60}, format="multipart")
    if action == "assign":
        return client.post(f"{url}assign/", {"responsible_unit": township.pk, "letter": "改派函"}, format="json")
    body = {"reason": REASON} if action in NEEDS_REASON else {}
    return client.post(f"{url}{'return' if action == 'return' else action}/", body, format="json")


def _state(item: WorkItem) -> tuple:
    """Everything a refused action must leave as it was."""
    fresh = WorkItem.objects.get(pk=item.pk)
    return (
        fresh.status,
        fresh.title,
        fresh.deadline,
        fresh.progress_percent,
        fresh.is_published,
        fresh.lead_leader_id,
        fresh.responsible_unit_id,
        fresh.assignment_letter,
        fresh.updated_at,
        fresh.transitions.count(),
        fresh.progress_updates.count(),
    )


@pytest.mark.parametrize("action", list(MATRIX))
def test_item_authority_every_role_in_every_place(action, api, tree, people, root, assigned_item):
    # given
    state, allowed = MATRIX[action]
    item = assigned_item(state)
    wrong: list[str] = []

    # when: each person tries the action; a fresh item replaces one an allowed person changed
    for (place, role), person in [*people.items(), ((ABOVE_OWNER, Role.SYSTEM_ADMIN), root)]:
        may = role in allowed.get(place, set()) or (role == Role.SYSTEM_ADMIN and action != "claim")
        expected = (201 if action == "progress" else 200) if may else (404 if place == OUTSIDER else 403)
        before = _state(item)
        response = _call(api(person), action, item, tree[RESPONSIBLE_UNIT])

        # then
        if response.status_code != expected:
            wrong.append(f"{role} of the {place}: {response.status_code}, expected {expected}")
        if may:
            item = assigned_item(state)
        elif _state(item) != before:
            wrong.append(f"{role} of the {place} was refused but the item changed")
    assert wrong == []


def test_item_authority_responsible_unit_cannot_close_cancel_or_rewrite(api, tree, people, assigned_item):
    """The review's case: an item of 昆明市 assigned down; the assigned unit's staff hold every role there."""
    township = tree[RESPONSIBLE_UNIT]
    staff = UserFactory(unit=township, roles=[OFFICIAL, UNIT_ADMIN, LEADER, SUPERVISOR])
    client = api(staff)
    completed, in_progress = assigned_item(Status.COMPLETED), assigned_item(Status.IN_PROGRESS)

    # when
    rewrite = client.patch(
        f"/api/v1/items/{in_progress.pk}/", {"title": "改标题"}, format="json", **if_match(in_progress)
    )
    close = client.post(f"/api/v1/items/{completed.pk}/close/", {}, format="json")
    cancel = client.post(f"/api/v1/items/{in_progress.pk}/cancel/", {"reason": REASON}, format="json")
    progress = client.post(f"/api/v1/items/{in_progress.pk}/progress/", {"note": "已开工", "percent": 30})

    # then: refused with a reason in Chinese; the work itself is theirs to report
    assert (rewrite.status_code, close.status_code, cancel.status_code) == (403, 403, 403)
    assert "无权" in close.json()["detail"] or "不能" in rewrite.json()["detail"]
    assert WorkItem.objects.get(pk=completed.pk).status == Status.COMPLETED
    assert WorkItem.objects.get(pk=in_progress.pk).status == Status.IN_PROGRESS
    assert progress.status_code == 201
