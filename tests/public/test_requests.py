"""Citizen requests' services and reads: codes, who may handle a request, every step and its refusals."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts.models import Role, User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.models import Action, Source, Status, WorkItem
from apps.items.services import item_post_progress
from apps.org.models import Unit
from apps.public.models import (
    TRACKING_ALPHABET,
    CitizenRequest,
    RequestAction,
    RequestStatus,
    tracking_code_new,
)
from apps.public.request_filtersets import CitizenRequestFilterSet
from apps.public.request_selectors import request_public_get, requests_visible_to
from apps.public.request_services import (
    request_accept,
    request_answer,
    request_decline,
    request_forward,
    request_link_item,
    request_submit,
    request_turn_into_item,
    user_handles_request,
)
from tests.conftest import ROUTE_TO_STATUS, travel_to
from tests.factories import UserFactory, other_category

TEXT = "社区门口的路灯坏了三个月，晚上老人出行不便，多次反映无人处理"
SENDER_NAME = "王大爷"
SENDER_PHONE = "13900001111"
FRIDAY = datetime.date(2026, 11, 27)  # no holiday near it: Monday the 30th is the next working day


def png(name: str = "路灯.png") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 20, 30)).save(output, "PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


@pytest.fixture
def send(township: Unit, media_root: Any) -> Callable[..., CitizenRequest]:
    """A request about 华山街道 sent by the public, with a name and phone."""

    def make(**fields: Any) -> CitizenRequest:
        fields.setdefault("category", other_category())
        fields.setdefault("unit", township)
        fields.setdefault("text", TEXT)
        fields.setdefault("name", SENDER_NAME)
        fields.setdefault("phone", SENDER_PHONE)
        fields.setdefault("may_contact", True)
        return request_submit(**fields)

    return make


@pytest.fixture
def city_admin(city: Unit) -> User:
    return UserFactory(username="city_admin", full_name="市管理员", unit=city, roles=[Role.UNIT_ADMIN])


def test_tracking_code_is_dated_long_and_unambiguous() -> None:
    codes = {tracking_code_new(datetime.date(2026, 12, 2)) for _index in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"SQ-20261202-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", code), code
    assert not set("01OIL") & set(TRACKING_ALPHABET)
    assert len(TRACKING_ALPHABET) ** 8 > 10**11  # not worth guessing


def test_request_submit_records_step_photo_and_acceptance_day(send, township: Unit) -> None:
    # given a request sent on a Friday with a photo
    with travel_to(FRIDAY):
        sent = send(photos=[png()])
    # then it waits for 华山街道 until the next working day, Monday
    assert sent.status == RequestStatus.RECEIVED
    assert sent.accept_by == datetime.date(2026, 11, 30)
    assert sent.tracking_code.startswith("SQ-20261127-")
    assert list(sent.steps.values_list("action", "to_unit")) == [(RequestAction.SUBMIT, township.pk)]
    photo = sent.photos.get()
    assert photo.content_type == "image/png"
    assert photo.original_name == "路灯.png"
    assert "路灯" not in photo.file.name  # stored under a random name


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([SimpleUploadedFile("信.pdf", b"%PDF-1.4 letter")], "not a photo"),
        ([SimpleUploadedFile("假.png", b"<html>not a png</html>")], "does not look like"),
        ([png("1.png"), png("2.png"), png("3.png"), png("4.png")], "At most 3"),
    ],
    ids=["pdf", "fake-png", "four-photos"],
)
def test_request_submit_refuses_what_is_no_photo(send, files: list, problem: str, settings) -> None:
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ServiceError) as refused:
        send(photos=files)
    assert problem in refused.value.message
    assert refused.value.field == "photos"
    assert not CitizenRequest.objects.exists()


def test_who_handles_a_request(
    send, unit_admin: User, city_admin: User, outsider: User, owner: User, system_admin: User, township: Unit
) -> None:
    sent = send()
    township_admin = UserFactory(username="hs_admin", unit=township, roles=[Role.UNIT_ADMIN])
    # the unit's administrator, an administrator above, a system administrator handle it
    for person in (township_admin, unit_admin, city_admin, system_admin):
        assert user_handles_request(person, sent), person
        assert requests_visible_to(person).filter(pk=sent.pk).exists()
    # an administrator of a sibling district and an official without the role do not
    for person in (outsider, owner):
        assert not user_handles_request(person, sent), person
        assert not requests_visible_to(person).filter(pk=sent.pk).exists()
        with pytest.raises(ServicePermissionError):
            request_accept(request=sent, by=person)
    sent.refresh_from_db()
    assert sent.status == RequestStatus.RECEIVED
    assert sent.steps.count() == 1


def test_accept_then_answer_closes(send, unit_admin: User) -> None:
    sent = send()
    accepted = request_accept(request=sent, by=unit_admin)
    assert accepted.status == RequestStatus.ACCEPTED
    assert accepted.accepted_at is not None
    answered = request_answer(request=sent, by=unit_admin, reply="路灯已于12月3日修复。")
    assert answered.status == RequestStatus.ANSWERED
    assert answered.closed_at is not None
    assert answered.reply == "路灯已于12月3日修复。"
    steps = list(answered.steps.values_list("action", "by"))
    assert steps == [
        (RequestAction.SUBMIT, None),
        (RequestAction.ACCEPT, unit_admin.pk),
        (RequestAction.ANSWER, unit_admin.pk),
    ]


@pytest.mark.parametrize(
    ("status_route", "action"),
    [
        ([], "answer"),  # a reply needs the request accepted first
        (["accept"], "accept"),
        (["accept"], "decline"),
        (["decline"], "accept"),
        (["decline"], "forward"),
        (["accept", "answer"], "answer"),
        (["accept", "answer"], "turn"),
    ],
)
def test_steps_refused_in_the_wrong_status(
    send, unit_admin: User, township: Unit, status_route: list[str], action: str, settings
) -> None:
    settings.LANGUAGE_CODE = "en"
    sent = send()
    moves: dict[str, Callable[[], Any]] = {
        "accept": lambda: request_accept(request=sent, by=unit_admin),
        "answer": lambda: request_answer(request=sent, by=unit_admin, reply="已答复"),
        "decline": lambda: request_decline(request=sent, by=unit_admin, reason="不属于本单位职责"),
        "forward": lambda: request_forward(request=sent, by=unit_admin, unit=unit_admin.unit, note="请处理"),
        "turn": lambda: request_turn_into_item(
            request=sent, by=unit_admin, title="修复路灯", content="", deadline=datetime.date(2026, 12, 31)
        ),
    }
    for step in status_route:
        moves[step]()
    sent.refresh_from_db()
    before = (sent.status, sent.steps.count())
    with pytest.raises(ServiceError) as refused:
        moves[action]()
    assert "is not possible while the request is" in refused.value.message
    sent.refresh_from_db()
    assert (sent.status, sent.steps.count()) == before


def test_reasons_and_notes_are_required(send, unit_admin: User, district: Unit) -> None:
    sent = send()
    with pytest.raises(ServiceError) as refused:
        request_decline(request=sent, by=unit_admin, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(ServiceError) as refused:
        request_forward(request=sent, by=unit_admin, unit=district, note="")
    assert refused.value.field == "note"
    request_accept(request=sent, by=unit_admin)
    with pytest.raises(ServiceError) as refused:
        request_answer(request=sent, by=unit_admin, reply="")
    assert refused.value.field == "reply"


def test_decline_keeps_the_reason_for_the_sender(send, unit_admin: User) -> None:
    declined = request_decline(request=send(), by=unit_admin, reason="属于司法程序，请通过法院途径解决")
    assert declined.status == RequestStatus.DECLINED
    assert declined.reply == "属于司法程序，请通过法院途径解决"


def test_forward_moves_the_request_and_starts_its_time_limit_again(
    send, unit_admin: User, township: Unit, district: Unit, sibling_district: Unit
) -> None:
    with travel_to(FRIDAY):
        sent = send(unit=district)
        request_accept(request=sent, by=unit_admin)
    # to a unit outside the administrator's reach: refused
    with pytest.raises(ServicePermissionError):
        request_forward(request=sent, by=unit_admin, unit=sibling_district, note="请盘龙区处理")
    # down to the township: received there, due the next working day after the forwarding
    with travel_to(datetime.date(2026, 11, 30)):
        forwarded = request_forward(request=sent, by=unit_admin, unit=township, note="请街道核实并修复")
    assert forwarded.unit == township
    assert forwarded.status == RequestStatus.RECEIVED
    assert forwarded.accepted_at is None
    assert forwarded.accept_by == datetime.date(2026, 12, 1)
    step = forwarded.steps.get(action=RequestAction.FORWARD)
    assert (step.from_unit, step.to_unit, step.note) == (district, township, "请街道核实并修复")


def test_turn_into_item_logs_an_item_of_the_handling_unit(send, unit_admin: User, district: Unit) -> None:
    sent = send(unit=district)
    turned = request_turn_into_item(
        request=sent, by=unit_admin, title="修复社区路灯", content=TEXT, deadline=datetime.date(2026, 12, 31)
    )
    item = turned.item
    assert turned.status == RequestStatus.TURNED_INTO_ITEM
    assert turned.accepted_at is not None
    assert (item.unit, item.source, item.category, item.status) == (
        district,
        Source.CITIZEN_REQUEST,
        sent.category,
        Status.DRAFT,
    )
    assert item.citizen_requests.get() == turned
    assert item.transitions.filter(action=Action.CREATE, by=unit_admin).exists()


def test_link_an_existing_item(send, unit_admin: User, make_item: Callable[..., WorkItem], settings) -> None:
    settings.LANGUAGE_CODE = "en"
    sent = send()
    existing = make_item(Status.IN_PROGRESS)
    with pytest.raises(ServiceError) as refused:
        request_link_item(request=sent, by=unit_admin, number="NO-SUCH-1")
    assert refused.value.field == "number"
    cancelled = make_item(Status.CANCELLED)
    with pytest.raises(ServiceError):
        request_link_item(request=sent, by=unit_admin, number=cancelled.number)
    linked = request_link_item(request=sent, by=unit_admin, number=existing.number)
    assert linked.item == existing
    assert linked.status == RequestStatus.TURNED_INTO_ITEM


def test_a_code_opens_only_its_own_request(send) -> None:
    first, second = send(), send(text="公交站台顶棚漏雨")
    assert request_public_get(first.tracking_code).text == TEXT
    assert request_public_get(second.tracking_code).text == "公交站台顶棚漏雨"
    assert request_public_get(first.tracking_code.lower()).tracking_code == first.tracking_code
    wrong_tail = first.tracking_code[:-1] + ("2" if first.tracking_code[-1] != "2" else "3")
    for code in (wrong_tail, "SQ-1", "'; DROP TABLE x; --", "", first.tracking_code + "X"):
        assert request_public_get(code) is None, code


def test_the_public_view_holds_no_contact_details_or_internal_notes(send, unit_admin: User, township: Unit) -> None:
    sent = send(unit=township.parent)
    request_forward(request=sent, by=unit_admin, unit=township, note="内部：该户曾多次上访")
    shown = request_public_get(sent.tracking_code)
    drawn = repr(shown)
    for secret in (SENDER_NAME, SENDER_PHONE, "内部：该户曾多次上访", unit_admin.full_name, unit_admin.username):
        assert secret not in drawn
    assert [step.unit for step in shown.steps] == [township.parent.name, township.name]


def test_closed_item_shows_on_the_public_view(
    send, unit_admin: User, district: Unit, actor_for, perform, leader: User, owner: User
) -> None:
    sent = send(unit=district)
    turned = request_turn_into_item(
        request=sent, by=unit_admin, title="修复社区路灯", content=TEXT, deadline=datetime.date(2026, 12, 31)
    )
    item = turned.item
    for action in ROUTE_TO_STATUS[Status.IN_PROGRESS]:
        perform(action, item=item, by=actor_for(action, item))
    perform(Action.PUBLISH, item=item, by=leader)
    item_post_progress(item=item, by=owner, note="三盏路灯已全部更换", percent=100, is_public=True)
    shown = request_public_get(sent.tracking_code).item
    assert (shown.is_closed, shown.public_id) == (False, item.pk)
    for action in (Action.COMPLETE, Action.CLOSE):
        perform(action, item=item, by=actor_for(action, item))
    shown = request_public_get(sent.tracking_code).item
    assert shown.is_closed
    assert shown.latest_note == "三盏路灯已全部更换"
    assert shown.number == item.number


def test_acceptance_overdue_after_one_working_day(send, unit_admin: User) -> None:
    with travel_to(FRIDAY):
        late = send()
        on_time = send()
    request_accept(request=on_time, by=unit_admin)
    with travel_to(datetime.date(2026, 11, 30)):  # Monday: still within the limit
        assert not late.is_acceptance_overdue()
        filterset = CitizenRequestFilterSet({"overdue": "true"}, queryset=CitizenRequest.objects.all(), user=unit_admin)
        assert list(filterset.qs) == []
    with travel_to(datetime.date(2026, 12, 1)):  # Tuesday: past it
        late.refresh_from_db()
        assert late.is_acceptance_overdue()
        on_time.refresh_from_db()
        assert not on_time.is_acceptance_overdue()
        filterset = CitizenRequestFilterSet({"overdue": "true"}, queryset=CitizenRequest.objects.all(), user=unit_admin)
        assert list(filterset.qs) == [late]


def test_a_deleted_draft_unlinks_the_request_which_may_be_turned_again(
    send, unit_admin: User, district: Unit, owner: User
) -> None:
    from apps.items.services import item_delete_draft

    sent = send(unit=district)
    turned = request_turn_into_item(
        request=sent, by=unit_admin, title="修复社区路灯", content=TEXT, deadline=datetime.date(2099, 12, 31)
    )
    # the item's author throws the draft away: the request survives, unlinked
    item_delete_draft(item=turned.item, by=unit_admin)
    sent.refresh_from_db()
    assert (sent.status, sent.item) == (RequestStatus.TURNED_INTO_ITEM, None)
    assert request_public_get(sent.tracking_code).item is None
    # and may be turned into an item again, which it may not while it has one
    again = request_turn_into_item(
        request=sent, by=unit_admin, title="修复社区路灯", content=TEXT, deadline=datetime.date(2099, 12, 31)
    )
    assert again.item is not None
    with pytest.raises(ServiceError):
        request_link_item(request=again, by=unit_admin, number=again.item.number)


@pytest.mark.django_db(transaction=True)
def test_two_administrators_at_once_one_step_wins(township: Unit, unit_admin: User, city_admin: User) -> None:
    """On PostgreSQL the row lock makes the second step wait for the first and then see its status."""
    import threading
    import time

    from django.db import connection, transaction

    from tests.services import require_postgres

    require_postgres()
    sent = request_submit(category=other_category(), unit=township, text=TEXT)
    locked = threading.Event()
    outcome: dict[str, Any] = {}

    def accept_slowly() -> None:
        try:
            with transaction.atomic():
                request_accept(request=sent, by=unit_admin)
                locked.set()
                time.sleep(0.5)  # the other administrator declines meanwhile
            outcome["accept"] = "done"
        finally:
            connection.close()

    def decline() -> None:
        locked.wait(5)
        try:
            request_decline(request=sent, by=city_admin, reason="不属于本单位职责")
            outcome["decline"] = "done"
        except ServiceError as error:
            outcome["decline"] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=accept_slowly), threading.Thread(target=decline)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    sent.refresh_from_db()
    assert outcome["accept"] == "done"
    assert outcome["decline"] != "done"
    assert sent.status == RequestStatus.ACCEPTED
    assert list(sent.steps.values_list("action", flat=True)) == [RequestAction.SUBMIT, RequestAction.ACCEPT]
