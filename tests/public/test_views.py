"""The public pages as an anonymous reader meets them: what shows, what never does, the figures, the filters."""

from __future__ import annotations

import datetime
import re
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.items.models import Action, Category, ProgressUpdate, Status, WorkItem, completed_q, planned_q, today_local
from apps.items.services import item_apply_action, item_post_progress
from apps.org.paths import subtree_q
from apps.supervision.models import NoticeColour
from apps.supervision.notices import notice_issue
from tests.conftest import REASON, official_of
from tests.factories import WorkItemFactory
from tests.public.conftest import EMAIL, PHONE, SUSPEND_REASON

PUBLIC_NOTE = "雨污管网已铺设一半，路面恢复中"
INTERNAL_NOTE = "施工队资金未到位，内部协调中"
NOTICE_TEXT = "限期三日内说明延误原因并整改到位"


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name: str = "验收单.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def unit_page(client, unit, **query) -> str:
    response = client.get(reverse("public:unit", args=[unit.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def listed_ids(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-item="(\d+)"', page)}


def figures_of(page: str) -> dict[str, tuple[str, str, str]]:
    """The figures table: {kind: (planned, completed, rate)}."""
    rows = re.findall(
        r'<tr data-kind="(\w+)">.*?<td class="planned">(\d+)</td><td class="completed">(\d+)</td>'
        r'<td class="rate">([^<]*)</td>',
        page,
        re.S,
    )
    return {kind: (planned, completed, rate) for kind, planned, completed, rate in rows}


def test_public_pages_open_to_an_anonymous_reader(client, make_public_item, district, media_root, owner):
    # given: a published item with a public note and its photo
    item = make_public_item()
    update = item_post_progress(item=item, by=owner, note=PUBLIC_NOTE, percent=40, files=[photo()], is_public=True)

    # when / then: every public page answers without a login
    for url in (
        reverse("public:directory"),
        reverse("public:directory") + "?q=五华",
        reverse("public:unit", args=[district.pk]),
        reverse("public:item", args=[item.pk]),
        reverse("public:evidence", args=[update.evidence.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if not response.streaming:
            assert "/accounts/login/" not in response.content.decode()


def test_public_directory_lists_units_with_their_published_counts(client, make_public_item, city, district, township):
    # given: two published items of 五华区 (one owned by its township) and an unpublished one
    make_public_item()
    make_public_item(unit=township)
    make_public_item(publish=False)

    # when
    page = client.get(reverse("public:directory")).content.decode()
    found = client.get(reverse("public:directory"), {"q": "华山"}).content.decode()

    # then: the city and its district each count the two published items of their subtree
    assert re.search(rf'href="/public/units/{city.pk}/">昆明市</a> <span class="count-badge"[^>]*>2<', page)
    assert re.search(rf'href="/public/units/{district.pk}/">五华区</a> <span class="count-badge"[^>]*>2<', page)
    assert f"/public/units/{township.pk}/" in found
    assert f"/public/units/{district.pk}/" not in found


def test_public_pages_show_published_items_only(client, make_public_item, district, leader):
    # given: published items, an unpublished approved item, a draft, one awaiting approval, and a published
    # item cancelled afterwards
    shown = make_public_item(Status.IN_PROGRESS)
    closed = make_public_item(Status.CLOSED)
    unpublished = make_public_item(Status.APPROVED, publish=False)
    draft = make_public_item(Status.DRAFT, publish=False)
    waiting = make_public_item(Status.SUBMITTED, publish=False)
    cancelled = make_public_item(Status.IN_PROGRESS)
    item_apply_action(item=cancelled, by=leader, action=Action.CANCEL, reason=REASON)

    # when
    page = unit_page(client, district)

    # then
    assert listed_ids(page) == {shown.pk, closed.pk}
    for hidden in (unpublished, draft, waiting, cancelled):
        assert hidden.title not in page
        assert client.get(reverse("public:item", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("public:item", args=[shown.pk])).status_code == 200
    assert client.get(reverse("public:unit", args=[999_999])).status_code == 404


def test_public_item_shows_public_notes_and_their_photos_only(client, make_public_item, owner, media_root):
    # given: a public note with a photo and a PDF, then an internal note with a photo
    item = make_public_item()
    public = item_post_progress(
        item=item, by=owner, note=PUBLIC_NOTE, percent=40, files=[photo(), pdf()], is_public=True
    )
    internal = item_post_progress(item=item, by=owner, note=INTERNAL_NOTE, percent=60, files=[photo("内部.png")])

    # when
    page = client.get(reverse("public:item", args=[item.pk])).content.decode()
    listing = unit_page(client, item.unit)

    # then: the public note shows, the internal one nowhere (not even its percent's note in the timeline)
    assert PUBLIC_NOTE in page and PUBLIC_NOTE in listing
    assert INTERNAL_NOTE not in page and INTERNAL_NOTE not in listing
    public_photo = public.evidence.get(content_type="image/png")
    public_pdf = public.evidence.get(content_type="application/pdf")
    assert reverse("public:evidence", args=[public_photo.pk]) in page
    assert "验收单.pdf" not in page
    # only the photo of the public note is served; its PDF and the internal note's photo are not
    assert client.get(reverse("public:evidence", args=[public_photo.pk])).status_code == 200
    assert client.get(reverse("public:evidence", args=[public_pdf.pk])).status_code == 404
    assert client.get(reverse("public:evidence", args=[internal.evidence.get().pk])).status_code == 404


def test_public_evidence_of_an_unpublished_item_is_not_served(client, make_public_item, owner, media_root):
    item = make_public_item(publish=False)
    update = item_post_progress(item=item, by=owner, note=PUBLIC_NOTE, percent=40, files=[photo()], is_public=True)

    assert client.get(reverse("public:evidence", args=[update.evidence.get().pk])).status_code == 404
    assert PUBLIC_NOTE not in unit_page(client, item.unit)


def test_public_pages_never_show_contact_details_reasons_or_notices(
    client, make_public_item, responsible, leader, supervisor, district
):
    # given: a published item returned with a reason, one suspended with another, and a notice on a third
    returned = make_public_item(Status.RETURNED)
    suspended = make_public_item(Status.SUSPENDED)
    noticed = make_public_item(Status.IN_PROGRESS)
    notice_issue(
        item=noticed,
        by=supervisor,
        colour=NoticeColour.RED,
        requirements=NOTICE_TEXT,
        reply_by=today_local() + datetime.timedelta(days=7),
    )
    assert returned.transitions.filter(reason=REASON).exists()

    # when: every public page that shows them
    pages = [unit_page(client, district), client.get(reverse("public:directory")).content.decode()]
    pages += [
        client.get(reverse("public:item", args=[item.pk])).content.decode() for item in (returned, suspended, noticed)
    ]

    # then: the responsible person's name shows, never their phone or email; no reason, no notice
    assert responsible.full_name in pages[0]
    for page in pages:
        assert PHONE not in page
        assert EMAIL not in page
        assert REASON not in page
        assert SUSPEND_REASON not in page
        assert NOTICE_TEXT not in page


def test_public_figures_equal_a_hand_count(
    client, make_public_item, city, district, sibling_district, township, leader
):
    # given, in 五华区 and below:
    #   livelihood plan, published: in progress, completed, closed, returned, suspended → planned 5, completed 2
    #   service list, published: approved, closed → planned 2, completed 1
    #   not counted: an unpublished completed item, a published item cancelled afterwards
    # and in the sibling 盘龙区 a published completed item, which only the city counts
    for status in (Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED, Status.RETURNED, Status.SUSPENDED):
        make_public_item(status)
    make_public_item(Status.APPROVED, service_list=True, unit=township)
    make_public_item(Status.CLOSED, service_list=True)
    make_public_item(Status.COMPLETED, publish=False)
    cancelled = make_public_item(Status.IN_PROGRESS)
    item_apply_action(item=cancelled, by=leader, action=Action.CANCEL, reason=REASON)
    neighbour = official_of(sibling_district)
    elsewhere = WorkItemFactory(unit=sibling_district, by=neighbour)
    for action, by in ((Action.SUBMIT, neighbour), (Action.APPROVE, leader), (Action.START, neighbour)):
        item_apply_action(item=elsewhere, by=by, action=action)
    item_apply_action(item=elsewhere, by=neighbour, action=Action.COMPLETE)
    item_apply_action(item=elsewhere, by=leader, action=Action.PUBLISH)

    # when
    figures = figures_of(unit_page(client, district))
    city_figures = figures_of(unit_page(client, city))

    # then: the hand count, and the count straight from the items by the one rule of what counts
    assert figures == {"livelihood_plan": ("5", "2", "40.0%"), "service_list": ("2", "1", "50.0%")}
    assert city_figures == {"livelihood_plan": ("6", "3", "50.0%"), "service_list": ("2", "1", "50.0%")}
    straight = WorkItem.objects.filter(subtree_q(district.path, "unit__path"), is_published=True)
    assert straight.filter(planned_q(), kind="livelihood_plan").count() == 5
    assert straight.filter(completed_q(), kind="livelihood_plan").count() == 2


def test_public_unit_page_filters_and_search(client, make_public_item, district, township):
    # given
    water = Category.objects.get(code="water_supply")
    pipes = make_public_item(Status.IN_PROGRESS, category=water, title="更换老旧供水管网")
    done = make_public_item(Status.COMPLETED, title="新建社区养老食堂", beneficiaries="辖区老年人")
    street = make_public_item(Status.IN_PROGRESS, unit=township, title="街道增设停车位")
    service = make_public_item(Status.IN_PROGRESS, service_list=True, title="走访困难群众")

    # when / then
    assert listed_ids(unit_page(client, district)) == {pipes.pk, done.pk, street.pk, service.pk}
    assert listed_ids(unit_page(client, district, category=water.pk)) == {pipes.pk}
    assert listed_ids(unit_page(client, district, status=Status.COMPLETED)) == {done.pk}
    assert listed_ids(unit_page(client, district, subunit=township.pk)) == {street.pk}
    assert listed_ids(unit_page(client, district, kind="service_list")) == {service.pk}
    assert listed_ids(unit_page(client, district, q="管网")) == {pipes.pk}
    assert listed_ids(unit_page(client, district, q="老年人")) == {done.pk}
    assert listed_ids(unit_page(client, township)) == {street.pk}
    # a filter that does not hold lists nothing and says why; the figures stay those of the unit
    refused = unit_page(client, district, status="draft")
    assert listed_ids(refused) == set()
    assert 'role="alert"' in refused
    assert figures_of(refused)["livelihood_plan"][0] == "3"


def test_public_unit_page_is_paged(client, make_public_item, district, settings):
    items = [make_public_item(Status.APPROVED) for _ in range(22)]

    first, second = unit_page(client, district), unit_page(client, district, page=2)

    assert len(listed_ids(first)) == 20
    assert listed_ids(first) | listed_ids(second) == {item.pk for item in items}


def test_public_unit_page_is_cached(client, make_public_item, district):
    make_public_item()
    with CaptureQueriesContext(connection) as first:
        unit_page(client, district)
    assert any("items_workitem" in query["sql"] for query in first.captured_queries)

    # when: the same page again, within the cache's time
    # then: the whole page comes from the cache, without a query; a proxy may keep it as long
    with CaptureQueriesContext(connection) as again:
        response = client.get(reverse("public:unit", args=[district.pk]))
    assert again.captured_queries == []
    assert "max-age=300" in response["Cache-Control"]

    # and: another filter of the page is another page, read afresh (its figures still from the cache)
    with CaptureQueriesContext(connection) as filtered:
        client.get(reverse("public:unit", args=[district.pk]), {"q": "改造"})
    assert filtered.captured_queries
    assert not any(
        "items_" in query["sql"]
        and "items_category" not in query["sql"]
        and "COUNT" in query["sql"].upper()
        and "GROUP BY" in query["sql"].upper()
        for query in filtered.captured_queries
    )


def test_progress_form_checkbox_makes_a_note_public(client, make_public_item, owner):
    # given: the owner on the page of their published item
    item = make_public_item()
    client.force_login(owner)
    detail = client.get(reverse("items:detail", args=[item.pk])).content.decode()
    assert 'name="is_public"' in detail
    assert "向社会公开这条进展" in detail

    # when: one note posted with the box ticked, one without
    progress = reverse("items:progress", args=[item.pk])
    client.post(progress, {"note": PUBLIC_NOTE, "percent": 30, "is_public": "on"})
    client.post(progress, {"note": INTERNAL_NOTE, "percent": 50})

    # then: the first is public, marked so on the item page, and shows on the public page; the second does not
    assert dict(ProgressUpdate.objects.filter(item=item).values_list("note", "is_public")) == {
        PUBLIC_NOTE: True,
        INTERNAL_NOTE: False,
    }
    assert 'class="badge public-note"' in client.get(reverse("items:detail", args=[item.pk])).content.decode()
    client.logout()
    public = client.get(reverse("public:item", args=[item.pk])).content.decode()
    assert PUBLIC_NOTE in public
    assert INTERNAL_NOTE not in public
