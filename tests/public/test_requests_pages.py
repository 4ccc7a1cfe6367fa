"""Citizen requests' pages: the public's form with a real captcha and photo, the tracking page, the queue."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.test import Client

from apps.accounts.models import Role, User
from apps.items.models import Action, Source, Status, WorkItem
from apps.org.models import Unit
from apps.public.models import CitizenRequest, RequestStatus
from apps.public.request_services import request_accept, request_answer, request_submit, request_turn_into_item
from tests.conftest import ROUTE_TO_STATUS, travel_to
from tests.factories import UserFactory, other_category
from tests.public.test_requests import FRIDAY, SENDER_NAME, SENDER_PHONE, TEXT, png

NEW = "/public/requests/new/"


def captcha_answer(client: Client, url: str = NEW, **headers: Any) -> dict[str, str]:
    """Open the form and read its captcha's answer from the store, as a person would read the picture."""
    page = client.get(url, **headers)
    assert page.status_code == 200
    hashkey = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page.content.decode()).group(1)
    return {"captcha_0": hashkey, "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response}


def form_data(unit: Unit, **fields: Any) -> dict[str, Any]:
    data = {
        "category": other_category().pk,
        "unit": unit.pk,
        "text": TEXT,
        "name": SENDER_NAME,
        "phone": SENDER_PHONE,
        "may_contact": "on",
    }
    data.update(fields)
    return data


@pytest.fixture
def sent(township: Unit, media_root: Any) -> CitizenRequest:
    return request_submit(
        category=other_category(), unit=township, text=TEXT, name=SENDER_NAME, phone=SENDER_PHONE, may_contact=True
    )


def test_submit_through_the_page_gives_a_tracking_code(client: Client, township: Unit, media_root: Any) -> None:
    # given the form filled with the captcha's answer and a real PNG
    data = form_data(township, photos=png(), **captcha_answer(client))
    # when it is sent
    response = client.post(NEW, data)
    # then the sender lands on the tracking page, which shows the code prominently
    assert response.status_code == 302
    sent = CitizenRequest.objects.get()
    assert response["Location"] == f"/public/requests/{sent.tracking_code}/?sent=1"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f'id="tracking-code">{sent.tracking_code}<' in html
    assert "请记下" in html or "查询码" in html
    assert (sent.unit, sent.name, sent.phone, sent.may_contact) == (township, SENDER_NAME, SENDER_PHONE, True)
    assert sent.photos.count() == 1
    assert SENDER_PHONE not in html and SENDER_NAME not in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_the_form_opens_on_a_unit_and_lists_its_children(client: Client, district: Unit, township: Unit) -> None:
    html = client.get(NEW, {"unit": district.pk}).content.decode()
    assert f'<option value="{district.pk}" selected>' in html
    assert f'href="?unit={township.pk}"' in html
    assert "data-unit-picker" not in html  # the unit search answers signed-in users only
    for nonsense in ("abc", "999999", "1 OR 1=1"):
        assert client.get(NEW, {"unit": nonsense}).status_code == 200


def test_a_wrong_captcha_keeps_the_input_and_says_so(client: Client, township: Unit, media_root: Any) -> None:
    answer = captcha_answer(client)
    response = client.post(NEW, form_data(township, captcha_0=answer["captcha_0"], captcha_1="XXXX"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="field-captcha"' in html
    assert re.search(r'id="field-captcha">.*?class="error">验证码不正确', html, re.S)
    assert answer["captcha_0"] not in html  # a new picture to read
    assert TEXT in html  # what the sender typed is still there
    assert f'value="{SENDER_PHONE}"' in html
    assert not CitizenRequest.objects.exists()


def test_the_form_refuses_a_pdf_as_a_photo(client: Client, township: Unit, media_root: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = SimpleUploadedFile("信.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    response = client.post(NEW, form_data(township, photos=letter, **captcha_answer(client)))
    assert response.status_code == 400
    assert "信.pdf" in response.content.decode()
    assert not CitizenRequest.objects.exists()


def test_rate_limit_answers_429_per_client_address(client: Client, township: Unit, media_root: Any, settings) -> None:
    settings.PUBLIC_FORM_RATE = "3/m"
    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _attempt in range(3):
        response = client.post(NEW, form_data(township, **captcha_answer(client)), **behind_proxy)
        assert response.status_code == 302
    # the fourth from the same address is refused, with a page saying why, and nothing is recorded
    response = client.post(NEW, form_data(township, **captcha_answer(client)), **behind_proxy)
    assert response.status_code == 429
    assert 'id="request-limited"' in response.content.decode()
    assert CitizenRequest.objects.count() == 3
    # another client behind the same proxy is not held up
    other = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    response = client.post(NEW, form_data(township, **captcha_answer(client)), **other)
    assert response.status_code == 302


def test_tracking_page_shows_status_and_reply_never_contact_details(
    client: Client, sent: CitizenRequest, unit_admin: User
) -> None:
    request_accept(request=sent, by=unit_admin)
    request_answer(request=sent, by=unit_admin, reply="路灯已于12月3日修复，感谢您的反映。")
    page = client.get(f"/public/requests/{sent.tracking_code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="request-status"' in html
    assert "路灯已于12月3日修复，感谢您的反映。" in html
    for secret in (SENDER_NAME, SENDER_PHONE, unit_admin.full_name, unit_admin.username):
        assert secret not in html


def test_wrong_and_malformed_codes_get_the_same_kind_404(client: Client, sent: CitizenRequest) -> None:
    other = request_submit(category=other_category(), unit=sent.unit, text="另一件事")
    wrong = sent.tracking_code[:-2] + ("ZZ" if not sent.tracking_code.endswith("ZZ") else "YY")
    answers = [client.get(f"/public/requests/{code}/") for code in (wrong, "hello", "SQ-2026")]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    bodies = {answer.content.decode() for answer in answers}  # the page never echoes the code
    assert len(bodies) == 1
    assert 'id="request-not-found"' in bodies.pop()
    # another request's code shows that request only
    html = client.get(f"/public/requests/{other.tracking_code}/").content.decode()
    assert "另一件事" in html and TEXT not in html


def test_track_form_leads_to_the_request(client: Client, sent: CitizenRequest) -> None:
    response = client.get("/public/requests/track/", {"code": f" {sent.tracking_code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/public/requests/{sent.tracking_code}/"


# The queue ----------------------------------------------------------------------------------------------------------


def test_queue_shows_contact_details_to_the_units_administrators(
    client: Client, sent: CitizenRequest, unit_admin: User, city: Unit
) -> None:
    for person in (unit_admin, UserFactory(username="city_admin", unit=city, roles=[Role.UNIT_ADMIN])):
        client.force_login(person)
        listing = client.get("/public/queue/")
        assert listing.status_code == 200
        assert sent.tracking_code in listing.content.decode()
        detail = client.get(f"/public/queue/{sent.pk}/")
        html = detail.content.decode()
        assert SENDER_PHONE in html and SENDER_NAME in html
        assert 'id="action-accept"' in html


def test_queue_refuses_outsiders_and_officials(
    client: Client, sent: CitizenRequest, outsider: User, owner: User, media_root: Any
) -> None:
    client.force_login(outsider)  # an administrator of the sibling district
    assert client.get("/public/queue/").status_code == 200
    assert sent.tracking_code not in client.get("/public/queue/").content.decode()
    assert client.get(f"/public/queue/{sent.pk}/").status_code == 404
    assert client.post(f"/public/queue/{sent.pk}/accept/").status_code == 404
    client.force_login(owner)  # an official of the district, no administrator
    assert client.get("/public/queue/").status_code == 403
    assert client.get(f"/public/queue/{sent.pk}/").status_code == 404
    assert client.post(f"/public/queue/{sent.pk}/accept/").status_code == 404
    client.logout()
    assert client.get("/public/queue/").status_code == 302  # to the sign-in page
    sent.refresh_from_db()
    assert sent.status == RequestStatus.RECEIVED


def test_queue_actions_through_the_page(client: Client, sent: CitizenRequest, unit_admin: User, district: Unit) -> None:
    client.force_login(unit_admin)
    url = f"/public/queue/{sent.pk}/"
    # a decline without a reason is refused on the form
    response = client.post(url + "decline/", {"decline-reason": ""})
    assert response.status_code == 400
    # accept, then accepting again is refused with the reason
    assert client.post(url + "accept/").status_code == 302
    response = client.post(url + "accept/")
    assert response.status_code == 400
    assert 'id="request-problem"' in response.content.decode()
    # forward up to the district, with a note
    response = client.post(url + "forward/", {"forward-unit": district.pk, "forward-note": "请区里统筹处理"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.unit, sent.status) == (district, RequestStatus.RECEIVED)
    # turn it into a work item, pre-filled from the request
    page = client.get(url).content.decode()
    assert 'name="turn_into_item-title"' in page
    response = client.post(
        url + "turn_into_item/",
        {
            "turn_into_item-title": "修复社区路灯",
            "turn_into_item-content": TEXT,
            "turn_into_item-deadline": "2099-12-31",
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == RequestStatus.TURNED_INTO_ITEM
    assert (sent.item.source, sent.item.unit, sent.item.title) == (Source.CITIZEN_REQUEST, district, "修复社区路灯")
    # reply and close
    response = client.post(url + "answer/", {"answer-reply": "已立项办理，预计年底前完成。"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == RequestStatus.ANSWERED
    assert list(sent.steps.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "forward",
        "turn_into_item",
        "answer",
    ]
    assert client.post(url + "unknown/").status_code == 404


def test_tracking_page_says_the_item_is_done(
    client: Client, sent: CitizenRequest, unit_admin: User, actor_for, perform, leader: User, owner: User
) -> None:
    from apps.items.services import item_post_progress

    sent.unit, sent.unit_path = unit_admin.unit, unit_admin.unit.path
    sent.save()
    turned = request_turn_into_item(
        request=sent, by=unit_admin, title="修复社区路灯", content=TEXT, deadline=datetime.date(2099, 12, 31)
    )
    item: WorkItem = turned.item
    for action in ROUTE_TO_STATUS[Status.IN_PROGRESS]:
        perform(action, item=item, by=actor_for(action, item))
    perform(Action.PUBLISH, item=item, by=leader)
    item_post_progress(item=item, by=owner, note="三盏路灯已全部更换", percent=100, is_public=True)
    html = client.get(f"/public/requests/{sent.tracking_code}/").content.decode()
    assert 'id="request-item-closed"' not in html
    for action in (Action.COMPLETE, Action.CLOSE):
        perform(action, item=item, by=actor_for(action, item))
    html = client.get(f"/public/requests/{sent.tracking_code}/").content.decode()
    assert 'id="request-item-closed"' in html
    assert "三盏路灯已全部更换" in html
    assert f'href="/public/items/{item.pk}/"' in html
    assert SENDER_PHONE not in html and owner.full_name not in html


def test_queue_flags_acceptance_overdue_after_a_working_day(
    client: Client, township: Unit, unit_admin: User, media_root: Any
) -> None:
    with travel_to(FRIDAY):
        late = request_submit(category=other_category(), unit=township, text=TEXT)
    with travel_to(datetime.date(2026, 11, 30)):  # Monday: the day it is due
        client.force_login(unit_admin)
        assert 'id="request-overdue"' not in client.get(f"/public/queue/{late.pk}/").content.decode()
        assert late.tracking_code not in client.get("/public/queue/", {"overdue": "true"}).content.decode()
    with travel_to(datetime.date(2026, 12, 1)):
        client.force_login(unit_admin)
        assert 'id="request-overdue"' in client.get(f"/public/queue/{late.pk}/").content.decode()
        listing = client.get("/public/queue/", {"overdue": "true"}).content.decode()
        assert late.tracking_code in listing
        assert 'class="overdue"' in listing


def test_photos_are_served_to_the_handling_side_only(
    client: Client, township: Unit, unit_admin: User, outsider: User, media_root: Any
) -> None:
    with_photo = request_submit(category=other_category(), unit=township, text=TEXT, photos=[png()])
    photo = with_photo.photos.get()
    assert client.get(f"/public/queue/photos/{photo.pk}/").status_code == 302  # anonymous: sign in first
    client.force_login(outsider)
    assert client.get(f"/public/queue/photos/{photo.pk}/").status_code == 404
    client.force_login(unit_admin)
    response = client.get(f"/public/queue/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
