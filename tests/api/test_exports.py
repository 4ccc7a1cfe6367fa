"""Every list endpoint exports exactly its filtered rows, in the caller's scope, as XLSX or CSV."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.items.models import ItemKind, OwnerType, Status
from apps.ledger.columns import LEDGER_SHEET_TITLE
from apps.ledger.exports import EXPORT_HEADERS
from apps.ledger.models import ExportJob, JobStatus
from apps.reports.models import Report
from apps.reports.periods import ReportKind
from tests.api.conftest import complete_report
from tests.dashboards.counting import SPREAD_FIGURES
from tests.factories import UserFactory, WorkItemFactory
from tests.ledger.test_exports import csv_rows, xlsx_rows


def listed_numbers(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/items/?{query}&page_size=200")
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_item_export_holds_exactly_the_rows_the_list_endpoint_gives(
    api, file_format, make_item, leader, township, owner
):
    # given: items in several states, kinds and units; the list filtered to open service-list items
    wanted = [
        make_item(Status.IN_PROGRESS, kind=ItemKind.SERVICE_LIST, owner_type=OwnerType.TEAM_MEMBER, owner_person=owner),
        make_item(Status.APPROVED, kind=ItemKind.SERVICE_LIST, owner_type=OwnerType.TEAM_MEMBER, owner_person=owner),
    ]
    make_item(Status.IN_PROGRESS)  # a livelihood plan
    make_item(Status.COMPLETED, kind=ItemKind.SERVICE_LIST, owner_type=OwnerType.TEAM_MEMBER, owner_person=owner)
    WorkItemFactory(unit=township, by=owner)
    client = api(leader)
    query = "kind=service_list&stage=open"

    # when
    response = client.get(f"/api/v1/items/export/{file_format}/?{query}")

    # then
    assert response.status_code == 200
    stem = quote(f"事项台账_{timezone.localdate():%Y-%m-%d}")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{stem}.{file_format}"
    content = b"".join(response.streaming_content)
    rows = csv_rows(content) if file_format == "csv" else xlsx_rows(content)[LEDGER_SHEET_TITLE]
    assert list(rows[0]) == EXPORT_HEADERS
    exported = [row[0] for row in rows[1:]]
    assert sorted(exported) == sorted(listed_numbers(client, query)) == sorted(item.number for item in wanted)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["清单类型"] == "为民办事清单"
    assert first["清单所属人"] == f"{owner.full_name}（{owner.username}）"


def test_item_export_of_a_dashboard_figure_holds_exactly_that_many_items(api, spread, leader, district):
    # given: the district's items in every state (tests/dashboards/counting.py works the figures out by hand)
    planned, completed, overdue = SPREAD_FIGURES["district"]
    client = api(leader)

    def exported(query: str) -> list[str]:
        content = b"".join(client.get(f"/api/v1/items/export/csv/?unit={district.pk}&{query}").streaming_content)
        return [row[0] for row in csv_rows(content)[1:]]

    # then: the rows of each figure's export are the figure, whatever the drafts and items awaiting approval
    assert len(exported("stage=counted")) == planned == 8
    assert len(exported("stage=done")) == completed == 2
    assert exported("overdue=true") == [spread[-1].number] and overdue == 1
    assert len(exported("stage=pending")) == 3  # the district's draft and submitted item, the township's draft


def test_item_export_of_an_outsider_holds_nothing_of_another_district(api, make_item, outsider, sibling_district):
    make_item(Status.IN_PROGRESS)
    own = WorkItemFactory(unit=sibling_district, by=outsider)

    rows = csv_rows(b"".join(api(outsider).get("/api/v1/items/export/csv/").streaming_content))

    assert [row[0] for row in rows[1:]] == [own.number]


def test_item_export_refuses_a_filter_that_does_not_hold(api, make_item, outsider, district):
    make_item(Status.IN_PROGRESS)

    response = api(outsider).get(f"/api/v1/items/export/xlsx/?unit={district.pk}")

    assert response.status_code == 400
    assert "unit" in response.json()["errors"]
    assert response.json()["detail"].startswith("所属单位")


def test_item_export_of_a_big_list_is_written_by_the_worker(
    api, owner, colleague, district, settings, media_root, django_capture_on_commit_callbacks
):
    # given: more items than a request writes itself
    settings.EXPORT_INLINE_MAX_ROWS = 2
    numbers = {WorkItemFactory(unit=district, by=owner).number for _ in range(3)}
    client = api(owner)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/v1/items/export/xlsx/?stage=pending")

    # then: 202 and the export to follow; the worker wrote it; its requester downloads it
    assert response.status_code == 202, response.content
    job = ExportJob.objects.get()
    assert job.query == "stage=pending"
    assert response["Location"].endswith(f"/api/v1/exports/{job.pk}/")
    followed = client.get(f"/api/v1/exports/{job.pk}/").json()
    assert (followed["status"], followed["progress"], followed["row_count"]) == (JobStatus.DONE, 100, 3)
    download = client.get(followed["download"])
    assert download.status_code == 200
    rows = xlsx_rows(b"".join(download.streaming_content))[LEDGER_SHEET_TITLE]
    assert {row[0] for row in rows[1:]} == numbers
    # and: nobody else sees the export
    assert api(colleague).get(f"/api/v1/exports/{job.pk}/").status_code == 404
    assert api(colleague).get(f"/api/v1/exports/{job.pk}/download/").status_code == 404


def test_export_that_is_not_finished_cannot_be_downloaded(api, owner):
    job = ExportJob.objects.create(requested_by=owner, file_format="csv", status=JobStatus.RUNNING, progress=40)

    response = api(owner).get(f"/api/v1/exports/{job.pk}/download/")

    assert response.status_code == 404
    assert response.json()["detail"] == "该导出尚未完成。"


def test_unit_export_holds_the_callers_units_filtered_like_the_list(api, leader, city, district, township):
    client = api(leader)

    response = client.get(f"/api/v1/units/export/csv/?within={district.pk}")

    rows = csv_rows(b"".join(response.streaming_content))
    assert rows[0] == ["单位代码", "单位名称", "层级", "上级单位", "上级单位代码"]
    listed = [row["code"] for row in client.get(f"/api/v1/units/?within={district.pk}").json()["results"]]
    assert [row[0] for row in rows[1:]] == listed == [district.code, township.code]
    assert rows[2][2:] == [township.get_level_display(), district.name, district.code]


def test_people_export_shows_phones_to_unit_administrators_only(api, owner, colleague, unit_admin, outsider):
    owner.phone = "13800001111"
    owner.save()

    def exported(user) -> dict[str, dict[str, str]]:
        rows = csv_rows(b"".join(api(user).get("/api/v1/people/export/csv/").streaming_content))
        return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}

    by_admin, by_colleague = exported(unit_admin), exported(colleague)
    assert by_admin[owner.username]["电话"] == "13800001111"
    assert by_colleague[owner.username]["电话"] == ""
    assert by_colleague[owner.username]["角色"] == "工作人员"
    assert outsider.username not in by_admin
    assert set(by_admin) == {
        row["username"] for row in api(unit_admin).get("/api/v1/people/?page_size=200").json()["results"]
    }


def test_people_list_pages_by_cursor(api, unit_admin, district):
    for number in range(5):
        UserFactory(username=f"person-{number}", unit=district, roles=[Role.OFFICIAL])
    client = api(unit_admin)

    first = client.get("/api/v1/people/?page_size=3").json()
    second = client.get(first["next"]).json()

    names = [row["username"] for row in first["results"] + second["results"]]
    assert "count" not in first
    assert names == sorted(names) and len(set(names)) == len(names) >= 6


def test_list_page_export_refuses_a_filter_that_does_not_hold(client, make_item, outsider, district):
    make_item(Status.IN_PROGRESS)
    client.force_login(outsider)

    response = client.get(f"{reverse('ledger:export', args=['csv'])}?unit={district.pk}", follow=True)

    assert response.redirect_chain[0][0] == f"{reverse('items:list')}?unit={district.pk}"
    assert "筛选条件有误，未导出任何内容" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_report_export_holds_the_archive_rows_with_their_frozen_totals(api, leader, outsider, city, district):
    # given: a complete report of 五华区 with its frozen totals, and one of 昆明市 not produced yet
    report = complete_report(district)
    report.data = {"total": {"planned": 1248, "completed": 432, "overdue": 17, "rate": "34.6"}}
    report.save()
    Report.objects.create(kind=ReportKind.MONTHLY, period_start="2021-06-01", period_end="2021-06-30", unit=city)

    # when
    rows = csv_rows(b"".join(api(leader).get("/api/v1/reports/export/csv/?kind=weekly").streaming_content))

    # then: the filtered archive, figures as they were frozen
    assert rows[0][:9] == ["报表类型", "单位", "开始日期", "结束日期", "状态", "计划数", "完成数", "完成率", "逾期数"]
    assert [row[:9] for row in rows[1:]] == [
        ["周报", "五华区", "2021-06-07", "2021-06-13", "已生成", "1248", "432", "34.6%", "17"]
    ]
    assert csv_rows(b"".join(api(outsider).get("/api/v1/reports/export/csv/").streaming_content)) == [rows[0]]
