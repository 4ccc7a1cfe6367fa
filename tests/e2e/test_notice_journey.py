"""A city's supervisor issues a blue notice and the street replies with evidence; another notice is escalated to red;
the street's official finds it in 我的待办 with the count in the top bar; the morning run mails one digest, once.
The clock is frozen at each step, on the server the browser talks to; the digest goes to a real SMTP server."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.services import item_acknowledge, item_approve, item_assign, item_submit
from apps.notifications.models import Event, Notification
from apps.notifications.tasks import notifications_daily_task
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from apps.supervision.models import Notice, NoticeColour, NoticeEventKind, NoticeStatus
from tests.e2e.conftest import csp_violations, log_in, screenshot, wait_until_drawn
from tests.factories import WorkItemFactory
from tests.notifications.conftest import Mailbox, smtp_server  # noqa: F401 (the SMTP server fixture)

PASSWORD = "notice-journey-pass-123"
OFFICIAL_EMAIL = "hs_official@example.cn"


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def no_csp_violations(page) -> None:
    """Each page load starts a fresh record, so this is checked on every page the journey looks at."""
    assert csp_violations(page) == [], page.url


def colour_on_notice_page(page) -> str:
    return page.get_attribute(".pagehead h1 [data-colour]", "data-colour")


def escalate(page) -> None:
    """Escalate the notice on the page to the next colour, answering yes when the page asks first."""
    before, asked = page.url, []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("form.notice-escalate-form button[type=submit]")
    page.wait_for_url(lambda url: url != before)  # the successor's page
    assert asked == ["确定将该督办单升级为更高一级颜色吗？"]


def inbox_figures(page) -> tuple[int, int, int]:
    """(the badge in the top bar, the total in the heading, the entries listed in all sections)."""
    badge = page.locator("#inbox-badge")
    return (
        int(badge.inner_text()) if badge.count() else 0,
        int(page.inner_text("#inbox-total")),
        page.locator("[data-section] tbody tr").count(),
    )


@pytest.mark.django_db(transaction=True)
def test_blue_notice_answered_another_escalated_to_red_reaches_the_inbox_and_one_digest(
    new_page,
    tmp_path,
    settings,
    smtp_server: Mailbox,  # noqa: F811 (the fixture imported above)
):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the badge in the top bar is kept for a minute per person
    evidence = tmp_path / "整改现场.png"
    Image.new("RGB", (64, 48), (40, 140, 80)).save(evidence, "PNG")
    clock = {"now": at(datetime.date(2026, 11, 2), 9)}  # Monday
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock["now"]):
        # given: a city, a district and a street; the city's supervisor and administrator; the street's official
        city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
        district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
        street = unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
        admin = user_create(
            username="km_admin", password=PASSWORD, full_name="陈管理", unit=city, roles=[Role.UNIT_ADMIN]
        )
        user_create(username="km_supervisor", password=PASSWORD, full_name="王督查", unit=city, roles=[Role.SUPERVISOR])
        official = user_create(
            username="hs_official", password=PASSWORD, full_name="李华", unit=street, roles=[Role.OFFICIAL]
        )
        official.email = OFFICIAL_EMAIL
        official.save(update_fields=["email"])
        # and: two of the city's approved items, assigned to the street with the official responsible, acknowledged
        items = []
        for title in ("华山片区雨污分流改造", "翠湖周边停车位增设"):
            item = WorkItemFactory(unit=city, by=admin, title=title, deadline=datetime.date(2027, 6, 30))
            item = item_approve(item=item_submit(item=item, by=admin), by=admin)
            item = item_assign(item=item, by=admin, responsible_unit=street, responsible_person=official)
            items.append(item_acknowledge(item=item, by=official))
        first, second = items
        supervisor_page, street_page = new_page(), new_page()

        # when: the supervisor issues a blue notice on the first item, to be answered by Monday 9 November
        log_in(supervisor_page, "km_supervisor", PASSWORD)
        supervisor_page.goto(f"/supervision/notices/new/?item={first.pk}")
        form = "form.notice-issue-form"
        assert supervisor_page.is_checked(f"{form} input[name=items][value='{first.pk}']")
        supervisor_page.select_option(f"{form} #id_colour", NoticeColour.BLUE)
        supervisor_page.fill(f"{form} #id_requirements", "请于11月9日前报送管网改造进度及现场照片")
        supervisor_page.fill(f"{form} #id_reply_by", "2026-11-09")
        no_csp_violations(supervisor_page)
        supervisor_page.click(f"{form} button[type=submit]")
        supervisor_page.wait_for_url("**/supervision/notices/*/")

        # then: the notice page shows it, blue and waiting
        blue = Notice.objects.get(item=first)
        assert supervisor_page.url.endswith(f"/supervision/notices/{blue.pk}/")
        assert colour_on_notice_page(supervisor_page) == NoticeColour.BLUE
        assert supervisor_page.inner_text("#notice-status") == "待反馈"
        assert supervisor_page.inner_text("#notice-reply-by") == "2026-11-09"
        assert "管网改造进度" in supervisor_page.inner_text("#notice-requirements")
        no_csp_violations(supervisor_page)
        screenshot(supervisor_page, "notices/01-blue-issued")

        # when: the next day the street's official signs in
        clock["now"] = at(datetime.date(2026, 11, 3), 10)
        log_in(street_page, "hs_official", PASSWORD)

        # then: one thing waits on them, the notice to answer
        assert street_page.inner_text("#inbox-badge") == "1"
        no_csp_violations(street_page)
        street_page.click("#inbox-link")
        street_page.wait_for_selector("[data-section=notice_reply]")
        assert inbox_figures(street_page) == (1, 1, 1)
        row = street_page.locator(f"[data-section=notice_reply] tr[data-notice='{blue.pk}']")
        assert first.title in row.inner_text()
        no_csp_violations(street_page)
        screenshot(street_page, "notices/02-street-inbox")

        # when: they open it and reply with what was done and a photo
        row.locator(".title a").click()
        street_page.wait_for_selector("form.notice-reply-form")
        assert street_page.url.endswith(f"/supervision/notices/{blue.pk}/")
        street_page.fill("form.notice-reply-form textarea[name=text]", "雨污分流管网已完成80%，附现场照片")
        street_page.set_input_files("form.notice-reply-form input[name=files]", str(evidence))
        street_page.click("form.notice-reply-form button[type=submit]")
        street_page.wait_for_selector("#notice-events li[data-kind=replied]")

        # then: the notice is answered, the reply and its photo on the page; nothing waits on them any more
        assert street_page.inner_text("#notice-status") == "已反馈"
        replied = street_page.locator("#notice-events li[data-kind=replied]")
        assert "雨污分流管网已完成80%" in replied.inner_text()
        assert replied.locator("img.thumb").get_attribute("alt") == evidence.name
        thumb = replied.locator("img.thumb").element_handle()
        wait_until_drawn(thumb)  # lazy
        assert thumb.evaluate("image => image.naturalWidth") == 64  # the photo itself, served back
        assert street_page.locator("form.notice-reply-form").count() == 0
        no_csp_violations(street_page)
        screenshot(street_page, "notices/03-blue-answered")
        street_page.click("#inbox-link")
        street_page.wait_for_selector("#inbox-total")
        assert inbox_figures(street_page) == (0, 0, 0)
        no_csp_violations(street_page)

        # when: on Wednesday the supervisor (signed in again) issues a blue notice on the second item …
        clock["now"] = at(datetime.date(2026, 11, 4), 9)
        log_in(supervisor_page, "km_supervisor", PASSWORD)
        supervisor_page.goto(f"/supervision/notices/new/?item={second.pk}")
        supervisor_page.select_option(f"{form} #id_colour", NoticeColour.BLUE)
        supervisor_page.fill(f"{form} #id_requirements", "停车位增设进度滞后，请说明原因")
        supervisor_page.fill(f"{form} #id_reply_by", "2026-11-06")
        no_csp_violations(supervisor_page)
        supervisor_page.click(f"{form} button[type=submit]")
        supervisor_page.wait_for_selector("form.notice-escalate-form")
        assert colour_on_notice_page(supervisor_page) == NoticeColour.BLUE
        no_csp_violations(supervisor_page)

        # … and escalates it to orange; the next morning, nothing answered, to red (a day apart: a person is told of
        # an item's escalation once a day, see Notification's one_notification_a_day)
        escalate(supervisor_page)
        assert colour_on_notice_page(supervisor_page) == NoticeColour.ORANGE
        assert supervisor_page.inner_text("#notice-reply-by") == "2026-11-11"  # five working days on
        no_csp_violations(supervisor_page)
        clock["now"] = at(datetime.date(2026, 11, 5), 9)
        log_in(supervisor_page, "km_supervisor", PASSWORD)
        orange = Notice.objects.get(item=second, colour=NoticeColour.ORANGE)
        supervisor_page.goto(f"/supervision/notices/{orange.pk}/")
        no_csp_violations(supervisor_page)
        escalate(supervisor_page)

        # then: the page shows the red notice, waiting, escalated from orange and blue, and offers no further step
        red = Notice.objects.get(item=second, colour=NoticeColour.RED)
        assert supervisor_page.url.endswith(f"/supervision/notices/{red.pk}/")
        assert colour_on_notice_page(supervisor_page) == NoticeColour.RED
        assert supervisor_page.inner_text("#notice-status") == "待反馈"
        assert supervisor_page.locator("form.notice-escalate-form").count() == 0
        chain = supervisor_page.locator(".facts dd [data-colour]")
        assert [chain.nth(n).get_attribute("data-colour") for n in range(chain.count())] == ["orange", "blue"]
        no_csp_violations(supervisor_page)
        screenshot(supervisor_page, "notices/04-red-escalated")

        # when: that afternoon the official signs in again and opens the to-do list
        clock["now"] = at(datetime.date(2026, 11, 5), 15)
        log_in(street_page, "hs_official", PASSWORD)
        street_page.click("#inbox-link")
        street_page.wait_for_selector("[data-section=notice_reply]")

        # then: the red notice waits on them, linking to it; the badge counts exactly the entries listed
        assert inbox_figures(street_page) == (1, 1, 1)
        entry = street_page.locator("[data-section=notice_reply] tbody tr")
        assert entry.get_attribute("data-notice") == str(red.pk)
        assert entry.locator("[data-colour]").get_attribute("data-colour") == NoticeColour.RED
        assert second.title in entry.inner_text()
        links = entry.locator("a")
        assert links.count() == 2
        assert {links.nth(n).get_attribute("href") for n in range(links.count())} == {f"/supervision/notices/{red.pk}/"}
        # and: its unread notifications tell of both notices, the blue one answered and the red one, each linking
        # to its notice
        unread = street_page.locator("#inbox-unread")
        assert unread.locator(f"li[data-event=notice_escalated] a[href='/supervision/notices/{red.pk}/']").count() == 1
        assert unread.locator(f"li[data-event=notice_issued] a[href='/supervision/notices/{blue.pk}/']").count() == 1
        no_csp_violations(street_page)
        screenshot(street_page, "notices/05-street-inbox-red")
        entry.locator(".title a").click()
        street_page.wait_for_url(f"**/supervision/notices/{red.pk}/")
        assert colour_on_notice_page(street_page) == NoticeColour.RED
        assert street_page.locator("form.notice-reply-form").count() == 1
        no_csp_violations(street_page)

        # when: the morning run on Friday
        clock["now"] = at(datetime.date(2026, 11, 6), 8, 30)
        run = notifications_daily_task.delay().get()

        # then: one digest, to the official alone (no one else has an address), telling of the red notice
        assert run["digests"] == 1
        [digest] = smtp_server.to(OFFICIAL_EMAIL)
        assert len(smtp_server.messages) == 1
        assert "2026-11-06" in digest["Subject"]
        text = digest.get_content()
        red_line = next(line for line in text.splitlines() if f"/supervision/notices/{red.pk}/" in line)
        assert f"{second.number} {second.title}" in red_line and "红色" in red_line

        # when: it runs again the same day
        clock["now"] = at(datetime.date(2026, 11, 6), 11)
        again = notifications_daily_task.delay().get()

        # then: nothing more is sent
        assert again == {"notifications": 0, "digests": 0}
        assert len(smtp_server.messages) == 1
    assert Notice.objects.get(pk=blue.pk).status == NoticeStatus.ANSWERED
    assert blue.events.filter(kind=NoticeEventKind.REPLIED).get().evidence.count() == 1
    # every notification of the official went out in the one digest, the two escalations among them
    assert not Notification.objects.filter(recipient=official, emailed_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=official, event=Event.NOTICE_ESCALATED).count() == 2
