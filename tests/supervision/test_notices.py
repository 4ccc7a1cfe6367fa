"""Supervision notices (三色督办单) and chasing (催办) through their services: who may do what, the escalation
chain, the overdue flag and one chase a day.

The item is owned by the district (五华区) and handed to the township (华山街道): the owning side is the district
and the city above it, the responsible side the township's officials.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.models import Status
from apps.items.services import item_assign
from apps.supervision.models import Chase, Notice, NoticeColour, NoticeEventKind, NoticeStatus
from apps.supervision.notices import (
    chase_send,
    default_reply_by,
    notice_accept,
    notice_escalate,
    notice_issue,
    notice_reply,
    notices_issue,
)
from apps.supervision.selectors import items_to_notice, notices_to_decide, notices_to_reply, notices_visible_to
from tests.conftest import official_of, travel_to
from tests.factories import UserFactory

D = datetime.date
MONDAY = D(2026, 11, 2)  # no holiday in the next weeks: five working days on is Monday 9 November
REQUIREMENTS = "请于期限内反馈整改进展并附佐证材料"


@pytest.fixture
def delivered(make_item, township):
    """An item of the district being delivered by the township."""
    return make_item(Status.IN_PROGRESS, responsible_unit=township)


@pytest.fixture
def cast(supervisor, leader, owner, unit_admin, outsider, system_admin, township):
    return {
        "supervisor": supervisor,  # of the city, above the owning district
        "leader": leader,
        "owner": owner,  # an official of the owning district
        "unit_admin": unit_admin,  # of the owning district
        "responsible": official_of(township),
        "outsider": outsider,  # every role but system administrator, in the sibling district
        "system_admin": system_admin,
    }


def issue(item, by, colour=NoticeColour.BLUE, reply_by=None):
    with travel_to(MONDAY):
        return notice_issue(
            item=item, by=by, colour=colour, requirements=REQUIREMENTS, reply_by=reply_by or default_reply_by()
        )


def reply(notice, by, text="已完成整改"):
    with travel_to(MONDAY):
        return notice_reply(notice=notice, by=by, text=text)


def test_notice_default_reply_by_is_five_working_days_on(db):
    assert default_reply_by(MONDAY) == D(2026, 11, 9)
    assert default_reply_by(D(2026, 9, 30)) == D(2026, 10, 13)  # across the National Day holiday and its 调休


MAY_ISSUE = {"supervisor", "system_admin"}
MAY_REPLY = {"responsible", "system_admin"}
MAY_DECIDE = {"supervisor", "system_admin"}
MAY_CHASE = {"supervisor", "leader", "unit_admin", "system_admin"}


@pytest.mark.parametrize(
    "who", ["supervisor", "leader", "owner", "unit_admin", "responsible", "outsider", "system_admin"]
)
def test_notice_rules_issue(who, cast, delivered):
    if who in MAY_ISSUE:
        notice = issue(delivered, cast[who])
        assert notice.status == NoticeStatus.WAITING
        assert [event.kind for event in notice.events.all()] == [NoticeEventKind.ISSUED]
    else:
        with pytest.raises(ServicePermissionError):
            issue(delivered, cast[who])
        assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "who", ["supervisor", "leader", "owner", "unit_admin", "responsible", "outsider", "system_admin"]
)
def test_notice_rules_reply(who, cast, delivered):
    notice = issue(delivered, cast["supervisor"])
    if who in MAY_REPLY:
        assert reply(notice, cast[who]).status == NoticeStatus.ANSWERED
    else:
        with pytest.raises(ServicePermissionError):
            reply(notice, cast[who])
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.WAITING
        assert notice.events.count() == 1


@pytest.mark.parametrize(
    "who", ["supervisor", "leader", "owner", "unit_admin", "responsible", "outsider", "system_admin"]
)
def test_notice_rules_accept_and_escalate(who, cast, delivered):
    answered = reply(issue(delivered, cast["supervisor"]), cast["responsible"])
    waiting = issue(delivered, cast["supervisor"])
    if who in MAY_DECIDE:
        assert notice_accept(notice=answered, by=cast[who]).status == NoticeStatus.ACCEPTED
        with travel_to(MONDAY):
            assert notice_escalate(notice=waiting, by=cast[who]).colour == NoticeColour.ORANGE
    else:
        with pytest.raises(ServicePermissionError):
            notice_accept(notice=answered, by=cast[who])
        with pytest.raises(ServicePermissionError), travel_to(MONDAY):
            notice_escalate(notice=waiting, by=cast[who])
        assert Notice.objects.count() == 2
        assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.ANSWERED, NoticeStatus.WAITING}


@pytest.mark.parametrize(
    "who", ["supervisor", "leader", "owner", "unit_admin", "responsible", "outsider", "system_admin"]
)
def test_chase_rules(who, cast, delivered):
    if who in MAY_CHASE:
        with travel_to(MONDAY):
            chase = chase_send(item=delivered, by=cast[who])
        assert chase.day == MONDAY
    else:
        with pytest.raises(ServicePermissionError), travel_to(MONDAY):
            chase_send(item=delivered, by=cast[who])
        assert not Chase.objects.exists()


def test_notice_issue_needs_a_supervisor_of_the_owning_side_not_of_the_responsible_unit(delivered, township, district):
    street_supervisor = UserFactory(username="street-supervisor", unit=township, roles=[Role.SUPERVISOR])
    district_supervisor = UserFactory(username="district-supervisor", unit=district, roles=[Role.SUPERVISOR])
    with pytest.raises(ServicePermissionError):
        issue(delivered, street_supervisor)
    assert issue(delivered, district_supervisor).issued_by == district_supervisor


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.SUSPENDED, Status.CLOSED, Status.CANCELLED])
def test_notice_issue_refused_on_an_item_not_being_delivered(status, make_item, supervisor):
    item = make_item(status)
    with pytest.raises(ServiceError) as refused:
        issue(item, supervisor)
    assert not isinstance(refused.value, ServicePermissionError)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("status", [Status.APPROVED, Status.RETURNED, Status.COMPLETED])
def test_notice_issue_allowed_on_an_item_delivered_or_completed(status, make_item, supervisor):
    assert issue(make_item(status), supervisor).status == NoticeStatus.WAITING


def test_notice_issue_refuses_a_reply_deadline_in_the_past_and_empty_requirements(delivered, supervisor):
    with pytest.raises(ServiceError) as refused:
        issue(delivered, supervisor, reply_by=MONDAY - datetime.timedelta(days=1))
    assert refused.value.field == "reply_by"
    with pytest.raises(ServiceError) as refused, travel_to(MONDAY):
        notice_issue(item=delivered, by=supervisor, colour=NoticeColour.BLUE, requirements=" ", reply_by=MONDAY)
    assert refused.value.field == "requirements"
    assert not Notice.objects.exists()


def test_notices_issue_on_a_set_of_items_is_all_or_nothing(make_item, supervisor, township):
    first, second = make_item(Status.IN_PROGRESS), make_item(Status.IN_PROGRESS)
    with travel_to(MONDAY):
        notices = notices_issue(
            items=[first, second], by=supervisor, colour=NoticeColour.BLUE, requirements=REQUIREMENTS, reply_by=MONDAY
        )
    assert sorted(notice.item_id for notice in notices) == sorted([first.pk, second.pk])
    assert {notice.requirements for notice in notices} == {REQUIREMENTS}
    draft = make_item(Status.DRAFT)
    with pytest.raises(ServiceError), travel_to(MONDAY):
        notices_issue(
            items=[first, draft], by=supervisor, colour=NoticeColour.RED, requirements=REQUIREMENTS, reply_by=MONDAY
        )
    assert Notice.objects.count() == 2


def test_notice_escalation_chain_blue_orange_red_and_red_cannot_go_further(delivered, supervisor, cast):
    blue = issue(delivered, supervisor)
    with travel_to(MONDAY):
        orange = notice_escalate(notice=blue, by=supervisor)
    assert (orange.colour, orange.escalated_from, orange.requirements) == (NoticeColour.ORANGE, blue, REQUIREMENTS)
    assert orange.reply_by == D(2026, 11, 9)
    blue.refresh_from_db()
    assert blue.status == NoticeStatus.ESCALATED
    assert [event.kind for event in blue.events.all()] == [NoticeEventKind.ISSUED, NoticeEventKind.ESCALATED]
    # An answered notice may be escalated too, when the reply does not do.
    reply(orange, cast["responsible"])
    with travel_to(MONDAY):
        red = notice_escalate(notice=orange, by=supervisor, requirements="限期整改到位", reply_by=D(2026, 11, 5))
    assert (red.colour, red.escalated_from, red.requirements, red.reply_by) == (
        NoticeColour.RED,
        orange,
        "限期整改到位",
        D(2026, 11, 5),
    )
    with pytest.raises(ServiceError) as refused, travel_to(MONDAY):
        notice_escalate(notice=red, by=supervisor)
    assert not isinstance(refused.value, ServicePermissionError)
    red.refresh_from_db()
    assert red.status == NoticeStatus.WAITING
    # An escalated notice is done: it is not escalated twice.
    with pytest.raises(ServiceError), travel_to(MONDAY):
        notice_escalate(notice=blue, by=supervisor)
    assert Notice.objects.count() == 3


def test_notice_reply_only_while_waiting_and_accept_only_when_answered(delivered, supervisor, cast):
    notice = issue(delivered, supervisor)
    with pytest.raises(ServiceError):
        notice_accept(notice=notice, by=supervisor)  # nothing to accept yet
    with pytest.raises(ServiceError) as refused:
        reply(notice, cast["responsible"], text="  ")
    assert refused.value.field == "text"
    reply(notice, cast["responsible"])
    with pytest.raises(ServiceError):
        reply(notice, cast["responsible"], text="再次反馈")
    notice = notice_accept(notice=notice, by=supervisor, note="整改到位")
    assert [event.kind for event in notice.events.all()] == [
        NoticeEventKind.ISSUED,
        NoticeEventKind.REPLIED,
        NoticeEventKind.ACCEPTED,
    ]
    with pytest.raises(ServiceError), travel_to(MONDAY):
        notice_escalate(notice=notice, by=supervisor)


def test_notice_reply_by_the_responsible_person(make_item, supervisor, township, leader):
    person = official_of(township)
    item = make_item(Status.IN_PROGRESS)  # the district's own item …
    item = item_assign(item=item, by=leader, responsible_unit=township, responsible_person=person)
    notice = issue(item, supervisor)
    assert reply(notice, person).status == NoticeStatus.ANSWERED


def test_notice_overdue_after_the_reply_deadline(delivered, supervisor, cast):
    notice = issue(delivered, supervisor)  # reply by Monday 9 November
    with travel_to(D(2026, 11, 9), hour=23):
        assert not Notice.objects.get(pk=notice.pk).is_overdue
        assert not Notice.objects.overdue().exists()
    with travel_to(D(2026, 11, 10), hour=8):
        assert Notice.objects.get(pk=notice.pk).is_overdue
        assert list(Notice.objects.overdue()) == [notice]
        notice_reply(notice=notice, by=cast["responsible"], text="已整改")  # a late reply is still taken
        assert not Notice.objects.get(pk=notice.pk).is_overdue
        assert not Notice.objects.overdue().exists()


def test_chase_once_a_day_per_item(delivered, supervisor, leader, make_item):
    with travel_to(MONDAY, hour=9):
        chase_send(item=delivered, by=supervisor)
    with travel_to(MONDAY, hour=16), pytest.raises(ServiceError) as refused:
        chase_send(item=delivered, by=leader)
    assert not isinstance(refused.value, ServicePermissionError)
    other = make_item(Status.IN_PROGRESS)
    with travel_to(MONDAY, hour=16):
        chase_send(item=other, by=leader)  # another item the same day
    with travel_to(MONDAY + datetime.timedelta(days=1)):
        chase_send(item=delivered, by=leader)
    assert Chase.objects.filter(item=delivered).count() == 2


def test_chase_the_constraint_keeps_one_a_day(delivered, supervisor):
    Chase.objects.create(item=delivered, by=supervisor, day=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Chase.objects.create(item=delivered, by=supervisor, day=MONDAY)


def test_chase_at_the_same_moment_gets_the_refusal_not_an_integrity_error(delivered, supervisor, leader):
    # given a chase recorded by someone else after this one looked (two clicks at the same moment)
    with travel_to(MONDAY):
        chase_send(item=delivered, by=supervisor)
    # when the second one's look finds nothing, its insert meets the constraint
    no_look = mock.patch.object(QuerySet, "exists", return_value=False)
    with travel_to(MONDAY), no_look, pytest.raises(ServiceError) as refused:
        chase_send(item=delivered, by=leader)
    # then
    assert "今天已催办" in refused.value.message
    assert Chase.objects.filter(item=delivered).count() == 1


def test_chase_refused_on_an_item_not_being_delivered(make_item, supervisor):
    with pytest.raises(ServiceError), travel_to(MONDAY):
        chase_send(item=make_item(Status.COMPLETED), by=supervisor)
    assert not Chase.objects.exists()


def test_chase_is_sent_to_the_responsible_person(make_item, supervisor, township, leader):
    person = official_of(township)
    item = item_assign(
        item=make_item(Status.IN_PROGRESS), by=leader, responsible_unit=township, responsible_person=person
    )
    with travel_to(MONDAY):
        assert chase_send(item=item, by=supervisor).to == person


def test_notice_selector_items_to_notice(cast, delivered, make_item):
    draft = make_item(Status.DRAFT)
    assert draft not in set(items_to_notice(cast["supervisor"]))
    assert set(items_to_notice(cast["supervisor"])) == {delivered}
    assert set(items_to_notice(cast["system_admin"])) == {delivered}
    for who in ("leader", "owner", "responsible", "outsider"):
        assert not items_to_notice(cast[who]).exists()


def test_notice_selectors_to_reply_and_to_decide(delivered, cast, make_item):
    supervisor, responsible = cast["supervisor"], cast["responsible"]
    waiting = issue(delivered, supervisor)
    answered = reply(issue(delivered, supervisor), responsible)
    assert list(notices_to_reply(responsible)) == [waiting]
    assert list(notices_to_reply(supervisor)) == []
    assert list(notices_to_reply(cast["outsider"])) == []
    assert list(notices_to_decide(supervisor)) == [answered]
    assert list(notices_to_decide(responsible)) == []
    assert list(notices_to_decide(cast["leader"])) == []  # a leader, not a supervisor
    assert list(notices_to_decide(cast["outsider"])) == []  # a supervisor, of another district
    assert set(notices_visible_to(responsible)) == {waiting, answered}
    assert not notices_visible_to(cast["outsider"]).exists()
