"""The notice pages through the test client: issue, reply with a file, accept, escalate, the list's filters and
its exports, chasing from the item page."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.items.models import Status
from apps.supervision.models import Chase, Notice, NoticeColour, NoticeEventKind, NoticeStatus
from apps.supervision.notices import notice_issue, notice_reply
from tests.conftest import official_of, travel_to

D = datetime.date
MONDAY = D(2026, 11, 2)
REPLY_BY = D(2026, 11, 9)  # five working days on
REQUIREMENTS = "请于期限内反馈整改进展并附佐证材料"


@pytest.fixture
def delivered(make_item, township):
    return make_item(Status.IN_PROGRESS, responsible_unit=township, title="华山街道老旧管网改造")


@pytest.fixture
def street(township):
    return official_of(township)


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(output, "PNG")
    return output.getvalue()


def issued(item, by, colour=NoticeColour.BLUE, reply_by=REPLY_BY) -> Notice:
    with travel_to(MONDAY):
        return notice_issue(item=item, by=by, colour=colour, requirements=REQUIREMENTS, reply_by=reply_by)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_notice_issue_page_offers_five_working_days_and_issues(client, supervisor, delivered):
    client.force_login(supervisor)
    url = f"{reverse('supervision:notice_issue')}?item={delivered.pk}"
    with travel_to(MONDAY):
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["form"]["reply_by"].value() == D(2026, 11, 9)
        response = client.post(
            url,
            {
                "items": [delivered.pk],
                "colour": NoticeColour.BLUE,
                "number": "督办〔2026〕12号",
                "requirements": REQUIREMENTS,
                "reply_by": "2026-11-09",
            },
        )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:notice", args=[notice.pk])
    assert (notice.item, notice.number, notice.issued_by) == (delivered, "督办〔2026〕12号", supervisor)


def test_notice_issue_page_on_several_items_of_a_unit(client, supervisor, make_item, district):
    first, second = make_item(Status.IN_PROGRESS), make_item(Status.APPROVED)
    make_item(Status.DRAFT)  # not offered
    client.force_login(supervisor)
    url = f"{reverse('supervision:notice_issue')}?unit={district.pk}"
    with travel_to(MONDAY):
        page = client.get(url)
        assert set(page.context["form"].fields["items"].queryset) == {first, second}
        client.post(
            url,
            {
                "items": [first.pk, second.pk],
                "colour": NoticeColour.ORANGE,
                "requirements": REQUIREMENTS,
                "reply_by": "2026-11-09",
            },
        )
    assert sorted(Notice.objects.values_list("item_id", "colour")) == sorted(
        [(first.pk, NoticeColour.ORANGE), (second.pk, NoticeColour.ORANGE)]
    )


def test_notice_issue_page_refuses_someone_who_is_not_a_supervisor(client, leader, delivered):
    client.force_login(leader)
    url = f"{reverse('supervision:notice_issue')}?item={delivered.pk}"
    with travel_to(MONDAY):
        response = client.post(
            url, {"items": [delivered.pk], "colour": "blue", "requirements": REQUIREMENTS, "reply_by": "2026-11-09"}
        )
    assert response["Location"] == reverse("items:detail", args=[delivered.pk])
    assert message_texts(response)
    assert not Notice.objects.exists()


def test_notice_issue_page_refuses_an_item_not_offered(client, supervisor, delivered, make_item):
    draft = make_item(Status.DRAFT)
    client.force_login(supervisor)
    url = f"{reverse('supervision:notice_issue')}?item={delivered.pk}"
    with travel_to(MONDAY):
        response = client.post(
            url, {"items": [draft.pk], "colour": "blue", "requirements": REQUIREMENTS, "reply_by": "2026-11-09"}
        )
    assert response.status_code == 200
    assert response.context["form"].errors["items"]
    assert not Notice.objects.exists()


def test_notice_issue_page_of_an_item_out_of_reach(client, outsider, delivered):
    client.force_login(outsider)
    response = client.get(f"{reverse('supervision:notice_issue')}?item={delivered.pk}")
    assert response.status_code == 302
    assert not Notice.objects.exists()


def test_notice_reply_with_a_file_then_accept(client, supervisor, street, delivered, media_root):
    notice = issued(delivered, supervisor)
    client.force_login(street)
    page = client.get(reverse("supervision:notice", args=[notice.pk]))
    assert page.context["reply_form"] is not None and page.context["accept_form"] is None
    with travel_to(MONDAY):
        response = client.post(
            reverse("supervision:notice_reply", args=[notice.pk]),
            {"text": "管网已更换完毕", "files": [SimpleUploadedFile("现场照片.png", png_bytes())]},
        )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ANSWERED
    event = notice.events.get(kind=NoticeEventKind.REPLIED)
    evidence = event.evidence.get()
    assert (evidence.original_name, evidence.content_type) == ("现场照片.png", "image/png")
    assert client.get(reverse("supervision:notice_evidence", args=[evidence.pk])).status_code == 200

    client.force_login(supervisor)
    page = client.get(reverse("supervision:notice", args=[notice.pk]))
    assert page.context["accept_form"] is not None and page.context["reply_form"] is None
    assert "管网已更换完毕" in page.content.decode()
    client.post(reverse("supervision:notice_accept", args=[notice.pk]), {"note": "整改到位"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED


def test_notice_reply_refuses_a_file_that_is_no_image(client, supervisor, street, delivered, media_root):
    notice = issued(delivered, supervisor)
    client.force_login(street)
    with travel_to(MONDAY):
        response = client.post(
            reverse("supervision:notice_reply", args=[notice.pk]),
            {"text": "已整改", "files": [SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n<html>")]},
        )
    assert message_texts(response)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WAITING
    assert not list(media_root.rglob("*.png"))


def test_notice_evidence_hidden_from_an_outsider(client, supervisor, street, outsider, delivered, media_root):
    notice = issued(delivered, supervisor)
    with travel_to(MONDAY):
        notice_reply(notice=notice, by=street, text="已整改", files=[SimpleUploadedFile("图.png", png_bytes())])
    evidence = notice.events.get(kind=NoticeEventKind.REPLIED).evidence.get()
    client.force_login(outsider)
    assert client.get(reverse("supervision:notice_evidence", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("supervision:notice", args=[notice.pk])).status_code == 404


def test_notice_overdue_is_flagged_and_escalation_offered(client, supervisor, street, delivered):
    notice = issued(delivered, supervisor)
    client.force_login(supervisor)
    with travel_to(D(2026, 11, 10)):
        page = client.get(reverse("supervision:notice", args=[notice.pk]))
        assert page.context["escalate_form"] is not None
        html = page.content.decode()
        assert 'id="notice-overdue"' in html and "已超过反馈期限" in html
        assert 'id="overdue-callout"' in html
        response = client.post(reverse("supervision:notice_escalate", args=[notice.pk]), {})
    orange = Notice.objects.get(escalated_from=notice)
    assert response["Location"] == reverse("supervision:notice", args=[orange.pk])
    assert (orange.colour, orange.reply_by) == (NoticeColour.ORANGE, D(2026, 11, 17))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ESCALATED
    # The responsible side sees the notice but is offered no escalation.
    client.force_login(street)
    with travel_to(D(2026, 11, 10)):
        page = client.get(reverse("supervision:notice", args=[orange.pk]))
    assert page.context["escalate_form"] is None and page.context["reply_form"] is not None


def test_notice_escalate_page_refuses_red(client, supervisor, delivered):
    red = issued(delivered, supervisor, colour=NoticeColour.RED)
    client.force_login(supervisor)
    assert client.get(reverse("supervision:notice", args=[red.pk])).context["escalate_form"] is None
    with travel_to(MONDAY):
        response = client.post(reverse("supervision:notice_escalate", args=[red.pk]), {})
    assert message_texts(response)
    assert Notice.objects.count() == 1


def test_notice_list_filters(client, supervisor, street, delivered, make_item, township):
    blue = issued(delivered, supervisor)
    other = make_item(Status.IN_PROGRESS, responsible_unit=township)
    red = issued(other, supervisor, colour=NoticeColour.RED, reply_by=D(2026, 11, 20))
    answered = issued(other, supervisor)
    with travel_to(MONDAY):
        notice_reply(notice=answered, by=street, text="已整改")
    client.force_login(supervisor)
    url = reverse("supervision:notices")

    def listed(query: str) -> set[Notice]:
        with travel_to(D(2026, 11, 10)):
            response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return set(response.context["page_obj"].object_list)

    assert listed("") == {blue, red, answered}
    assert listed("colour=red") == {red}
    assert listed("status=answered") == {answered}
    assert listed("overdue=true") == {blue}
    assert listed("overdue=false") == {red, answered}
    assert listed(f"item={other.pk}") == {red, answered}
    assert listed(f"unit={township.pk}") == set()  # owned by the district, not the township
    assert listed(f"responsible_unit={township.pk}") == {blue, red, answered}
    assert listed("overdue=perhaps") == set()  # a filter that does not hold lists nothing


def test_notice_list_of_a_unit_offers_a_supervisor_to_issue_on_its_items(client, supervisor, leader, district):
    client.force_login(supervisor)
    response = client.get(f"{reverse('supervision:notices')}?unit={district.pk}")
    assert response.context["issue_unit"] == district
    assert f"{reverse('supervision:notice_issue')}?unit={district.pk}" in response.content.decode()
    client.force_login(leader)
    assert client.get(f"{reverse('supervision:notices')}?unit={district.pk}").context["issue_unit"] is None


def test_notice_list_hides_other_districts(client, supervisor, outsider, delivered):
    issued(delivered, supervisor)
    client.force_login(outsider)
    response = client.get(reverse("supervision:notices"))
    assert list(response.context["page_obj"].object_list) == []


def test_notice_export_csv_and_xlsx_rows(client, supervisor, delivered, make_item):
    issued(delivered, supervisor)
    issued(make_item(Status.IN_PROGRESS), supervisor, colour=NoticeColour.RED)
    client.force_login(supervisor)
    with travel_to(D(2026, 11, 10)):
        response = client.get(reverse("supervision:notices_export", args=["csv"]) + "?colour=blue")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["督办单编号", "颜色", "状态", "超过反馈期限"]
    assert len(rows) == 2
    assert rows[1][1:6] == ["蓝色（提醒）", "待反馈", "是", delivered.number, delivered.title]
    response = client.get(reverse("supervision:notices_export", args=["xlsx"]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 3
    assert client.get(reverse("supervision:notices_export", args=["pdf"])).status_code == 404


def test_chase_from_the_item_page(client, supervisor, street, delivered):
    client.force_login(supervisor)
    item_page = reverse("items:detail", args=[delivered.pk])
    html = client.get(item_page).content.decode()
    assert reverse("supervision:chase", args=[delivered.pk]) in html
    assert f"{reverse('supervision:notices')}?item={delivered.pk}" in html
    assert f"{reverse('supervision:notice_issue')}?item={delivered.pk}" in html
    with travel_to(MONDAY):
        first = client.post(reverse("supervision:chase", args=[delivered.pk]))
        second = client.post(reverse("supervision:chase", args=[delivered.pk]))
    assert first["Location"] == item_page and second["Location"] == item_page
    assert Chase.objects.filter(item=delivered).count() == 1
    assert message_texts(second) != message_texts(first)
    client.force_login(street)
    with travel_to(MONDAY + datetime.timedelta(days=1)):
        client.post(reverse("supervision:chase", args=[delivered.pk]))  # the responsible side does not chase
    assert Chase.objects.filter(item=delivered).count() == 1
