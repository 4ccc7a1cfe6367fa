"""我的待办: each person finds what waits on them, and only that; doing it takes the entry away."""

from __future__ import annotations

import datetime
import re

import pytest

from apps.items.models import Action, Category, Status, WorkItem
from apps.items.services import (
    item_acknowledge,
    item_assign,
    item_decline,
    item_request_extension,
)
from apps.notifications.inbox import inbox_fill, inbox_sections
from apps.public.request_services import request_accept, request_answer, request_submit
from apps.supervision.models import NoticeColour
from apps.supervision.notices import notice_issue, notice_reply
from tests.conftest import REASON, official_of, travel_to

D = datetime.date


def waiting_on(person) -> dict[str, list[str]]:
    """Section key -> the titles listed, for the sections with anything in them."""
    return {
        section.key: sorted(getattr(entry, "item", entry).title for entry in section.entries)
        for section in inbox_fill(inbox_sections(person), person)
        if section.count
    }


@pytest.fixture
def work(make_item, perform, actor_for, leader, township, owner):
    """One item in each state that waits on somebody, on Monday 12 October 2026."""
    with travel_to(D(2026, 10, 12)):
        items = {
            "submitted": make_item(Status.SUBMITTED, title="待审核事项"),
            "completed": make_item(Status.COMPLETED, title="待销号事项"),
            "returned": make_item(Status.IN_PROGRESS, title="被退回事项", deadline=D(2026, 12, 31)),
            "late": make_item(Status.IN_PROGRESS, title="逾期事项", deadline=D(2026, 10, 20)),
            "near": make_item(Status.IN_PROGRESS, title="临期事项", deadline=D(2026, 10, 30)),
            "handed": make_item(Status.APPROVED, title="交办事项", deadline=D(2026, 12, 31)),
            "declined": make_item(Status.APPROVED, title="退办事项", deadline=D(2026, 12, 31)),
            "extension": make_item(Status.IN_PROGRESS, title="延期事项", deadline=D(2026, 11, 30)),
        }
        perform(Action.COMPLETE, item=items["returned"], by=owner)
        perform(Action.RETURN, item=WorkItem.objects.get(pk=items["returned"].pk), by=actor_for(Action.RETURN))
        street = official_of(township)
        items["handed"] = item_assign(item=items["handed"], by=leader, responsible_unit=township)
        declined = item_assign(item=items["declined"], by=leader, responsible_unit=township)
        item_decline(item=declined, by=street, reason="不属于街道职责")
        item_request_extension(item=items["extension"], by=owner, deadline=D(2026, 12, 31), reason="资金未到位")
    return items


def test_each_person_finds_what_waits_on_them_and_only_that(
    work, leader, supervisor, owner, unit_admin, outsider, township
):
    with travel_to(D(2026, 10, 26)):  # the late item is overdue; the near one due within five working days
        # the owning side's leader: approve, decide the extension, see the declined assignment back
        assert waiting_on(leader) == {
            "approve": ["待审核事项"],
            "extension": ["延期事项"],
            "declined": ["退办事项"],
        }
        # the supervisor: review and close
        assert waiting_on(supervisor) == {"close": ["待销号事项"]}
        # the official doing the district's work: returned to them, their overdue and yellow items (the
        # extension's item has reported no progress two weeks into its time: behind schedule)
        assert waiting_on(owner) == {
            "returned": ["被退回事项"],
            "overdue": ["逾期事项"],
            "yellow": ["临期事项", "延期事项"],
        }
        # the district's administrator: both sides of the district's items
        assert set(waiting_on(unit_admin)) == {"returned", "overdue", "yellow", "approve", "extension", "declined"}
        # the street: the assignment to acknowledge
        assert waiting_on(official_of(township)) == {"acknowledge": ["交办事项"]}
        # and an official of another district: nothing
        assert waiting_on(outsider) == {}


def test_doing_the_work_takes_the_entry_away(work, leader, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 13)):
        item_acknowledge(item=WorkItem.objects.get(pk=work["handed"].pk), by=street)
        assert "acknowledge" not in waiting_on(street)
        # assigned again after the decline, the item leaves the owning side's inbox for the street's
        item_assign(item=WorkItem.objects.get(pk=work["declined"].pk), by=leader, responsible_unit=township)
        assert "declined" not in waiting_on(leader)
        assert waiting_on(street) == {"acknowledge": ["退办事项"]}


def test_inbox_page_and_the_badge_in_the_top_bar(client, work, leader):
    with travel_to(D(2026, 10, 26)):
        client.force_login(leader)
        home = client.get("/items/").content.decode()
        page = client.get("/inbox/").content.decode()
    # the badge counts every entry waiting: one to approve, one extension, one declined
    assert re.search(r'id="inbox-badge"[^>]*>3<', home)
    assert re.search(r'id="inbox-total"[^>]*>3<', page)
    sections = re.findall(r'data-section="(\w+)"', page)
    assert sections == ["approve", "extension", "declined"]
    # each entry opens the item, where the action that clears it is
    assert f'href="/items/{work["submitted"].pk}/"' in page
    assert f'href="/items/{work["extension"].pk}/"' in page
    # the extension entry says what is asked
    assert "2026-12-31" in page


def test_a_returned_item_shows_why_it_was_returned(client, work, owner):
    with travel_to(D(2026, 10, 26)):
        client.force_login(owner)
        page = client.get("/inbox/").content.decode()
    returned = page[page.index('data-section="returned"') :]
    assert f"退回原因：{REASON}" in returned[: returned.index("</section>")]


def test_a_person_with_nothing_waiting_is_told_so(client, outsider):
    client.force_login(outsider)
    page = client.get("/inbox/").content.decode()
    assert 'id="inbox-empty"' in page and 'id="inbox-badge"' not in page


def test_notices_wait_on_the_responsible_side_then_on_the_supervisor(make_item, leader, supervisor, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 12)):
        item = item_assign(item=make_item(Status.IN_PROGRESS, title="督办事项"), by=leader, responsible_unit=township)
        notice = notice_issue(
            item=item, by=supervisor, colour=NoticeColour.BLUE, requirements="本周内报送进展", reply_by=D(2026, 10, 16)
        )
        entries = {section.key: section.entries for section in inbox_fill(inbox_sections(street), street)}
        assert [entry.pk for entry in entries["notice_reply"]] == [notice.pk]
        assert "notice_decide" not in waiting_on(supervisor)

        notice_reply(notice=notice, by=street, text="已完成管网铺设")
        assert "notice_reply" not in waiting_on(street)
        decide = {section.key: section.entries for section in inbox_fill(inbox_sections(supervisor), supervisor)}
        assert [entry.pk for entry in decide["notice_decide"]] == [notice.pk]


def test_citizens_requests_wait_on_the_unit_s_administrators_until_answered(unit_admin, owner, district):
    housing = Category.objects.get(code="housing")
    with travel_to(D(2026, 10, 12)):
        request = request_submit(category=housing, unit=district, text="小区路灯坏了三个月没人修")
        assert waiting_on(owner).get("requests") is None  # an official without the administrator's role
        [entry] = next(s.entries for s in inbox_fill(inbox_sections(unit_admin), unit_admin) if s.key == "requests")
        assert entry.pk == request.pk

        request = request_accept(request=request, by=unit_admin)
        assert [s.count for s in inbox_fill(inbox_sections(unit_admin), unit_admin) if s.key == "requests"] == [1]
        request_answer(request=request, by=unit_admin, reply="已联系物业修复路灯")
        assert "requests" not in {s.key for s in inbox_fill(inbox_sections(unit_admin), unit_admin) if s.count}
