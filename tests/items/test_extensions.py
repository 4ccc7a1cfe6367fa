"""Extension requests (延期申请): asked by the responsible side before the deadline, decided by the owning side."""

from __future__ import annotations

import datetime

import pytest

from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.dashboards.selectors import dashboard_build
from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_assign, item_grant_extension, item_refuse_extension, item_request_extension
from tests.conftest import official_of, travel_to

D = datetime.date


@pytest.fixture
def assigned(make_item, leader, township):
    """An item of the district in progress, due 30 October 2026, assigned to the township below it."""
    with travel_to(D(2026, 9, 1)):
        item = make_item(Status.IN_PROGRESS, start_date=D(2026, 9, 1), deadline=D(2026, 10, 30))
        return item_assign(item=item, by=leader, responsible_unit=township, responsible_person=official_of(township))


def test_extension_asked_before_the_deadline_and_granted_moves_the_deadline_keeping_the_original(
    assigned, leader, township, district, city
):
    street = official_of(township)

    # when: the street asks on 28 October for 30 November
    with travel_to(D(2026, 10, 28)):
        item = item_request_extension(item=assigned, by=street, deadline=D(2026, 11, 30), reason="征地手续未完成")
        # then: one request at a time
        with pytest.raises(ServiceError, match="已有延期申请"):
            item_request_extension(item=item, by=street, deadline=D(2026, 12, 31), reason="再延一个月")
    asked = item.transitions.get(action=Action.REQUEST_EXTENSION)
    assert "2026-10-30" in asked.reason and "2026-11-30" in asked.reason and "征地手续未完成" in asked.reason
    assert "0%" in asked.reason  # the progress so far
    assert WorkItem.objects.get(pk=item.pk).extension_asked_for == D(2026, 11, 30)

    # when: the deadline passes before the decision: the item is overdue on the dashboard
    with travel_to(D(2026, 11, 2)):
        assert dashboard_build(user=leader, unit=city).total.overdue == 1
        # and the city grants it (the date asked for, by default)
        item = item_grant_extension(item=item, by=leader)
        # then: the new deadline rules overdue and the lights, the original one is kept
        total = dashboard_build(user=leader, unit=city).total
        fresh = WorkItem.objects.get(pk=item.pk)
        assert (fresh.deadline, fresh.original_deadline, fresh.extension_asked_for) == (
            D(2026, 11, 30),
            D(2026, 10, 30),
            None,
        )
        assert total.overdue == 0 and fresh.light in ("yellow", "green")
    granted = fresh.transitions.get(action=Action.GRANT_EXTENSION)
    assert granted.by == leader and "2026-11-30" in granted.reason


def test_extension_refused_with_a_reason_leaves_the_deadline(assigned, leader, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 20)):
        item = item_request_extension(item=assigned, by=street, deadline=D(2026, 11, 15), reason="材料未到")
        with pytest.raises(ServiceError, match="原因"):
            item_refuse_extension(item=item, by=leader, reason=" ")
        item = item_refuse_extension(item=item, by=leader, reason="工期充足，请加快进度")
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.deadline, fresh.original_deadline, fresh.extension_asked_for) == (D(2026, 10, 30), None, None)
    assert fresh.transitions.get(action=Action.REFUSE_EXTENSION).reason == "工期充足，请加快进度"


def test_extension_is_asked_before_the_deadline_for_a_later_date(assigned, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 31)), pytest.raises(ServiceError, match="已过完成时限"):
        item_request_extension(item=assigned, by=street, deadline=D(2026, 11, 30), reason="来不及")
    with travel_to(D(2026, 10, 20)), pytest.raises(ServiceError, match="晚于现行完成时限"):
        item_request_extension(item=assigned, by=street, deadline=D(2026, 10, 25), reason="提前")


def test_extension_who_asks_and_who_decides(assigned, leader, owner, outsider, township, unit_admin):
    street = official_of(township)
    with travel_to(D(2026, 10, 20)):
        # the owning side does not ask for the responsible side, and an outsider does nothing
        for person in (leader, outsider):
            with pytest.raises(ServicePermissionError):
                item_request_extension(item=assigned, by=person, deadline=D(2026, 11, 30), reason="代为申请")
        item = item_request_extension(item=assigned, by=street, deadline=D(2026, 11, 30), reason="征地")
        # the responsible side does not decide its own request, nor does an outsider
        for person in (street, outsider):
            with pytest.raises(ServicePermissionError):
                item_grant_extension(item=item, by=person)
        # the owning side's administrator may
        item = item_grant_extension(item=item, by=unit_admin, deadline=D(2026, 11, 20), note="同意延至11月20日")
    assert WorkItem.objects.get(pk=item.pk).deadline == D(2026, 11, 20)


def test_extension_through_the_item_page(client, assigned, leader, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 20)):
        client.force_login(street)
        page = client.get(f"/items/{assigned.pk}/").content.decode()
        assert "extension-request-form" in page and "extension-grant-form" not in page
        # a request without a reason loses nothing and says what is missing
        client.post(f"/items/{assigned.pk}/extension/request/", {"deadline": "2026-11-30", "reason": ""})
        assert WorkItem.objects.get(pk=assigned.pk).extension_asked_for is None
        client.post(f"/items/{assigned.pk}/extension/request/", {"deadline": "2026-11-30", "reason": "征地手续未完成"})
        client.force_login(leader)
        page = client.get(f"/items/{assigned.pk}/").content.decode()
        assert 'id="extension-waiting"' in page and "2026-11-30" in page
        assert "extension-grant-form" in page and "extension-refuse-form" in page
        client.post(f"/items/{assigned.pk}/extension/grant/", {"deadline": "2026-12-10", "note": "同意"})
        page = client.get(f"/items/{assigned.pk}/").content.decode()
    assert "2026-12-10" in page and 'id="item-original-deadline"' in page and "2026-10-30" in page


def test_extension_through_the_api(client, assigned, leader, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 20)):
        client.force_login(street)
        refused = client.post(
            f"/api/v1/items/{assigned.pk}/request-extension/",
            {"deadline": "2026-10-01", "reason": "征地"},
            content_type="application/json",
        )
        assert refused.status_code == 400 and "晚于现行完成时限" in refused.json()["detail"]
        asked = client.post(
            f"/api/v1/items/{assigned.pk}/request-extension/",
            {"deadline": "2026-11-30", "reason": "征地"},
            content_type="application/json",
        )
        assert asked.status_code == 200, asked.content
        assert asked.json()["extension_asked_for"] == "2026-11-30"
        assert client.post(f"/api/v1/items/{assigned.pk}/grant-extension/", {}).status_code == 403
        client.force_login(leader)
        granted = client.post(f"/api/v1/items/{assigned.pk}/grant-extension/", {}, content_type="application/json")
    assert granted.status_code == 200, granted.content
    body = granted.json()
    assert (body["deadline"], body["original_deadline"], body["extension_asked_for"]) == (
        "2026-11-30",
        "2026-10-30",
        None,
    )
    assert body["timeline"][-1]["action"] == "grant_extension"
