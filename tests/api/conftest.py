"""Clients of the API for the fixed cast, and the files an API test uploads or downloads."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.items.models import WorkItem
from apps.org.models import Unit
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind

# A real 1×1 PNG: evidence named as an image must decode as one.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Evidence and report files of one test never meet another's."""


def if_match(item: WorkItem) -> dict[str, str]:
    """The If-Match header of an edit made from the item as it is now (its ETag)."""
    return {"HTTP_IF_MATCH": f'"{WorkItem.objects.get(pk=item.pk).version}"'}


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    """A small file that passes the evidence check as a PNG photo."""
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def complete_report(unit: Unit) -> Report:
    """A finished weekly report with small stand-in files: what the API serves, not how it was rendered."""
    report = Report.objects.create(
        kind=ReportKind.WEEKLY,
        period_start=datetime.date(2021, 6, 7),
        period_end=datetime.date(2021, 6, 13),
        unit=unit,
        status=ReportStatus.COMPLETE,
        progress=100,
        data={"title": f"{unit.name} 周报", "children": []},
    )
    for extension in ("xlsx", "csv", "pdf"):
        getattr(report, f"{extension}_file").save(f"report.{extension}", ContentFile(b"stand-in"), save=False)
    report.save()
    return report
