"""Reports through the API: asking for one, reading its figures, downloading its files, filtering the archive."""

from __future__ import annotations

import csv
import datetime
import io
from urllib.parse import unquote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.accounts.models import Role, User
from apps.items.models import Status
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from tests.api.conftest import complete_report
from tests.factories import UserFactory
from tests.reports.conftest import travel_to

MONDAY_AFTER = datetime.date(2021, 6, 14)


@pytest.fixture
def staff(city) -> User:
    return UserFactory(username="staff", full_name="统计员", unit=city, roles=[Role.REPORTING_STAFF])


def test_api_report_asked_for_is_produced_and_its_files_download(
    api, staff, city, make_item, django_capture_on_commit_callbacks
):
    # given: reporting staff of the city, on the Monday after the week
    make_item(Status.IN_PROGRESS)
    client = api(staff)

    # when: they ask for the week's report; it is produced once the request has committed
    with travel_to(MONDAY_AFTER, hour=9), django_capture_on_commit_callbacks(execute=True):
        asked = client.post("/api/v1/reports/", {"kind": "weekly", "day": "2021-06-09", "unit": city.pk}, format="json")

    # then
    assert asked.status_code == 202, asked.content
    assert asked.json()["period_start"] == "2021-06-07"
    assert asked.json()["requested_by"]["username"] == "staff"
    report = client.get(f"/api/v1/reports/{asked.json()['id']}/").json()
    assert (report["status"], report["status_label"]) == ("complete", "已生成")
    assert report["data"]["unit"]["name"] == "昆明市"

    xlsx = client.get(report["downloads"]["xlsx"])
    assert unquote(xlsx["Content-Disposition"]).endswith("昆明市_周报_2021-06-07_2021-06-13.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook.sheetnames[0] == "汇总"
    assert [cell.value for cell in workbook["汇总"][2]][:3] == ["责任主体类型", "清单类型", "计划数"]

    raw_csv = b"".join(client.get(report["downloads"]["csv"]).streaming_content)
    assert raw_csv.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig")))) == ["昆明市 周报（2021-06-07 至 2021-06-13）"]

    pdf = client.get(report["downloads"]["pdf"])
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_api_report_asking_twice_gives_the_same_report(api, staff, city):
    client = api(staff)
    body = {"kind": "monthly", "day": "2021-05-20", "unit": city.pk}

    first = client.post("/api/v1/reports/", body, format="json")
    second = client.post("/api/v1/reports/", body, format="json")

    assert first.json()["id"] == second.json()["id"]
    assert Report.objects.count() == 1


def test_api_report_only_staff_may_ask_for_one(api, owner, city):
    response = api(owner).post("/api/v1/reports/", {"kind": "weekly", "day": "2021-06-09", "unit": city.pk})

    assert response.status_code == 400  # 昆明市 is above the official's unit, so not a choice of theirs
    response = api(owner).post("/api/v1/reports/", {"kind": "weekly", "day": "2021-06-09", "unit": owner.unit_id})

    assert response.status_code == 403
    assert response.json() == {"detail": "只有报表人员可以生成报表。", "errors": {}}
    assert not Report.objects.exists()


def test_api_report_of_an_unfinished_period_is_refused_on_the_day(api, staff, city):
    today = timezone.localdate().isoformat()

    response = api(staff).post("/api/v1/reports/", {"kind": "monthly", "day": today, "unit": city.pk})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["day"]
    assert response.json()["detail"].endswith("的周期尚未结束；报表只统计已结束的周期。")
    assert not Report.objects.exists()


def test_api_report_of_an_incomplete_report_has_no_files(api, staff, city):
    report = Report.objects.create(
        kind=ReportKind.WEEKLY,
        period_start=datetime.date(2021, 6, 7),
        period_end=datetime.date(2021, 6, 13),
        unit=city,
        status=ReportStatus.RUNNING,
    )
    client = api(staff)

    body = client.get(f"/api/v1/reports/{report.pk}/").json()

    assert body["downloads"] == {"xlsx": None, "csv": None, "pdf": None}
    assert body["data"] is None
    assert client.get(f"/api/v1/reports/{report.pk}/download/xlsx/").status_code == 404


def test_api_reports_are_for_report_readers_only(api, owner, leader, staff, district):
    report = complete_report(district)

    assert api(owner).get("/api/v1/reports/").json()["results"] == []
    assert api(owner).get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert [row["id"] for row in api(leader).get("/api/v1/reports/").json()["results"]] == [report.pk]
    assert [row["id"] for row in api(staff).get("/api/v1/reports/").json()["results"]] == [report.pk]


def test_api_reports_filter_by_kind_unit_status_and_period(api, staff, city, district):
    def report(kind: str, start: datetime.date, unit, status=ReportStatus.COMPLETE) -> Report:
        return Report.objects.create(kind=kind, period_start=start, period_end=start, unit=unit, status=status)

    weekly = report(ReportKind.WEEKLY, datetime.date(2021, 6, 7), city)
    monthly = report(ReportKind.MONTHLY, datetime.date(2021, 5, 1), city)
    district_weekly = report(ReportKind.WEEKLY, datetime.date(2021, 6, 7), district, ReportStatus.FAILED)
    client = api(staff)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/reports/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("kind=weekly") == {weekly.pk, district_weekly.pk}
    assert ids(f"unit={district.pk}") == {district_weekly.pk}
    assert ids("status=failed") == {district_weekly.pk}
    assert ids("period_after=2021-06-01&period_before=2021-06-30") == {weekly.pk, district_weekly.pk}
    assert ids("period_before=2021-05-31") == {monthly.pk}
    assert client.get("/api/v1/reports/?kind=yearly").status_code == 400
