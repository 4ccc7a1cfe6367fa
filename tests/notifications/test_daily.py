"""Notifications as things happen and as they fall due, and one daily digest each, through a real SMTP server."""

from __future__ import annotations

import datetime

import pytest
from django.utils.translation import override

from apps.accounts.models import Role
from apps.items.models import Action, Status, WorkItem
from apps.items.services import (
    item_acknowledge,
    item_assign,
    item_decline,
    item_grant_extension,
    item_request_extension,
)
from apps.notifications.models import EmailChoice, Event, Notification
from apps.notifications.tasks import notifications_daily_task
from apps.reports.periods import ReportKind, period_containing
from apps.reports.services import reports_produce
from apps.supervision.models import Notice, NoticeColour
from apps.supervision.notices import chase_send, notice_escalate, notice_issue, notice_reply
from tests.conftest import official_of, travel_to
from tests.factories import UserFactory

D = datetime.date


def events_of(person) -> list[tuple[str, str, str]]:
    return sorted(
        (row.day.isoformat(), row.event, row.item.title)
        for row in Notification.objects.filter(recipient=person).select_related("item")
    )


def run_on(day: datetime.date) -> dict[str, int]:
    with travel_to(day, hour=8):
        return notifications_daily_task.delay().get()


@pytest.fixture
def street(township):
    person = official_of(township)
    person.email = "street@example.cn"
    person.save(update_fields=["email"])
    return person


@pytest.fixture
def desk(owner, leader):
    for person, address in ((owner, "owner@example.cn"), (leader, "leader@example.cn")):
        person.email = address
        person.save(update_fields=["email"])
    return owner


def test_what_happens_is_said_to_whom_it_concerns(make_item, perform, actor_for, leader, desk, street, township):
    owner = desk
    with travel_to(D(2026, 10, 12)):
        handed = item_assign(item=make_item(Status.APPROVED, title="交办事项"), by=leader, responsible_unit=township)
        declined = item_assign(item=make_item(Status.APPROVED, title="退办事项"), by=leader, responsible_unit=township)
        item_decline(item=declined, by=street, reason="不属于街道职责")
        done = make_item(Status.COMPLETED, title="退回事项")
        perform(Action.RETURN, item=done, by=actor_for(Action.RETURN))
        extended = make_item(Status.IN_PROGRESS, title="延期事项", deadline=D(2026, 11, 30))
        asked = item_request_extension(item=extended, by=owner, deadline=D(2026, 12, 31), reason="资金未到位")
        item_grant_extension(item=asked, by=leader)

    assert events_of(street) == [
        ("2026-10-12", Event.ASSIGNED, "交办事项"),
        ("2026-10-12", Event.ASSIGNED, "退办事项"),
    ]
    assert events_of(leader) == [("2026-10-12", Event.DECLINED, "退办事项")]  # back to the one who assigned it
    assert events_of(owner) == [
        ("2026-10-12", Event.EXTENSION_DECIDED, "延期事项"),
        ("2026-10-12", Event.RETURNED, "退回事项"),
    ]
    returned = Notification.objects.get(recipient=owner, event=Event.RETURNED)
    assert returned.link == f"/items/{done.pk}/" and handed.pk != done.pk


def test_the_daily_run_says_what_falls_due_once_and_sends_one_digest(
    make_item, leader, desk, street, township, smtp_server
):
    owner = desk
    with travel_to(D(2026, 10, 12)):  # Monday
        item_assign(item=make_item(Status.APPROVED, title="待签收事项"), by=leader, responsible_unit=township)
        make_item(Status.IN_PROGRESS, title="逾期事项", deadline=D(2026, 10, 20), start_date=D(2026, 10, 12))
        make_item(Status.IN_PROGRESS, title="临期事项", deadline=D(2026, 10, 30), start_date=D(2026, 10, 20))

    # Wednesday 14 October: the street's last day to acknowledge; the overdue-to-be item enters its warning window
    # (five working days before 20 October)
    assert run_on(D(2026, 10, 14)) == {"notifications": 2, "digests": 2}
    [mail] = smtp_server.to("street@example.cn")
    body = mail.get_content()
    assert mail["Subject"].strip() == "我为群众办实事：2026-10-14 有 2 件事需要您处理"
    # the street was told of the assignment on Monday, and reminded today: both in the one digest, each with
    # the item's address
    item = WorkItem.objects.get(title="待签收事项")
    with override("zh-hans"):
        assert f"{Event.ASSIGNED.label}：" in body and f"{Event.ACKNOWLEDGEMENT_DUE.label}：" in body
    assert body.count(f"http://127.0.0.1:8000/items/{item.pk}/") == 2
    assert "请于 2026-10-14 前签收" in body and "http://127.0.0.1:8000/inbox/" in body

    # run again the same day: nothing written, nothing sent
    assert run_on(D(2026, 10, 14)) == {"notifications": 0, "digests": 0}
    assert len(smtp_server.messages) == 2
    assert Notification.objects.filter(recipient=street, event=Event.ACKNOWLEDGEMENT_DUE).count() == 1

    # Wednesday 21 October: the overdue item on its first day past the deadline; the near one, due in seven
    # working days, not yet within the five-day window
    run_on(D(2026, 10, 21))
    assert [event for day, event, _title in events_of(owner) if day == "2026-10-21"] == [Event.OVERDUE]
    # Friday 23 October: the near item enters its window (five working days before 30 October): said once
    run_on(D(2026, 10, 23))
    run_on(D(2026, 10, 26))
    assert [(day, title) for day, event, title in events_of(owner) if event == Event.DUE_SOON] == [
        ("2026-10-14", "逾期事项"),
        ("2026-10-23", "临期事项"),
    ]
    # the overdue item again a week after its first day, and not in between
    run_on(D(2026, 10, 28))
    assert [day for day, event, _title in events_of(owner) if event == Event.OVERDUE] == ["2026-10-21", "2026-10-28"]
    # the street's waiting acknowledgement again a week after its last day
    assert [day for day, event, _title in events_of(street) if event == Event.ACKNOWLEDGEMENT_DUE] == [
        "2026-10-14",
        "2026-10-21",
        "2026-10-28",
    ]
    # one digest a day with anything new in it
    assert len(smtp_server.to("owner@example.cn")) == 4  # 14, 21, 23 and 28 October


def test_a_person_who_turned_email_off_gets_none_but_keeps_the_notifications(client, make_item, desk, smtp_server):
    owner = desk
    client.force_login(owner)
    answer = client.post("/inbox/settings/", {})  # the box unticked
    assert answer.status_code == 302 and not EmailChoice.objects.get(person=owner).daily_digest
    with travel_to(D(2026, 10, 12)):
        make_item(Status.IN_PROGRESS, title="逾期事项", deadline=D(2026, 10, 20), start_date=D(2026, 10, 12))

    assert run_on(D(2026, 10, 21)) == {"notifications": 1, "digests": 0}
    assert smtp_server.messages == []
    # the portal still shows it, unread, with the count in the top bar, until it is read
    with travel_to(D(2026, 10, 21)):
        client.force_login(owner)
        page = client.get("/inbox/notifications/").content.decode()
        assert "逾期事项" in page and 'id="unread-badge"' in page
        client.post("/inbox/notifications/read/", {})
        page = client.get("/inbox/notifications/").content.decode()
    assert 'id="unread-badge"' not in page
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert WorkItem.objects.filter(title="逾期事项").exists()


def test_notices_and_chases_are_said_to_whom_they_concern(make_item, leader, supervisor, street, township):
    with travel_to(D(2026, 10, 12)):
        item = item_assign(item=make_item(Status.IN_PROGRESS, title="督办事项"), by=leader, responsible_unit=township)
        blue = notice_issue(
            item=item, by=supervisor, colour=NoticeColour.BLUE, requirements="本周内报送进展", reply_by=D(2026, 10, 16)
        )
        notice_reply(notice=blue, by=street, text="已完成管网铺设")
    with travel_to(D(2026, 10, 19)):
        notice_escalate(notice=Notice.objects.get(pk=blue.pk), by=supervisor, requirements="仍未完成，限期整改")
        chase_send(item=WorkItem.objects.get(pk=item.pk), by=leader)

    assert events_of(street) == [
        ("2026-10-12", Event.ASSIGNED, "督办事项"),
        ("2026-10-12", Event.NOTICE_ISSUED, "督办事项"),
        ("2026-10-19", Event.CHASED, "督办事项"),
        ("2026-10-19", Event.NOTICE_ESCALATED, "督办事项"),
    ]
    assert events_of(supervisor) == [("2026-10-12", Event.NOTICE_ANSWERED, "督办事项")]
    orange = Notice.objects.get(escalated_from=blue)
    escalated = Notification.objects.get(recipient=street, event=Event.NOTICE_ESCALATED)
    assert escalated.link == f"/supervision/notices/{orange.pk}/"
    assert orange.get_colour_display() in escalated.text


def test_reporting_staff_are_told_once_of_their_own_unit_s_reports(client, city, district, desk):
    staff = UserFactory(username="staff", unit=city, roles=[Role.REPORTING_STAFF])
    UserFactory(username="staff2", unit=district, roles=[Role.REPORTING_STAFF])
    with travel_to(D(2026, 10, 12), hour=1):  # Monday night: last week's reports, for the top two levels
        reports = reports_produce(kind=ReportKind.WEEKLY, period=period_containing(ReportKind.WEEKLY, D(2026, 10, 5)))
    by_unit = {report.unit_id: report for report in reports}
    run_on(D(2026, 10, 12))
    run_on(D(2026, 10, 13))  # still within two days of it: not said again
    told = {
        (row.recipient.username, row.report_id, row.link)
        for row in Notification.objects.filter(event=Event.REPORT_READY).select_related("recipient")
    }
    assert told == {
        ("staff", by_unit[city.pk].pk, f"/reports/{by_unit[city.pk].pk}/"),
        ("staff2", by_unit[district.pk].pk, f"/reports/{by_unit[district.pk].pk}/"),
    }
    # and the inbox page shows it among the unread notifications
    with travel_to(D(2026, 10, 13)):
        client.force_login(staff)
        page = client.get("/inbox/").content.decode()
    assert 'id="inbox-unread"' in page and f'href="/reports/{by_unit[city.pk].pk}/"' in page


def test_each_escalation_is_told_and_the_digest_leaves_out_what_was_dealt_with(
    make_item, leader, supervisor, street, township, smtp_server
):
    with travel_to(D(2026, 10, 12)):
        item = item_assign(item=make_item(Status.IN_PROGRESS, title="督办事项"), by=leader, responsible_unit=township)
        item_acknowledge(item=item, by=street)  # the assignment is dealt with the same day
        blue = notice_issue(
            item=item, by=supervisor, colour=NoticeColour.BLUE, requirements="本周内报送进展", reply_by=D(2026, 10, 16)
        )
        orange = notice_escalate(notice=blue, by=supervisor)
        red = notice_escalate(notice=orange, by=supervisor)

    # every notice is told, though all three came the same day for the same item
    told = Notification.objects.filter(recipient=street, notice__isnull=False).order_by("pk")
    assert [(row.event, row.notice_id) for row in told] == [
        (Event.NOTICE_ISSUED, blue.pk),
        (Event.NOTICE_ESCALATED, orange.pk),
        (Event.NOTICE_ESCALATED, red.pk),
    ]
    # the morning digest names only what still waits on the street: the red notice
    run_on(D(2026, 10, 13))
    [mail] = smtp_server.to("street@example.cn")
    body = mail.get_content()
    assert f"/supervision/notices/{red.pk}/" in body
    assert f"/supervision/notices/{blue.pk}/" not in body and f"/supervision/notices/{orange.pk}/" not in body
    with override("zh-hans"):
        assert str(Event.ASSIGNED.label) not in body  # acknowledged already
    # and nothing is left to send
    assert not Notification.objects.filter(recipient=street, emailed_at__isnull=True).exists()
