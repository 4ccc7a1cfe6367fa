"""An official logs, progresses and completes an item; a supervisor closes it; the leader sees the rate move."""

import pytest

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import ItemTransition, Status, WorkItem
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.conftest import log_in, screenshot

PASSWORD = "journey-pass-123"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def press(page, action: str, reason: str = "") -> None:
    if reason:
        page.fill("#id_reason", reason)
    page.click(f"button[value={action}]")
    page.wait_for_selector(".message.success")


def rate_in_row(page, owner_type: str) -> str:
    return page.inner_text(f"#owner-type-table tr[data-owner-type={owner_type}] td.rate")


@pytest.mark.django_db(transaction=True)
def test_item_journey_from_draft_to_closed_moves_the_dashboard(new_page, tmp_path):
    # given: a city with a district, and the people of the journey
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    for username, unit, roles in [
        ("official", district, [Role.OFFICIAL]),
        ("unitadmin", district, [Role.UNIT_ADMIN]),
        ("supervisor", city, [Role.SUPERVISOR]),
        ("leader", city, [Role.LEADER]),
    ]:
        user_create(username=username, password=PASSWORD, full_name=username, unit=unit, roles=roles)
    evidence = tmp_path / "现场照片.png"
    evidence.write_bytes(PNG)

    leader = new_page()
    log_in(leader, "leader", PASSWORD)
    leader.goto("/dashboard/")
    assert rate_in_row(leader, "leadership_team") == "—"

    # when: the official logs a livelihood-plan item through the form
    official = new_page()
    log_in(official, "official", PASSWORD)
    official.goto("/items/mine/")
    official.click("a[href$='kind=livelihood_plan']")
    official.select_option("#id_owner_type", "leadership_team")
    official.fill("#id_title", "改造老旧小区供水管网")
    official.fill("#id_content", "更换新河村主供水管2.3公里")
    official.select_option("#id_category", label="供水")
    official.fill("#id_beneficiaries", "新河村村民1200户")
    official.fill("#id_deadline", "2030-12-31")
    official.click(".item-form button[type=submit]")
    official.wait_for_selector("#item-status")
    screenshot(official, "journey-1-draft")
    item = WorkItem.objects.get(title="改造老旧小区供水管网")
    assert item.number == f"WH-{item.year}-0001"
    press(official, "submit")

    admin = new_page()
    log_in(admin, "unitadmin", PASSWORD)
    admin.goto(f"/items/{item.pk}/")
    press(admin, "approve")

    official.goto(f"/items/{item.pk}/")
    press(official, "start")
    official.fill("#id_note", "已完成管材采购,开始施工")
    official.fill("#id_percent", "60")
    official.set_input_files("#id_files", str(evidence))
    official.click(".progress-form button[type=submit]")
    official.wait_for_selector(".message.success")
    assert official.inner_text("#item-progress") == "60%"
    assert "现场照片.png" in official.inner_text(".evidence")
    press(official, "complete", "管网已通水")
    assert official.inner_text("#item-status") == "已办结"
    screenshot(official, "journey-2-completed")

    leader.goto("/dashboard/")
    assert rate_in_row(leader, "leadership_team") == "100.0%"

    # then: the supervisor closes it and every step is on the timeline
    supervisor = new_page()
    log_in(supervisor, "supervisor", PASSWORD)
    supervisor.goto(f"/items/{item.pk}/")
    assert supervisor.locator("button[value=approve]").count() == 0
    press(supervisor, "close", "现场核查通过")
    assert supervisor.inner_text("#item-status") == "已销号"
    screenshot(supervisor, "journey-3-closed")

    item.refresh_from_db()
    assert item.status == Status.CLOSED
    actions = list(ItemTransition.objects.filter(item=item).values_list("action", flat=True))
    assert actions == ["create", "submit", "approve", "start", "post_progress", "complete", "close"]
    timeline = supervisor.inner_text("#timeline")
    assert "现场核查通过" in timeline

    leader.goto("/dashboard/")
    assert rate_in_row(leader, "leadership_team") == "100.0%"
    assert leader.inner_text(f"#child-table tr[data-unit='{district.pk}'] td.rate") == "100.0%"
    screenshot(leader, "journey-4-dashboard")
