"""Staff produce, read and download reports in the browser; only the right people see them."""

from __future__ import annotations

import csv
import datetime
import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from tests.factories import UserFactory
from tests.reports.conftest import WEEK_START, travel_to

MONDAY_AFTER = datetime.date(2021, 6, 14)


@pytest.fixture
def weekly_report(week, staff, city, client, django_capture_on_commit_callbacks) -> Report:
    """The city's weekly report, produced by hand from the archive page."""
    client.force_login(staff)
    with travel_to(MONDAY_AFTER, hour=9), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/produce/", {"kind": "weekly", "day": "2021-06-09", "unit": city.pk})
    report = Report.objects.get()
    assert response.status_code == 302
    assert response.url == f"/reports/{report.pk}/"
    return report


def download(client, report: Report, extension: str):
    response = client.get(f"/reports/{report.pk}/download/{extension}/")
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_report_produced_by_hand_is_readable_in_the_browser(weekly_report, client):
    page = client.get(f"/reports/{weekly_report.pk}/").content.decode()

    assert weekly_report.status == ReportStatus.COMPLETE
    assert "昆明市 周报(2021-06-07 至 2021-06-13)" in page
    assert "33.3%" in page
    assert "佐证材料不全" in page
    assert 'id="rate-chart"' in page and "vendor/echarts/echarts.min.js" in page


def test_report_xlsx_reads_back_with_chinese_headers_and_figures(weekly_report, client):
    response, content = download(client, weekly_report, "xlsx")

    assert unquote(response["Content-Disposition"]).endswith("昆明市_周报_2021-06-07_2021-06-13.xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["汇总", "按单位", "办结事项", "销号事项", "新增逾期", "退回事项", "重点事项"]
    summary = workbook["汇总"]
    assert "昆明市" in summary["A1"].value
    headers = [cell.value for cell in summary[2]]
    assert headers[:6] == ["责任主体类型", "清单类型", "计划数", "已办结", "完成率", "逾期"]
    total = [cell for cell in summary[7]]
    assert [total[0].value, total[2].value, total[3].value, total[5].value] == ["合计", 6, 2, 2]
    assert float(total[4].value) == pytest.approx(0.333)
    assert total[4].number_format == "0.0%"
    assert summary.freeze_panes == "A3"
    assert summary.column_dimensions["A"].width >= 2 * len("参与单位领导班子")


def test_report_csv_has_a_bom_and_the_same_figures(weekly_report, client):
    response, content = download(client, weekly_report, "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["昆明市 周报(2021-06-07 至 2021-06-13)"]
    assert ["合计", "", "6", "2", "33.3%", "2", "—", "—", "—", "—"] in rows
    assert any(row and row[0] == weekly_report.data["returned_items"][0]["number"] for row in rows)


def test_report_pdf_embeds_the_chinese_font_and_says_the_figures(weekly_report, client):
    response, content = download(client, weekly_report, "pdf")

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "昆明市" in text and "计划数" in text and "完成率" in text and "33.3%" in text
    fonts = [
        font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if font.get_object().get("/BaseFont", "").endswith("WenQuanYiZenHei-0")
    ]
    assert fonts and "/FontFile2" in fonts[0]["/FontDescriptor"]


def test_report_archive_is_scoped_to_the_unit_and_above(
    weekly_report, client, leader, owner, sibling_district, district, django_capture_on_commit_callbacks
):
    # given: the district's own report too
    staff_of_district = UserFactory(unit=district, roles=[Role.REPORTING_STAFF])
    client.force_login(staff_of_district)
    with travel_to(MONDAY_AFTER, hour=9), django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/produce/", {"kind": "weekly", "day": "2021-06-09", "unit": district.pk})
    district_report = Report.objects.get(unit=district)

    def listed(user) -> set[int]:
        client.force_login(user)
        return {report.pk for report in client.get("/reports/").context["page_obj"]}

    outsider_staff = UserFactory(unit=sibling_district, roles=[Role.REPORTING_STAFF, Role.LEADER])
    assert listed(leader) == {weekly_report.pk, district_report.pk}
    assert listed(staff_of_district) == {district_report.pk}
    assert listed(outsider_staff) == set()
    assert listed(owner) == set()  # an official is not a report reader
    client.force_login(outsider_staff)
    for url in (
        f"/reports/{weekly_report.pk}/",
        f"/reports/{weekly_report.pk}/download/pdf/",
        f"/reports/{weekly_report.pk}/status/",
    ):
        assert client.get(url).status_code == 404


def test_report_archive_filters_by_kind_and_unit(
    weekly_report, client, staff, city, district, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with travel_to(datetime.date(2021, 7, 1), hour=9), django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/produce/", {"kind": "monthly", "day": "2021-06-30", "unit": district.pk})

    def listed(**query) -> list[str]:
        return [f"{r.unit.name}/{r.kind}" for r in client.get("/reports/", query).context["page_obj"]]

    assert listed(kind="monthly") == ["五华区/monthly"]
    assert listed(unit=city.pk) == ["昆明市/weekly"]
    assert sorted(listed()) == ["五华区/monthly", "昆明市/weekly"]


def test_report_request_with_bad_input_explains_and_creates_nothing(week, client, staff, city):
    client.force_login(staff)

    with travel_to(datetime.date(2021, 6, 10)):
        unfinished = client.post(
            "/reports/produce/", {"kind": "weekly", "day": "2021-06-09", "unit": city.pk}, follow=True
        )
    bad_date = client.post("/reports/produce/", {"kind": "weekly", "day": "2021-02-30", "unit": city.pk}, follow=True)

    assert "尚未结束" in " ".join(str(m) for m in unfinished.context["messages"])
    assert "输入一个有效的日期。" in [str(m) for m in bad_date.context["messages"]]
    assert Report.objects.count() == 0


def test_report_being_produced_shows_its_progress(week, client, staff, city):
    # given: a request whose task has not run yet (no worker has picked it up)
    client.force_login(staff)
    with travel_to(MONDAY_AFTER, hour=9):
        client.post("/reports/produce/", {"kind": ReportKind.WEEKLY, "day": str(WEEK_START), "unit": city.pk})
    report = Report.objects.get()
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=40)

    page = client.get(f"/reports/{report.pk}/").content.decode()
    status = client.get(f"/reports/{report.pk}/status/").json()

    assert 'id="report-progress"' in page
    assert status == {"status": "running", "label": "生成中", "progress": 40, "error": ""}
    assert client.get(f"/reports/{report.pk}/download/xlsx/").status_code == 404
