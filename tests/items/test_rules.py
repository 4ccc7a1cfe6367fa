"""Who may do what to an item, checked with the fixed cast; allowed_actions must agree with the services."""

from __future__ import annotations

import pytest
from django.db import transaction

from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.models import Action, Status, WorkItem
from apps.items.rules import (
    allowed_actions,
    statuses_allowing,
    user_can_edit_item,
    user_can_see_item,
)
from apps.items.services import item_approve, item_claim, item_publish, item_update
from tests.factories import UserFactory

ACTIONS = [action for action in Action if action != Action.CREATE]
CAST = ["owner", "colleague", "outsider", "leader", "supervisor", "unit_admin", "system_admin"]


def first_state_allowing(action: str) -> str:
    return next(status for status in Status if status in statuses_allowing(action))


def service_accepts(perform, action: str, item: WorkItem, by) -> bool:
    """Run the action and undo it, so every action is tried on the same fresh item."""
    savepoint = transaction.savepoint()
    try:
        perform(action, item=item, by=by)
    except ServiceError:
        return False
    finally:
        transaction.savepoint_rollback(savepoint)
    return True


# --- the outsider ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_item_action_outsider_is_refused(action, make_item, outsider, perform, item_state):
    # given: an item in a state where the action is possible, and an outsider holding every role
    item = make_item(first_state_allowing(action))
    before = item_state(item)

    # when
    with pytest.raises(ServicePermissionError):
        perform(action, item=item, by=outsider)

    # then
    assert item_state(item) == before


@pytest.mark.parametrize("status", list(Status))
def test_item_visibility_outsider_cannot_see_or_act(status, make_item, outsider):
    # given
    item = make_item(status)

    # then
    assert not user_can_see_item(outsider, item)
    assert not WorkItem.objects.visible_to(outsider).filter(pk=item.pk).exists()
    assert allowed_actions(outsider, item) == []
    assert not user_can_edit_item(outsider, item)


def test_item_update_outsider_is_refused(item, outsider, item_state):
    before = item_state(item)

    with pytest.raises(ServicePermissionError):
        item_update(item=item, by=outsider, title="改名")

    assert item_state(item) == before


# --- the colleague, the supervisor, the leader ----------------------------------------------------------------


def test_item_colleague_official_can_work_on_it(item, colleague, leader, perform):
    # given
    assert user_can_see_item(colleague, item)
    assert user_can_edit_item(colleague, item)

    # when: the colleague, not the owner, carries the item through
    item_update(item=item, by=colleague, beneficiaries="辖区居民3000户")
    perform(Action.SUBMIT, item=item, by=colleague)
    perform(Action.APPROVE, item=item, by=leader)
    perform(Action.START, item=item, by=colleague)
    perform(Action.POST_PROGRESS, item=item, by=colleague)
    perform(Action.COMPLETE, item=item, by=colleague)

    # then
    item.refresh_from_db()
    assert (item.status, item.beneficiaries) == (Status.COMPLETED, "辖区居民3000户")
    assert set(item.transitions.exclude(action=Action.APPROVE).values_list("by", flat=True)) == {
        item.created_by_id,
        colleague.pk,
    }


def test_item_colleague_official_cannot_approve_or_claim(make_item, colleague, item_state):
    item = make_item(Status.SUBMITTED)
    before = item_state(item)

    with pytest.raises(ServicePermissionError):
        item_approve(item=item, by=colleague)
    with pytest.raises(ServicePermissionError):
        item_claim(item=item, by=colleague)

    assert item_state(item) == before


@pytest.mark.parametrize(("action", "leads_to"), [("close", "closed"), ("return", "returned")])
def test_item_supervisor_above_can_close_or_return(action, leads_to, make_item, supervisor, perform):
    item = make_item(Status.COMPLETED)

    perform(action, item=item, by=supervisor)

    item.refresh_from_db()
    assert item.status == leads_to


def test_item_supervisor_above_cannot_approve(make_item, supervisor, perform, item_state):
    item = make_item(Status.SUBMITTED)
    before = item_state(item)

    with pytest.raises(ServicePermissionError):
        perform(Action.APPROVE, item=item, by=supervisor)

    assert item_state(item) == before
    assert Action.APPROVE not in allowed_actions(supervisor, item)


def test_item_leader_above_can_approve_and_claim(make_item, leader, perform):
    # given
    item = make_item(Status.SUBMITTED)

    # when
    perform(Action.APPROVE, item=item, by=leader)
    perform(Action.CLAIM, item=item, by=leader)

    # then
    item.refresh_from_db()
    assert (item.status, item.lead_leader) == (Status.APPROVED, leader)


def test_item_leader_above_cannot_close(make_item, leader, perform, item_state):
    item = make_item(Status.COMPLETED)
    before = item_state(item)

    with pytest.raises(ServicePermissionError):
        perform(Action.CLOSE, item=item, by=leader)

    assert item_state(item) == before


def test_item_leader_of_sibling_cannot_claim(make_item, sibling_district, perform, item_state):
    # given: a leader of the sibling district (the outsider's place)
    item = make_item(Status.APPROVED)
    sibling_leader = UserFactory(unit=sibling_district, roles=["leader"])
    before = item_state(item)

    # when / then
    with pytest.raises(ServicePermissionError):
        perform(Action.CLAIM, item=item, by=sibling_leader)
    assert item_state(item) == before


# --- allowed_actions agrees with the services -----------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("who", CAST)
def test_allowed_actions_match_what_services_accept(who, status, request, make_item, perform):
    # given
    user = request.getfixturevalue(who)
    item = make_item(status)

    # when
    listed = allowed_actions(user, WorkItem.objects.get(pk=item.pk))
    accepted = [action for action in ACTIONS if service_accepts(perform, action, item, user)]

    # then
    assert listed == accepted
    if who == "outsider":
        assert listed == []


@pytest.mark.parametrize("already", ["claimed", "published"])
def test_allowed_actions_leave_out_repeat_claim_and_publish(already, make_item, leader, perform):
    # given
    item = make_item(Status.APPROVED)
    if already == "claimed":
        item_claim(item=item, by=leader)
    else:
        item_publish(item=item, by=leader)
    item = WorkItem.objects.get(pk=item.pk)

    # when
    listed = allowed_actions(leader, item)
    accepted = [action for action in ACTIONS if service_accepts(perform, action, item, leader)]

    # then
    assert listed == accepted
    assert (Action.CLAIM if already == "claimed" else Action.PUBLISH) not in listed
