"""The publication period (公示期): the public's objections and suggestions, their answers, who is told and who answers."""

from __future__ import annotations

import datetime
import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from apps.items.models import Status
from apps.notifications.inbox import inbox_fill, inbox_sections
from apps.notifications.models import Event, Notification
from apps.public.comments import PUBLICATION_DAYS, public_comment_answer, public_comment_create
from apps.public.models import CommentKind, PublicComment
from tests.conftest import travel_to
from tests.factories import UserFactory

PUBLISHED_ON = datetime.date(2026, 3, 2)
LAST_DAY = PUBLISHED_ON + datetime.timedelta(days=PUBLICATION_DAYS - 1)
TEXT = "管网改造应先做老旧小区，建议调整施工顺序"
ANSWER = "已采纳，先行施工老旧小区段"
SENDER = "孙立"
SENDER_PHONE = "13987654321"


@pytest.fixture
def published(make_public_item):
    """An item in progress published on PUBLISHED_ON."""
    with travel_to(PUBLISHED_ON):
        return make_public_item(Status.IN_PROGRESS)


@pytest.fixture
def published_today(make_public_item):
    """An item in progress published today: its period is open."""
    return make_public_item(Status.IN_PROGRESS)


def captcha_answer(page: str) -> tuple[str, str]:
    """The form's captcha key and its answer, read from the store as the person would read the picture."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response


def send(client, item, *, kind=CommentKind.OBJECTION, text=TEXT, name=SENDER, phone=SENDER_PHONE, wrong=False):
    url = reverse("public:comment", args=[item.pk])
    page = client.get(url).content.decode()
    key, answer = captcha_answer(page)
    data = {"kind": kind, "text": text, "name": name, "phone": phone, "captcha_0": key, "captcha_1": answer}
    if wrong:
        data["captcha_1"] = "XXXX" if answer.upper() != "XXXX" else "YYYY"
    return client.post(url, data)


def test_public_comment_sent_within_the_period(client, published):
    # when: on the last day of the period
    with travel_to(LAST_DAY, hour=23):
        page = client.get(reverse("public:item", args=[published.pk])).content.decode()
        response = send(client, published)

    # then: the item page invites comments and links the form; the comment is kept with its contact details
    assert 'id="public-comment-link"' in page
    assert "2026-03-02" in page and "2026-03-08" in page
    assert response.status_code == 302
    assert response["Location"].endswith("?sent=1")
    comment = PublicComment.objects.get()
    assert (comment.item_id, comment.kind, comment.text) == (published.pk, CommentKind.OBJECTION, TEXT)
    assert (comment.name, comment.phone, comment.answered_at) == (SENDER, SENDER_PHONE, None)


def test_public_comment_refused_after_the_period(client, published):
    with travel_to(LAST_DAY):
        url = reverse("public:comment", args=[published.pk])
        key, answer = captcha_answer(client.get(url).content.decode())

    # when: the day after the last day
    with travel_to(LAST_DAY + datetime.timedelta(days=1), hour=0):
        item_page = client.get(reverse("public:item", args=[published.pk])).content.decode()
        form_page = client.get(url).content.decode()
        response = client.post(url, {"kind": "objection", "text": TEXT, "captcha_0": key, "captcha_1": answer})

    # then: the form is gone, the pages say the period has ended, and a late form is refused
    assert 'id="public-comment-link"' not in item_page
    assert 'id="public-period-ended"' in item_page
    assert 'id="public-comment-form"' not in form_page
    assert response.status_code == 403
    assert 'id="comment-period-ended"' in response.content.decode()
    assert not PublicComment.objects.exists()


def test_public_comment_refused_by_the_service_after_the_period(published):
    from apps.core.exceptions import ServiceError

    with pytest.raises(ServiceError):
        public_comment_create(item=published, kind="objection", text=TEXT, today=LAST_DAY + datetime.timedelta(1))


def test_public_comment_needs_the_captcha(client, published):
    # when: the characters typed do not match the picture
    with travel_to(PUBLISHED_ON):
        response = send(client, published, wrong=True)

    # then: nothing is kept; the page says why and keeps what was written, with a new picture
    assert response.status_code == 200
    page = response.content.decode()
    assert "The characters do not match the picture" in page or "与图片不符" in page
    assert TEXT in page and SENDER in page
    assert not PublicComment.objects.exists()


def test_public_comment_rate_limited_per_address(client, published, settings):
    settings.PUBLIC_FORM_RATE = "2/m"
    with travel_to(PUBLISHED_ON):
        first = send(client, published)
        second = send(client, published, kind=CommentKind.SUGGESTION)
        third = send(client, published)
        # another address is not held back by this one's submissions
        other = client.post(reverse("public:comment", args=[published.pk]), {}, REMOTE_ADDR="10.0.0.9")

    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 429)
    assert 'id="comment-limited"' in third.content.decode()
    assert other.status_code == 200
    assert PublicComment.objects.count() == 2


def test_public_comment_contact_details_never_public(client, published, unit_admin):
    with travel_to(PUBLISHED_ON):
        send(client, published)
        send(client, published, kind=CommentKind.SUGGESTION, text="建议公布施工时间")
        comment = PublicComment.objects.order_by("pk").first()
        public_comment_answer(comment=comment, by=unit_admin, answer=ANSWER)
        pages = [
            client.get(reverse("public:item", args=[published.pk])).content.decode(),
            client.get(reverse("public:comment", args=[published.pk])).content.decode(),
            client.get(reverse("public:unit", args=[published.unit_id])).content.decode(),
        ]

    for page in pages:
        assert SENDER not in page
        assert SENDER_PHONE not in page
    # the answered comment shows with its answer; the one waiting is counted, not shown
    assert TEXT in pages[0] and ANSWER in pages[0]
    assert "建议公布施工时间" not in pages[0]
    assert 'id="public-comments-waiting"' in pages[0]


def test_public_comment_answer_shown_publicly(client, published, unit_admin):
    with travel_to(PUBLISHED_ON):
        comment = public_comment_create(item=published, kind="suggestion", text=TEXT, name=SENDER, phone=SENDER_PHONE)
        before = client.get(reverse("public:item", args=[published.pk])).content.decode()
        client.force_login(unit_admin)
        response = client.post(reverse("public:comment_answer", args=[comment.pk]), {"answer": ANSWER})
        client.logout()
        after = client.get(reverse("public:item", args=[published.pk])).content.decode()

    assert response.status_code == 302
    assert response["Location"] == reverse("items:detail", args=[published.pk]) + "#public-comments"
    assert ANSWER not in before and TEXT not in before
    assert ANSWER in after and TEXT in after
    comment.refresh_from_db()
    assert (comment.answer, comment.answered_by, comment.answered_at is not None) == (ANSWER, unit_admin, True)


def test_public_comment_answered_once(published_today, unit_admin, leader):
    from apps.core.exceptions import ServiceError

    comment = public_comment_create(item=published_today, kind="objection", text=TEXT)
    public_comment_answer(comment=comment, by=unit_admin, answer=ANSWER)
    with pytest.raises(ServiceError):
        public_comment_answer(comment=comment, by=leader, answer="另一个答复")
    comment.refresh_from_db()
    assert comment.answer == ANSWER


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("unit_admin", True), ("leader", True), ("owner", False), ("colleague", False), ("outsider", False)],
)
def test_public_comment_who_may_answer(client, published_today, request, who, allowed):
    # the owning side's administrators and leaders (of the unit or above) answer; officials and outsiders do not
    person = request.getfixturevalue(who)
    comment = public_comment_create(item=published_today, kind="objection", text=TEXT, name=SENDER, phone=SENDER_PHONE)
    client.force_login(person)

    response = client.post(reverse("public:comment_answer", args=[comment.pk]), {"answer": ANSWER})
    detail = client.get(reverse("items:detail", args=[published_today.pk]))

    comment.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert comment.answer == ANSWER
        assert SENDER_PHONE in detail.content.decode()  # the owning side sees the contact details
    else:
        assert response.status_code == 403
        assert 'id="comment-refused"' in response.content.decode()
        assert comment.answered_at is None
        if detail.status_code == 200:
            assert SENDER_PHONE not in detail.content.decode()
            assert 'id="public-comments"' not in detail.content.decode()


def test_public_comment_answer_needs_a_login(client, published_today):
    comment = public_comment_create(item=published_today, kind="objection", text=TEXT)
    response = client.post(reverse("public:comment_answer", args=[comment.pk]), {"answer": ANSWER})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    comment.refresh_from_db()
    assert comment.answered_at is None


def test_public_comment_staff_block_lists_comments_with_contact_details(client, published, leader):
    with travel_to(PUBLISHED_ON):
        public_comment_create(item=published, kind="objection", text=TEXT, name=SENDER, phone=SENDER_PHONE)
    client.force_login(leader)
    page = client.get(reverse("items:detail", args=[published.pk])).content.decode()
    assert 'id="public-comments"' in page
    assert TEXT in page and SENDER in page and SENDER_PHONE in page
    assert reverse("public:comment_answer", args=[PublicComment.objects.get().pk]) in page


def test_public_comment_tells_the_owning_unit(client, published, unit_admin, leader, owner, district):
    # given: a leader of the owning district itself, besides the city's leader above
    district_leader = UserFactory(username="district_leader", unit=district, roles=["leader"])

    with travel_to(PUBLISHED_ON):
        send(client, published)
        send(client, published, kind=CommentKind.SUGGESTION)  # the same day: said once

    told = Notification.objects.filter(event=Event.PUBLIC_COMMENT)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([unit_admin.pk, district_leader.pk])
    assert all(row.item_id == published.pk and "#public-comments" in row.link for row in told)


def test_public_comment_inbox_section(published_today, unit_admin, leader, owner, outsider, make_public_item):
    def waiting(person) -> list[int]:
        sections = {section.key: section for section in inbox_fill(inbox_sections(person), person)}
        section = sections.get("public_comment")
        return [item.pk for item in section.entries] if section else []

    # given: two comments waiting on one item, and another published item with none
    make_public_item(Status.IN_PROGRESS)
    first = public_comment_create(item=published_today, kind="objection", text=TEXT)
    second = public_comment_create(item=published_today, kind="suggestion", text=TEXT)

    # then: the owning side sees the item once; the official and the outsider do not
    assert waiting(unit_admin) == [published_today.pk]
    assert waiting(leader) == [published_today.pk]
    assert waiting(owner) == []
    assert waiting(outsider) == []

    # when: both are answered, the entry goes
    public_comment_answer(comment=first, by=unit_admin, answer=ANSWER)
    assert waiting(unit_admin) == [published_today.pk]
    public_comment_answer(comment=second, by=leader, answer=ANSWER)
    assert waiting(unit_admin) == []
