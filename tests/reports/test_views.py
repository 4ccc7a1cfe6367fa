"""Staff produce, read and download reports in the browser; only the right people see them."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape
from unittest import mock
from urllib.parse import parse_qs, unquote

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.items.models import Action
from apps.items.services import item_apply_action
from apps.org.models import UnitLevel
from apps.reports import renderers
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from apps.reports.services import reports_schedule
from tests.factories import UnitFactory, UserFactory, WorkItemFactory
from tests.reports.conftest import WEEK_END, WEEK_START, travel_to

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
    assert "昆明市 周报（2021-06-07 至 2021-06-13）" in page
    assert "33.3%" in page
    assert "佐证材料不全" in page
    assert 'id="rate-chart"' in page and "vendor/echarts/echarts.min.js" in page
    # each item number of the period lists opens that item
    completed = weekly_report.data["completed_items"][0]
    assert f'<a href="/items/{completed["id"]}/">{completed["number"]}</a>' in page


def test_report_xlsx_reads_back_with_chinese_headers_and_figures(weekly_report, client):
    response, content = download(client, weekly_report, "xlsx")

    assert unquote(response["Content-Disposition"]).endswith("昆明市_周报_2021-06-07_2021-06-13.xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [
        "汇总",
        "按单位",
        "本期事项统计",
        "办结事项",
        "销号事项",
        "新增逾期",
        "退回事项",
        "重点事项",
        "延期事项",
        "亮灯情况",
        "办理时效",
        "逾期办结",
        "未签收",
        "督办情况",
        "群众诉求",
    ]
    lights = [[cell.value for cell in row] for row in workbook["亮灯情况"].iter_rows(min_row=2, max_row=5)]
    assert lights[0] == ["单位", "红灯（逾期）", "黄灯（临近时限或未达序时进度）", "绿灯（正常推进）"]
    assert lights[-1] == ["合计", 2, 1, 1]
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
    assert rows[0] == ["昆明市 周报（2021-06-07 至 2021-06-13）"]
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
    # every page says which it is of how many, at its foot
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"第 {number} 页 / 共 {pages} 页" in page.extract_text()


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


@pytest.mark.parametrize("query", [{"kind": "yearly"}, {"status": "-1"}, {"unit": "999999"}])
def test_report_archive_refused_filter_lists_nothing_and_says_why(weekly_report, client, staff, query):
    client.force_login(staff)

    response = client.get("/reports/", query)

    assert list(response.context["page_obj"]) == []
    assert "筛选条件有误" in " ".join(str(m) for m in response.context["messages"])


def test_report_request_with_bad_input_explains_and_creates_nothing(week, client, staff, city):
    client.force_login(staff)

    with travel_to(datetime.date(2021, 6, 10)):
        unfinished = client.post(
            "/reports/produce/", {"kind": "weekly", "day": "2021-06-09", "unit": city.pk}, follow=True
        )
    bad_date = client.post("/reports/produce/", {"kind": "weekly", "day": "2021-02-30", "unit": city.pk}, follow=True)

    # then: the archive again, the reason beside the form, and the form as the staff filled it in
    assert (unfinished.status_code, bad_date.status_code) == (400, 400)
    unfinished_page = unfinished.content.decode()
    assert "尚未结束" in unfinished_page
    assert 'value="2021-06-09"' in unfinished_page
    assert f'<option value="{city.pk}" selected>' in unfinished_page
    assert "输入一个有效的日期。" in bad_date.content.decode()
    assert Report.objects.count() == 0


def test_report_request_for_a_period_already_produced_says_so_and_opens_it(weekly_report, client, staff, city):
    client.force_login(staff)

    response = client.post(
        "/reports/produce/", {"kind": "weekly", "day": str(weekly_report.period_end), "unit": city.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/reports/{weekly_report.pk}/"
    assert "已经申请过" in " ".join(str(m) for m in response.context["messages"])
    assert Report.objects.count() == 1


def test_report_being_produced_shows_its_progress(week, client, staff, city):
    # given: a request whose task has not run yet (no worker has picked it up)
    client.force_login(staff)
    with travel_to(MONDAY_AFTER, hour=9):
        client.post("/reports/produce/", {"kind": ReportKind.WEEKLY, "day": str(WEEK_START), "unit": city.pk})
    report = Report.objects.get()
    # a worker holds it, its lease running for a few more minutes
    lease_end = timezone.now() + datetime.timedelta(minutes=5)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=40, lease_expires_at=lease_end)

    page = client.get(f"/reports/{report.pk}/").content.decode()
    status = client.get(f"/reports/{report.pk}/status/").json()

    assert 'id="report-progress"' in page
    assert f'data-job-status-url="/reports/{report.pk}/status/"' in page and "js/job-progress.js" in page
    assert status == {"status": "running", "label": "生成中", "progress": 40, "finished": False, "error": ""}
    assert client.get(f"/reports/{report.pk}/download/xlsx/").status_code == 404


def figures_table(page: str, title: str) -> list[list[str]]:
    """The rows of the page's table under `title`, each cell's HTML stripped to its text."""
    section = page[page.index(f"<h2>{title}") :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_report_page_shows_each_change_against_the_previous_report_with_an_arrow(
    week, staff, owner, district, city, client, actor_for, django_capture_on_commit_callbacks
):
    # given: one more item, approved and overdue in the week before (its deadline on Wednesday 2 June), never done
    with travel_to(datetime.date(2021, 6, 1)):
        late = WorkItemFactory(unit=district, by=owner, deadline=datetime.date(2021, 6, 2))
        for action in (Action.SUBMIT, Action.APPROVE):
            item_apply_action(item=late, by=actor_for(action, late), action=action)
    client.force_login(staff)

    # when: the week before and the week itself are produced, in that order
    for day in ("2021-06-02", "2021-06-09"):
        with travel_to(MONDAY_AFTER, hour=9), django_capture_on_commit_callbacks(execute=True):
            client.post("/reports/produce/", {"kind": "weekly", "day": day, "unit": city.pk})
    report = Report.objects.get(period_start=WEEK_START)
    page = client.get(f"/reports/{report.pk}/").content.decode()

    # then: the week before had 1 completed (6/3), no closed or returned item, 2 newly overdue (deadlines 6/2,
    # 6/5) and the key item; the week itself 2 completed, 1 closed, 1 newly overdue (6/9), 1 returned, 1 key
    assert report.data["list_changes"] == {
        "completed": 1,
        "closed": 1,
        "newly_overdue": -1,
        "returned": 1,
        "key": 0,
        "extended": 1,
        "completed_late": 0,
        "not_acknowledged": 0,
    }
    assert figures_table(page, "本期事项统计") == [
        ["本期办结事项", "2", "▲ +1"],
        ["本期销号事项", "1", "▲ +1"],
        ["本期新增逾期事项", "1", "▼ -1"],
        ["本期退回事项", "1", "▲ +1"],
        ["重点事项", "1", "0"],
        ["本期同意延期事项", "1", "▲ +1"],
        ["本期逾期办结事项", "0", "0"],
        ["期末逾期未签收事项", "0", "0"],
    ]
    assert '<span class="change up">▲ +1</span>' in page and '<span class="change down">▼ -1</span>' in page
    # the totals: planned 5 → 7 (two items approved only in the week: drafts count nowhere), completed 1 → 2,
    # rate 20.0% → 28.6%, overdue 2 (6/2, 6/5) → 3 (and 6/9)
    total = figures_table(page, "按清单类型和责任主体统计")[-1]
    assert total[2:] == ["7", "2", "28.6%", "3", "▲ +2", "▲ +1", "▲ +8.6", "▲ +1"]

    # and the XLSX holds the changes as signed numbers and the times as date-times, for a spreadsheet to sort
    workbook = load_workbook(io.BytesIO(b"".join(client.get(f"/reports/{report.pk}/download/xlsx/").streaming_content)))
    changes = [cell for cell in workbook["汇总"][7]][6:10]
    assert [cell.value for cell in changes] == [2, 1, 8.6, 1]
    assert [cell.number_format for cell in changes] == ["+0;-0;0", "+0;-0;0", "+0.0;-0.0;0.0", "+0;-0;0"]
    lists = workbook["本期事项统计"]
    assert (lists["C5"].value, lists["C5"].number_format) == (-1, "+0;-0;0")  # newly overdue: 2 → 1
    completed_at = workbook["办结事项"]["F3"]
    assert isinstance(completed_at.value, datetime.datetime) and completed_at.number_format == "yyyy-mm-dd hh:mm"
    deadline = workbook["新增逾期"]["E3"]
    assert deadline.value == datetime.datetime(2021, 6, 9) and deadline.number_format == "yyyy-mm-dd"


def test_report_archive_filters_by_kind_period_and_unit_and_its_pages_keep_them(client, staff, city, district):
    # given: 40 weekly reports of the district, and others of another kind, another unit and other periods
    monday = datetime.date(2021, 1, 4)
    reports = [
        Report(kind=kind, unit=unit, period_start=start, period_end=start + datetime.timedelta(days=6))
        for week_number in range(52)
        for start in [monday + datetime.timedelta(weeks=week_number)]
        for kind, unit in ((ReportKind.WEEKLY, district), (ReportKind.WEEKLY, city), (ReportKind.MONTHLY, district))
        if kind == ReportKind.WEEKLY or start.day <= 7
    ]
    Report.objects.bulk_create(reports)
    client.force_login(staff)
    query = {"kind": "weekly", "unit": district.pk, "period_after": "2021-02-01", "period_before": "2021-11-07"}
    wanted = {
        report.period_start
        for report in reports
        if report.kind == "weekly"
        and report.unit == district
        and datetime.date(2021, 2, 1) <= report.period_start <= datetime.date(2021, 11, 7)
    }
    assert len(wanted) == 40

    # when
    first = client.get("/reports/", query)
    next_link = re.search(r'<a href="\?([^"]+)">下一页', first.content.decode()).group(1)
    second = client.get(f"/reports/?{unescape(next_link)}")
    previous_link = re.search(r'<a href="\?([^"]+)">‹ 上一页', second.content.decode()).group(1)

    # then: page 2 holds the rest of the same filtered list, and its links keep the filters
    def listed(response) -> list[tuple[str, str, datetime.date]]:
        return [(r.kind, r.unit.name, r.period_start) for r in response.context["page_obj"]]

    assert parse_qs(unescape(next_link)) == {**{key: [str(value)] for key, value in query.items()}, "page": ["2"]}
    assert parse_qs(unescape(previous_link)) == {**{key: [str(value)] for key, value in query.items()}, "page": ["1"]}
    assert len(listed(first)) == 30 and len(listed(second)) == 10
    assert {start for _kind, _unit, start in listed(first) + listed(second)} == wanted
    assert {(kind, unit) for kind, unit, _start in listed(first) + listed(second)} == {("weekly", "五华区")}


@pytest.fixture
def failed_report(week, city, django_capture_on_commit_callbacks) -> Report:
    """The city's weekly report, failed for good because the PDF's Chinese font is missing."""
    missing = renderers.ReportFontMissing("Chinese font not found at /usr/share/fonts/missing.ttc")
    with (
        mock.patch.dict(renderers.RENDERERS, {"pdf": mock.Mock(side_effect=missing)}),
        travel_to(MONDAY_AFTER, hour=1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reports_schedule(kind=ReportKind.WEEKLY)
    report = Report.objects.get(unit=city)
    assert report.status == ReportStatus.FAILED
    return report


def test_report_failed_page_stops_following_and_says_why_in_the_users_language(failed_report, client, staff):
    client.force_login(staff)

    chinese = client.get(f"/reports/{failed_report.pk}/").content.decode()
    status = client.get(f"/reports/{failed_report.pk}/status/").json()
    client.cookies["django_language"] = "en"
    english = client.get(f"/reports/{failed_report.pk}/").content.decode()

    assert "服务器未安装 PDF 所需嵌入的中文字体。" in chinese
    assert "The Chinese font the PDF embeds is not installed on the server." in english
    assert "/usr/share/fonts/missing.ttc" in chinese  # the technical detail, for whoever fixes it
    for page in (chinese, english):
        assert "data-job-status-url" not in page and "job-progress.js" not in page
    assert (status["finished"], status["error"]) == (True, "服务器未安装 PDF 所需嵌入的中文字体。")
    assert 'id="produce-again-form"' in chinese


def test_report_produce_again_by_staff_produces_the_failed_report(
    failed_report, client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    with travel_to(MONDAY_AFTER, hour=10), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{failed_report.pk}/produce-again/")

    failed_report.refresh_from_db()
    assert response.status_code == 302 and response.url == f"/reports/{failed_report.pk}/"
    assert (failed_report.status, failed_report.error, failed_report.failure) == (ReportStatus.COMPLETE, "", "")
    assert failed_report.attempts == 7  # six failed tries, then this one


def test_report_produce_again_is_refused_to_outsiders_and_to_readers_who_do_not_produce(
    failed_report, client, leader, outsider, district, django_capture_on_commit_callbacks
):
    district_staff = UserFactory(unit=district, roles=[Role.REPORTING_STAFF])
    url = f"/reports/{failed_report.pk}/produce-again/"

    # an outsider (reporting staff of a sibling district) does not even see the report
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True) as outsider_sent:
        assert client.post(url).status_code == 404
    # a leader of the city reads it, without the button, and is refused
    client.force_login(leader)
    assert 'id="produce-again-form"' not in client.get(f"/reports/{failed_report.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True) as leader_sent:
        refused = client.post(url, follow=True)
    # staff of the district below do not produce the city's reports (and do not see them)
    client.force_login(district_staff)
    assert client.post(url).status_code == 404

    assert "只有报表人员可以生成报表。" in [str(m) for m in refused.context["messages"]]
    assert outsider_sent == [] and leader_sent == []
    failed_report.refresh_from_db()
    assert (failed_report.status, failed_report.attempts) == (ReportStatus.FAILED, 6)
    assert client.get("/reports/produce-again/").status_code == 404


@pytest.mark.parametrize(
    ("status", "message"),
    [
        # the server was reloaded while its thread produced the report
        (ReportStatus.RUNNING, "报表生成在完成前中断了"),
        # the server was reloaded before the thread it was sent to had started
        (ReportStatus.PENDING, "报表未能及时开始生成"),
    ],
)
def test_report_page_of_a_stalled_report_stops_following_and_offers_to_produce_it_again(
    week, client, staff, leader, city, django_capture_on_commit_callbacks, status, message
):
    # given: the lease on the report ran out at 9:50, with no word from whoever held it
    report = Report.objects.create(
        kind=ReportKind.WEEKLY, period_start=WEEK_START, period_end=WEEK_END, unit=city, status=status
    )
    lease_end = timezone.make_aware(datetime.datetime(2021, 6, 14, 9, 50))
    Report.objects.filter(pk=report.pk).update(lease_expires_at=lease_end, attempts=1, progress=40)
    client.force_login(staff)

    # when
    with travel_to(MONDAY_AFTER, hour=11):
        page = client.get(f"/reports/{report.pk}/").content.decode()
        state = client.get(f"/reports/{report.pk}/status/").json()
        client.force_login(leader)
        leader_page = client.get(f"/reports/{report.pk}/").content.decode()
        client.force_login(staff)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/reports/{report.pk}/produce-again/")

    # then
    assert "data-job-status-url" not in page and "job-progress.js" not in page
    assert message in page and 'id="produce-again-form"' in page
    assert 'id="produce-again-form"' not in leader_page and "报表人员可以重新生成" in leader_page
    assert state["finished"] is True
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.COMPLETE, 2)


def test_report_archive_exports_exactly_its_filtered_rows(client, staff, city, district):
    # given: weekly and monthly reports of the district and the city, and one of another city the staff cannot see
    monday = datetime.date(2021, 6, 7)
    for kind, unit, start, end in (
        (ReportKind.WEEKLY, district, monday, monday + datetime.timedelta(days=6)),
        (ReportKind.WEEKLY, city, monday, monday + datetime.timedelta(days=6)),
        (ReportKind.MONTHLY, district, datetime.date(2021, 6, 1), datetime.date(2021, 6, 30)),
    ):
        Report.objects.create(kind=kind, unit=unit, period_start=start, period_end=end)
    elsewhere = UnitFactory(name="曲靖市", code="QJ", level=UnitLevel.CITY)
    outside = UserFactory(unit=elsewhere, roles=[Role.REPORTING_STAFF])
    Report.objects.create(kind=ReportKind.WEEKLY, unit=elsewhere, period_start=monday, period_end=monday)
    client.force_login(staff)

    # when: the archive filtered to weekly reports, and its CSV link followed
    page = client.get("/reports/", {"kind": "weekly"}).content.decode()
    link = unescape(re.search(r'id="export-csv" href="([^"]+)"', page).group(1))
    content = b"".join(client.get(link).streaming_content)

    # then: the two weekly reports the staff may read, under Chinese headers, nothing else
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["报表类型", "单位", "开始日期", "结束日期", "状态"]
    assert sorted(row[:4] for row in rows[1:]) == sorted(
        [["周报", city.name, "2021-06-07", "2021-06-13"], ["周报", district.name, "2021-06-07", "2021-06-13"]]
    )
    # and: a unit outside the staff's reach exports nothing, the archive says why
    client.force_login(outside)
    refused = client.get(f"/reports/export/xlsx/?unit={district.pk}", follow=True)
    assert "筛选条件有误，未导出任何内容。" in refused.content.decode()
