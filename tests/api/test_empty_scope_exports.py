"""A user whose scope is empty (no unit) exports a file with its headers only: every export, every format.

Django compiles no SQL for a queryset it knows is empty (`.none()`, from the scope of a user with no unit):
on PostgreSQL the item CSV export, which has the database write the rows itself (`COPY (…) TO STDOUT`),
answered 500 with EmptyResultSet. The tests run on any database; on PostgreSQL (DATABASE_URL) they go
through COPY, and the last one requires it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from apps.accounts.models import Role, User
from apps.items.models import Status, WorkItem
from apps.ledger.columns import LEDGER_SHEET_TITLE
from apps.ledger.exports import EXPORT_HEADERS, write_items_csv
from apps.ledger.models import ExportJob, JobStatus
from apps.ledger.services import export_job_run
from tests.api.conftest import complete_report
from tests.factories import UserFactory
from tests.ledger.test_exports import csv_rows, xlsx_rows
from tests.services import require_postgres

FORMATS = ["csv", "xlsx"]


@pytest.fixture
def unitless(db: None) -> User:
    """A user with roles but no unit: they reach no unit, so every list and export of theirs is empty."""
    return UserFactory(username="unitless", full_name="无单位", unit=None, roles=[Role.OFFICIAL, Role.LEADER])


@pytest.fixture(autouse=True)
def rows_in_the_tree(make_item, district) -> None:
    """Items, units, people and a report exist: they are out of the user's reach, not missing."""
    make_item(Status.IN_PROGRESS)
    complete_report(district)


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def only_headers(content: bytes, file_format: str) -> list:
    """The file's rows, asserting it holds the header row and nothing else; returns the headers."""
    if file_format == "csv":
        rows = csv_rows(content)
    else:
        sheets = xlsx_rows(content)
        assert len(sheets) == 1
        rows = next(iter(sheets.values()))
    assert len(rows) == 1, rows
    assert all(rows[0])  # a header in every column
    return list(rows[0])


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("noun", ["items", "units", "people", "reports"])
def test_empty_scope_api_export_is_a_file_of_headers(api, unitless, noun, file_format):
    response = api(unitless).get(f"/api/v1/{noun}/export/{file_format}/")

    assert response.status_code == 200, content_of(response)[:500]
    headers = only_headers(content_of(response), file_format)
    if noun == "items":
        assert headers == EXPORT_HEADERS


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("page", ["ledger:export", "ledger:mine_export", "reports:export"])
def test_empty_scope_page_export_is_a_file_of_headers(client, unitless, page, file_format):
    client.force_login(unitless)

    response = client.get(reverse(page, args=[file_format]))

    assert response.status_code == 200, content_of(response)[:500]
    headers = only_headers(content_of(response), file_format)
    if page.startswith("ledger:"):
        assert headers == EXPORT_HEADERS


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("mine", [False, True])
def test_empty_scope_export_job_writes_a_file_of_headers(unitless, media_root, file_format, mine):
    job = ExportJob.objects.create(requested_by=unitless, file_format=file_format, query="stage=counted", mine=mine)

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.progress, job.row_count, job.error) == (JobStatus.DONE, 100, 0, "")
    with job.file.open("rb") as file:
        assert only_headers(file.read(), file_format) == EXPORT_HEADERS


@pytest.mark.parametrize("file_format", FORMATS)
def test_empty_scope_api_export_sent_to_the_worker_is_a_file_of_headers(
    api, unitless, settings, media_root, django_capture_on_commit_callbacks, file_format
):
    settings.EXPORT_INLINE_MAX_ROWS = -1  # every export goes to the worker, an empty one too
    client = api(unitless)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/api/v1/items/export/{file_format}/")

    assert response.status_code == 202, response.content
    followed = client.get(response["Location"]).json()
    assert (followed["status"], followed["row_count"]) == (JobStatus.DONE, 0)
    download = client.get(followed["download"])
    assert download.status_code == 200
    assert only_headers(content_of(download), file_format) == EXPORT_HEADERS


@pytest.mark.parametrize(
    "empty", [lambda items: items.none(), lambda items: items.filter(pk__in=[])], ids=["none", "pk_in_empty"]
)
def test_empty_queryset_csv_through_copy_is_its_headers(tmp_path, empty: Callable):
    # given: PostgreSQL, where the CSV is written by COPY, and a queryset Django knows to be empty
    require_postgres()
    progress: list[int] = []

    # when
    with open(tmp_path / "items.csv", "w+b") as target:
        write_items_csv(empty(WorkItem.objects.all()), target, on_progress=progress.append)
        target.seek(0)
        content = target.read()

    # then: the BOM and the header row, and progress told once, of no rows
    assert csv_rows(content) == [EXPORT_HEADERS]
    assert progress == [0]


def test_empty_scope_xlsx_export_is_one_sheet_named_like_the_ledger(api, unitless):
    response = api(unitless).get("/api/v1/items/export/xlsx/")

    assert list(xlsx_rows(content_of(response))) == [LEDGER_SHEET_TITLE]
