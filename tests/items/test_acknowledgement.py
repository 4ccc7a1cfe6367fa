"""Acknowledgement (签收) and decline (退办) of an item assigned to another unit, within working days."""

from __future__ import annotations

import datetime

import pytest

from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_acknowledge, item_assign, item_decline
from tests.conftest import official_of, travel_to

D = datetime.date


@pytest.fixture
def handed_down(make_item, leader, township):
    """Assigned by the city's leader to the township on Wednesday 30 September 2026, before the holiday."""
    with travel_to(D(2026, 9, 30)):
        item = make_item(Status.APPROVED, deadline=D(2026, 12, 31))
        return item_assign(item=item, by=leader, responsible_unit=township, responsible_person=None)


def test_an_assigned_item_waits_two_working_days_across_the_holiday_and_is_acknowledged(handed_down, township):
    # the time limit counts working days: 1–7 October are off, so two working days end on Friday 9 October
    assert handed_down.acknowledge_by == D(2026, 10, 9)

    with travel_to(D(2026, 10, 8)):
        assert handed_down.awaits_acknowledgement and not handed_down.acknowledgement_late
        item = item_acknowledge(item=handed_down, by=official_of(township), note="已签收")
        fresh = WorkItem.objects.get(pk=item.pk)
        assert not fresh.awaits_acknowledgement and not fresh.acknowledgement_late
    assert fresh.transitions.filter(action=Action.ACKNOWLEDGE).get().by == official_of(township)
    # once acknowledged, there is nothing more to acknowledge or decline
    with pytest.raises(ServiceError, match="不在待签收状态"):
        item_acknowledge(item=fresh, by=official_of(township))


def test_an_acknowledgement_after_the_time_limit_is_flagged_late(handed_down, township):
    with travel_to(D(2026, 10, 12)):
        assert WorkItem.objects.get(pk=handed_down.pk).acknowledgement_late  # still waiting, past the limit
        item = item_acknowledge(item=handed_down, by=official_of(township))
    assert WorkItem.objects.get(pk=item.pk).acknowledgement_late


def test_a_declined_assignment_goes_back_to_the_owning_unit_with_the_reason(handed_down, district, township):
    with travel_to(D(2026, 10, 8)), pytest.raises(ServiceError, match="原因"):
        item_decline(item=handed_down, by=official_of(township), reason="")
    with travel_to(D(2026, 10, 8)):
        item = item_decline(item=handed_down, by=official_of(township), reason="不属于本街道职责范围")
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.responsible_unit, fresh.responsible_person, fresh.acknowledge_by) == (district, None, None)
    assert fresh.transitions.get(action=Action.DECLINE).reason == "不属于本街道职责范围"


def test_only_the_responsible_side_acknowledges_or_declines(handed_down, leader, owner, outsider):
    with travel_to(D(2026, 10, 8)):
        for person in (leader, owner, outsider):  # the assigner, an official of the owning unit, an outsider
            with pytest.raises(ServicePermissionError):
                item_acknowledge(item=handed_down, by=person)
            with pytest.raises(ServicePermissionError):
                item_decline(item=handed_down, by=person, reason="不接")


def test_an_item_kept_in_its_own_unit_waits_for_nobody(make_item, leader, district):
    item = item_assign(item=make_item(Status.APPROVED), by=leader, responsible_unit=district)
    assert item.acknowledge_by is None and not item.awaits_acknowledgement


def test_acknowledgement_on_the_item_page_and_in_the_api(client, handed_down, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 8)):
        client.force_login(street)
        page = client.get(f"/items/{handed_down.pk}/").content.decode()
        assert 'id="acknowledgement-badge"' in page and "2026-10-09" in page
        assert 'value="acknowledge"' in page and 'value="decline"' in page
        answer = client.post(f"/api/v1/items/{handed_down.pk}/acknowledge/", {}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["acknowledged_at"] is not None


def test_a_units_acknowledgement_limit_applies_to_assignments_below_it(
    make_item, leader, unit_admin, district, township
):
    # given: the district's administrator allows three working days below it
    from apps.supervision.services import supervision_settings_update

    supervision_settings_update(unit=district, by=unit_admin, warning_days=None, lag_tolerance=None, acknowledge_days=3)

    # when: an item is assigned to the township on Wednesday 30 September 2026
    with travel_to(D(2026, 9, 30)):
        item = item_assign(item=make_item(Status.APPROVED), by=leader, responsible_unit=township)

    # then: three working days, across the holiday: 8, 9 and 10 October (a Saturday worked)
    assert item.acknowledge_by == D(2026, 10, 10)
    with pytest.raises(ServiceError, match="1 至 30"):
        supervision_settings_update(
            unit=district, by=unit_admin, warning_days=None, lag_tolerance=None, acknowledge_days=0
        )
