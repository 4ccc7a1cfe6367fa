"""Exports of the item lists: exactly the filtered rows, Chinese headers, CSV with BOM, XLSX sheets, big ones in the worker."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core import exports as core_exports
from apps.core.exports import XlsxColumn, XlsxKind, XlsxStreamWriter
from apps.items.models import Status, WorkItem
from apps.items.services import item_update
from apps.ledger.columns import LEDGER_SHEET_TITLE
from apps.ledger.exports import EXPORT_HEADERS, export_items_xlsx
from apps.ledger.models import ExportJob, JobStatus
from apps.ledger.reading import ledger_read
from tests.factories import WorkItemFactory


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_export_csv_has_bom_chinese_headers_and_exactly_the_filtered_rows(client, leader, make_item):
    # given: items in several states, and the list filtered to those in progress, sorted by number
    wanted = [make_item(Status.IN_PROGRESS), make_item(Status.IN_PROGRESS)]
    make_item(Status.DRAFT)
    make_item(Status.COMPLETED)
    client.force_login(leader)
    query = "status=in_progress&ordering=-number"

    # when
    response = client.get(f"{reverse('ledger:export', args=['csv'])}?{query}")

    # then: the list page's rows, in its order, under the ledger's Chinese headers
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    rows = csv_rows(b"".join(response.streaming_content))
    assert rows[0] == EXPORT_HEADERS
    assert rows[0][:6] == ["编号", "清单类型", "责任主体类型", "所属单位", "清单所属人", "事项名称"]
    list_page = client.get(f"{reverse('items:list')}?{query}")
    listed = list_page.context["page_obj"].object_list
    assert (
        f"{reverse('ledger:export', args=['csv'])}?status=in_progress&amp;ordering=-number"
        in list_page.content.decode()
    )
    assert (
        [row[0] for row in rows[1:]]
        == [item.number for item in listed]
        == sorted((item.number for item in wanted), reverse=True)
    )
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["清单类型"] == "民生实事计划" and first["所属单位"] == "五华区（WH）"
    assert first["状态"] == "推进中" and first["是否重点"] == "否"


def test_export_xlsx_reads_back_with_chinese_headers_dates_and_numbers(client, owner, district, colleague):
    item = WorkItemFactory(
        unit=district,
        by=owner,
        title="老旧小区改造 & <供水>",
        start_date=datetime.date(2030, 1, 1),
        deadline=datetime.date(2030, 6, 30),
    )
    item_update(item=item, by=owner, responsible_person=colleague)
    client.force_login(owner)

    response = client.get(reverse("ledger:export", args=["xlsx"]))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = xlsx_rows(b"".join(response.streaming_content))
    assert list(sheets) == [LEDGER_SHEET_TITLE]
    header, row = sheets[LEDGER_SHEET_TITLE]
    assert list(header) == EXPORT_HEADERS
    cells = dict(zip(header, row, strict=True))
    assert cells["编号"] == item.number and cells["事项名称"] == "老旧小区改造 & <供水>"
    assert cells["开始日期"] == datetime.datetime(2030, 1, 1) and cells["完成时限"] == datetime.datetime(2030, 6, 30)
    assert cells["责任人"] == "李强（colleague）" and cells["进度（%）"] == 0 and cells["类别"] == "其他"


def test_export_my_items_exports_only_my_items(client, owner, colleague, district):
    mine = WorkItemFactory(unit=district, by=owner)
    theirs = WorkItemFactory(unit=district, by=colleague)
    client.force_login(owner)

    rows = csv_rows(client.get(reverse("ledger:mine_export", args=["csv"])).getvalue())

    assert [row[0] for row in rows[1:]] == [mine.number]
    assert theirs.number not in {row[0] for row in rows}


def test_export_scoping_outsider_exports_nothing_of_another_district(client, outsider, make_item, district):
    # given: items of 五华区, and a user of 盘龙区 with every role asking for 五华区's items by its id
    make_item(Status.IN_PROGRESS)
    make_item(Status.CLOSED)
    client.force_login(outsider)

    # then: their own export holds only the headers; asking for 五华区 by its id exports nothing at all
    assert csv_rows(client.get(reverse("ledger:export", args=["csv"])).getvalue()) == [EXPORT_HEADERS]
    refused = client.get(f"{reverse('ledger:export', args=['csv'])}?unit={district.pk}")
    assert refused.status_code == 302 and refused["Location"] == f"{reverse('items:list')}?unit={district.pk}"
    sheets = xlsx_rows(client.get(reverse("ledger:mine_export", args=["xlsx"])).getvalue())
    assert sheets[LEDGER_SHEET_TITLE] == [tuple(EXPORT_HEADERS)]


def test_export_xlsx_continues_on_a_new_sheet_past_the_last_row(client, owner, district, monkeypatch):
    # given: five items, and sheets of three rows (the header and two items) instead of 1,048,576
    numbers = [WorkItemFactory(unit=district, by=owner).number for _ in range(5)]
    monkeypatch.setattr(core_exports, "XLSX_MAX_ROWS", 3)
    client.force_login(owner)

    content = client.get(f"{reverse('ledger:export', args=['xlsx'])}?ordering=number").getvalue()

    # then: three sheets, each with the headers, the rows in order across them
    sheets = xlsx_rows(content)
    assert list(sheets) == ["台账", "台账 (2)", "台账 (3)"]
    assert all(rows[0] == tuple(EXPORT_HEADERS) for rows in sheets.values())
    assert [len(rows) for rows in sheets.values()] == [3, 3, 2]
    assert [row[0] for rows in sheets.values() for row in rows[1:]] == sorted(numbers)
    # and: the import reads every sheet, naming the sheet with the row
    rows, problems = ledger_read(io.BytesIO(content), "台账.xlsx")
    assert problems == [] and [(row.sheet, row.line) for row in rows][-1] == ("台账 (3)", 2)


def test_export_csv_cells_are_never_run_as_formulas(client, owner, district):
    WorkItemFactory(
        unit=district,
        by=owner,
        title='=HYPERLINK("http://example.com")',
        beneficiaries="-10户",
        requirements="@所有人",
        content="+1 正常内容",
    )
    client.force_login(owner)

    header, row = csv_rows(client.get(reverse("ledger:export", args=["csv"])).getvalue())

    cells = dict(zip(header, row, strict=True))
    assert cells["事项名称"] == '\'=HYPERLINK("http://example.com")'
    assert (cells["服务对象"], cells["工作要求"], cells["具体内容"]) == ("'-10户", "'@所有人", "'+1 正常内容")
    assert cells["所属单位"] == "五华区（WH）"  # nothing added where nothing is needed


def test_export_big_list_is_written_by_the_worker_with_a_download_link(
    client, owner, colleague, district, settings, media_root, django_capture_on_commit_callbacks
):
    # given: more items than a page request writes itself
    settings.EXPORT_INLINE_MAX_ROWS = 2
    numbers = {WorkItemFactory(unit=district, by=owner).number for _ in range(3)}
    client.force_login(owner)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"{reverse('ledger:export', args=['xlsx'])}?page=2")

    # then: the page follows the job, which the worker finished, and the file holds the rows
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("ledger:export_job", args=[job.pk])
    assert job.query == "" and job.requested_by == owner
    status = client.get(reverse("ledger:export_job_status", args=[job.pk])).json()
    assert (status["status"], status["progress"], status["finished"]) == (JobStatus.DONE, 100, True)
    page = client.get(reverse("ledger:export_job", args=[job.pk])).content.decode()
    assert reverse("ledger:export_job_download", args=[job.pk]) in page
    download = client.get(reverse("ledger:export_job_download", args=[job.pk]))
    rows = xlsx_rows(b"".join(download.streaming_content))[LEDGER_SHEET_TITLE]
    assert {row[0] for row in rows[1:]} == numbers
    # and: the file is its requester's alone
    client.force_login(colleague)
    assert client.get(reverse("ledger:export_job_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("ledger:export_job", args=[job.pk])).status_code == 404


def test_export_job_keeps_the_scope_of_its_requester(owner, outsider, district, media_root):
    from apps.ledger.services import export_job_run

    WorkItemFactory(unit=district, by=owner)
    job = ExportJob.objects.create(requested_by=outsider, file_format="csv", query=f"unit={district.pk}")

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.row_count == 0
    assert csv_rows(job.file.read()) == [EXPORT_HEADERS]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_job_run_writes_every_row_and_ends_at_full_progress(file_format, owner, district, media_root):
    from apps.ledger.services import export_job_run

    # given: an export job of three items (on PostgreSQL, CSV comes from COPY)
    numbers = {WorkItemFactory(unit=district, by=owner).number for _ in range(3)}
    job = ExportJob.objects.create(requested_by=owner, file_format=file_format)

    # when
    export_job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert (job.status, job.progress, job.row_count, job.attempts) == (JobStatus.DONE, 100, 3, 1)
    content = job.file.read()
    rows = csv_rows(content)[1:] if file_format == "csv" else xlsx_rows(content)[LEDGER_SHEET_TITLE][1:]
    assert {row[0] for row in rows} == numbers


def test_export_unknown_format_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get(reverse("ledger:export", args=["pdf"])).status_code == 404


def test_xlsx_writer_escapes_markup_drops_what_xml_cannot_hold_and_leaves_empty_cells_out(tmp_path):
    target = tmp_path / "out.xlsx"
    writer = XlsxStreamWriter(
        target,
        sheet_title="测试",
        columns=[XlsxColumn("文本"), XlsxColumn("日期", XlsxKind.DATE), XlsxColumn("数", XlsxKind.NUMBER)],
    )
    writer.write_rows(
        [
            ("a < b & c > d\x01", datetime.date(2021, 6, 30), 42),
            ("", None, None),
            (None, datetime.datetime(2021, 7, 1, 8, 0), 1.5),
            ("长" * 40_000, None, 0),
        ]
    )
    writer.close()

    rows = xlsx_rows(target.read_bytes())["测试"]
    assert rows[1] == ("a < b & c > d", datetime.datetime(2021, 6, 30), 42)
    assert rows[2] in {("", None, None), (None, None, None)}
    assert rows[3][1:] == (datetime.datetime(2021, 7, 1), 1.5)
    assert len(rows[4][0]) == 32_767
    with zipfile.ZipFile(target) as package:
        assert "xl/worksheets/sheet1.xml" in package.namelist() and "[Content_Types].xml" in package.namelist()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_items_function_streams_any_queryset(file_format, owner, district, tmp_path):
    from apps.ledger.exports import export_items

    item = WorkItemFactory(unit=district, by=owner)

    response = export_items(queryset=WorkItem.objects.all(), file_format=file_format, filename="导出")

    content = b"".join(response.streaming_content)
    first_row = csv_rows(content)[1] if file_format == "csv" else xlsx_rows(content)[LEDGER_SHEET_TITLE][1]
    assert first_row[0] == item.number
    assert "导出" in response["Content-Disposition"] or "%E5%AF%BC%E5%87%BA" in response["Content-Disposition"]


def test_export_items_xlsx_writes_to_any_file(owner, district, tmp_path):
    WorkItemFactory(unit=district, by=owner)
    target = tmp_path / "items.xlsx"

    count = export_items_xlsx(WorkItem.objects.all(), str(target))

    assert count == 1 and len(xlsx_rows(target.read_bytes())[LEDGER_SHEET_TITLE]) == 2


def test_export_job_run_taken_over_after_its_lease_ran_out_changes_nothing(owner, district, media_root, monkeypatch):
    from apps.ledger import services
    from apps.ledger.services import export_job_run

    # given: a run whose lease runs out while it writes, so that a second run takes the job over and finishes
    WorkItemFactory(unit=district, by=owner)
    job = ExportJob.objects.create(requested_by=owner, file_format="csv")
    real_writer = services.write_items_csv
    runs = []

    def slow_writer(queryset, target, on_progress=None):
        runs.append(len(runs) + 1)
        if runs == [1]:
            ExportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
            export_job_run(job_id=job.pk)
        return real_writer(queryset, target, on_progress=on_progress)

    monkeypatch.setattr(services, "write_items_csv", slow_writer)

    # when
    export_job_run(job_id=job.pk)

    # then: the second run's file stands; the first one stopped at its next progress and wrote nothing
    job.refresh_from_db()
    assert runs == [1, 2]
    assert (job.status, job.attempts, job.row_count, job.lease_expires_at) == (JobStatus.DONE, 2, 1, None)
    assert csv_rows(job.file.read())[0] == EXPORT_HEADERS
    exported = [path for path in (media_root / "exports").rglob("*") if path.is_file()]
    assert [path.name for path in exported] == [job.file.name.rsplit("/", 1)[-1]]
