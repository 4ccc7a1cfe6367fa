"""Clients of the API for the fixed cast, and the files an API test uploads or downloads."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.org.models import Unit
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Evidence and report files of one test never meet another's."""


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """An API client holding the user's token, as a program would; anonymous without a user."""

    def client_for(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


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
