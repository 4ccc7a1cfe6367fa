"""A citizen's request from the public form to a second round: an anonymous visitor reports a problem with a photo and
gets a tracking code; the street's administrator accepts it and turns it into a work item; the official completes
the item and the city's supervisor closes it; the visitor, unconvinced, rates it dissatisfied and not solved, and
the request goes back to the street (二次办理)."""

from __future__ import annotations

import struct
import zlib

import pytest
from captcha.models import CaptchaStore

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_apply_action
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from apps.public.models import CitizenRequest, RequestAction, RequestStatus
from tests.e2e.conftest import csp_violations, log_in, screenshot

PASSWORD = "request-journey-123"
PHONE = "13911112222"


def png(width: int = 32, height: int = 24) -> bytes:
    """A small real PNG (grey), as a phone would send."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.mark.django_db(transaction=True)
def test_a_request_turned_into_an_item_closed_then_rated_dissatisfied_goes_round_again(new_page, media_root, tmp_path):
    # given: a city, a district and a street with its administrator and official; the city's supervisor
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    street = unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    admin = user_create(
        username="hs_admin", password=PASSWORD, full_name="华管理", unit=street, roles=[Role.UNIT_ADMIN]
    )
    official = user_create(
        username="hs_official", password=PASSWORD, full_name="李华", unit=street, roles=[Role.OFFICIAL]
    )
    user_create(username="km_supervisor", password=PASSWORD, full_name="刘督查", unit=city, roles=[Role.SUPERVISOR])
    photo = tmp_path / "路灯.png"
    photo.write_bytes(png())

    # when: an anonymous visitor reports a broken street light at the street, with a photo and their phone
    visitor = new_page()
    visitor.goto(f"/public/requests/new/?unit={street.pk}")
    visitor.select_option("#id_category", label="住房")
    visitor.select_option("#id_unit", str(street.pk))
    visitor.fill("#id_text", "华山南路12号门口路灯坏了一个月，晚上看不清路。")
    visitor.set_input_files("#id_photos", str(photo))
    visitor.fill("#id_phone", PHONE)
    hashkey = visitor.get_attribute("input[name=captcha_0]", "value")
    visitor.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=hashkey).response)
    visitor.click("#request-form button[type=submit]")
    visitor.wait_for_selector("#tracking-code")
    code = visitor.inner_text("#tracking-code").strip()
    screenshot(visitor, "requests/01-sent")
    assert CitizenRequest.objects.get(tracking_code=code).photos.count() == 1

    # and: the street's administrator accepts it and turns it into a work item
    staff = new_page()
    log_in(staff, "hs_admin", PASSWORD)
    staff.goto("/public/queue/")
    staff.click(f"text={code}")
    assert PHONE in staff.inner_text("#request-phone")  # the handling side sees the contact details
    staff.click("#action-accept button[type=submit]")
    staff.wait_for_selector("#action-turn_into_item")
    staff.fill("#action-turn_into_item input[name$=title]", "修复华山南路12号路灯")
    staff.fill("#action-turn_into_item input[name$=deadline]", "2026-12-31")
    staff.click("#action-turn_into_item button[type=submit]")
    staff.wait_for_selector("#request-item")
    screenshot(staff, "requests/02-turned-into-item")
    item = WorkItem.objects.get(citizen_requests__tracking_code=code)

    # and: the item goes through its plan (services), the official completes it and the supervisor closes it
    for action in (Action.SUBMIT, Action.APPROVE, Action.START):
        item = item_apply_action(item=item, by=admin if action != Action.START else official, action=action)
    worker = new_page()
    log_in(worker, "hs_official", PASSWORD)
    worker.goto(f"/items/{item.pk}/")
    worker.click("button[value=complete]")
    worker.wait_for_selector("#item-status")
    supervisor = new_page()
    log_in(supervisor, "km_supervisor", PASSWORD)
    supervisor.goto(f"/items/{item.pk}/")
    supervisor.click("button[value=close]")
    supervisor.wait_for_selector("#item-status")
    assert WorkItem.objects.get(pk=item.pk).status == Status.CLOSED

    # then: the tracking page says the item is closed and asks the visitor for a rating; never their phone
    visitor.goto(f"/public/requests/{code}/")
    visitor.wait_for_selector("#request-item-closed")
    assert PHONE not in visitor.content()
    # and when: the visitor rates it dissatisfied and not solved
    visitor.check("input[name=rating][value=dissatisfied]")
    visitor.check("input[name=solved][value=no]")
    visitor.fill("#rating-note", "路灯换了但晚上还是不亮")
    visitor.click("#request-rate button[type=submit]")
    visitor.wait_for_selector("#request-rating")
    screenshot(visitor, "requests/03-rated-dissatisfied")

    # then: the request is back with the street for a second round, and the street sees it again in its queue
    request = CitizenRequest.objects.get(tracking_code=code)
    assert (request.status, request.reopened) == (RequestStatus.ACCEPTED, 1)
    assert request.steps.filter(action=RequestAction.REOPEN).exists()
    assert "重新办理" in visitor.inner_text("#request-steps")
    staff.goto("/inbox/")
    assert code in staff.inner_text("[data-section=requests]")
    for page in (visitor, staff, worker, supervisor):
        assert csp_violations(page) == []
