"""Evidence files never run in the portal's pages: only images Pillow decodes are shown inline, the rest download.

A file that starts like a JPEG and goes on as HTML, or a PDF with a script, would run in the portal's origin if
the browser showed it. Uploads named as images must decode as images; every download carries
`Content-Security-Policy: sandbox` and `X-Content-Type-Options: nosniff`, and is an attachment unless it is an image
that decodes.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.items import evidence as evidence_module
from apps.items.models import Evidence, ProgressUpdate, Status

HTML = b"<html><body><script>fetch('/api/v1/people/').then(r => r.text()).then(alert)</script></body></html>"
JPEG_THEN_HTML = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + HTML
PDF_WITH_SCRIPT = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R /OpenAction 3 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"3 0 obj <</S /JavaScript /JS (app.alert(document.cookie))>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(file_format: str, size: tuple[int, int] = (16, 12)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(output, file_format)
    return output.getvalue()


def cut_in_half(file_format: str) -> bytes:
    """A photo whose header is whole but whose picture data stops halfway: it opens, but does not decode."""
    output = io.BytesIO()
    Image.effect_noise((640, 480), 64).convert("RGB").save(output, file_format)
    return output.getvalue()[: output.tell() // 2]


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Evidence files of one test never meet another's."""


def api_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def post_on_page(client, user, item, name: str, content: bytes):
    client.force_login(user)
    return client.post(
        reverse("items:progress", args=[item.pk]),
        {"note": "现场照片", "percent": 50, "files": [SimpleUploadedFile(name, content)]},
        follow=True,
    )


def post_on_api(user, item, name: str, content: bytes):
    return api_client(user).post(
        f"/api/v1/items/{item.pk}/progress/",
        {"note": "现场照片", "percent": 50, "files": [SimpleUploadedFile(name, content)]},
    )


def stored_evidence(item, name: str, content: bytes, content_type: str) -> Evidence:
    """An evidence row as an upload before these checks left it (the file went in on its signature alone)."""
    update = ProgressUpdate.objects.create(item=item, by=item.created_by, note="旧材料", percent=10, at=item.created_at)
    return Evidence.objects.create(
        update=update,
        file=ContentFile(content, name=name),
        original_name=name,
        size=len(content),
        content_type=content_type,
    )


def downloads(client, user, evidence: Evidence) -> list:
    """The file as the item page's link and the API's download link give it."""
    client.force_login(user)
    page = client.get(reverse("items:evidence", args=[evidence.pk]))
    api = api_client(user).get(f"/api/v1/items/{evidence.update.item_id}/evidence/{evidence.pk}/")
    return [page, api]


def assert_guarded(response) -> None:
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def assert_attachment(response, content: bytes) -> None:
    assert_guarded(response)
    assert response["Content-Disposition"].startswith("attachment")
    assert not response["Content-Type"].startswith(("image/", "text/"))
    assert b"".join(response.streaming_content) == content


# --- uploads named as images must be images ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场照片.jpg", JPEG_THEN_HTML),
        ("现场照片.png", b"\x89PNG\r\n\x1a\n" + HTML),
        ("现场照片.gif", b"GIF89a" + HTML),
        ("现场照片.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + HTML),
        ("截断.jpg", cut_in_half("JPEG")),
        ("截断.png", cut_in_half("PNG")),
    ],
    ids=["jpeg-then-html", "png-then-html", "gif-then-html", "webp-then-html", "truncated-jpeg", "truncated-png"],
)
def test_evidence_named_as_an_image_that_does_not_decode_is_refused_on_the_page(
    name, content, client, owner, make_item
):
    item = make_item(Status.IN_PROGRESS)

    response = post_on_page(client, owner, item, name, content)

    messages = [str(message) for message in response.context["messages"]]
    assert any(name in message and "图片" in message for message in messages), messages
    assert not Evidence.objects.exists() and not ProgressUpdate.objects.exists()


def test_evidence_jpeg_header_then_html_is_refused_by_the_api(owner, make_item, media_root):
    item = make_item(Status.IN_PROGRESS)

    response = post_on_api(owner, item, "现场照片.jpg", JPEG_THEN_HTML)

    assert response.status_code == 400
    assert "现场照片.jpg" in response.json()["errors"]["files"][0]
    assert not Evidence.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_evidence_image_with_too_many_pixels_is_refused(client, owner, make_item, monkeypatch):
    monkeypatch.setattr(evidence_module, "EVIDENCE_MAX_IMAGE_PIXELS", 100)
    item = make_item(Status.IN_PROGRESS)

    response = post_on_page(client, owner, item, "大图.png", image_bytes("PNG", (20, 20)))

    messages = [str(message) for message in response.context["messages"]]
    assert any("大图.png" in message and "像素" in message for message in messages), messages
    assert not Evidence.objects.exists()


# --- downloads: inline only for images that decode, and always sandboxed --------------------------------------


@pytest.mark.parametrize(
    ("name", "file_format", "content_type"),
    [
        ("现场照片.png", "PNG", "image/png"),
        ("现场照片.jpg", "JPEG", "image/jpeg"),
        ("动图.gif", "GIF", "image/gif"),
        ("现场照片.webp", "WEBP", "image/webp"),
    ],
    ids=["png", "jpeg", "gif", "webp"],
)
def test_evidence_real_image_is_shown_inline_as_its_type(
    name, file_format, content_type, client, owner, leader, make_item
):
    # given: a real image posted on the item's page
    item = make_item(Status.IN_PROGRESS)
    content = image_bytes(file_format)
    post_on_page(client, owner, item, name, content)
    evidence = Evidence.objects.get()

    # when / then: the page's link and the API show it inline, as the image it is, sandboxed
    for response in downloads(client, leader, evidence):
        assert_guarded(response)
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content) == content


def test_evidence_pdf_with_a_script_is_accepted_but_only_ever_downloaded(client, owner, leader, make_item):
    item = make_item(Status.IN_PROGRESS)
    post_on_page(client, owner, item, "验收单.pdf", PDF_WITH_SCRIPT)
    evidence = Evidence.objects.get()

    for response in downloads(client, leader, evidence):
        assert_attachment(response, PDF_WITH_SCRIPT)
        assert response["Content-Type"] == "application/pdf"


def test_evidence_jpeg_header_then_html_stored_earlier_is_only_ever_downloaded(client, owner, leader, make_item):
    # given: such a file kept before uploads were decoded, recorded as a JPEG
    evidence = stored_evidence(make_item(Status.IN_PROGRESS), "现场照片.jpg", JPEG_THEN_HTML, "image/jpeg")

    for response in downloads(client, leader, evidence):
        assert_attachment(response, JPEG_THEN_HTML)
        assert response["Content-Type"] == "application/octet-stream"


def test_evidence_office_document_is_downloaded_as_its_type(client, owner, leader, make_item):
    content = b"PK\x03\x04" + b"\x00" * 60
    evidence = stored_evidence(make_item(Status.IN_PROGRESS), "汇报.docx", content, "text/html")

    for response in downloads(client, leader, evidence):
        assert_attachment(response, content)
        assert response["Content-Type"] == ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_evidence_download_is_refused_to_an_outsider(client, owner, outsider, make_item):
    item = make_item(Status.IN_PROGRESS)
    post_on_page(client, owner, item, "现场照片.png", image_bytes("PNG"))
    evidence = Evidence.objects.get()

    for response in downloads(client, outsider, evidence):
        assert response.status_code == 404
        assert not getattr(response, "streaming", False)
