"""Reporting staff produce a past weekly report in the browser, watch it finish, and download it."""

import datetime
import io
import time
from unittest import mock

import pytest
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import Action
from apps.items.services import item_apply_action
from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_create
from apps.reports import renderers
from apps.reports.models import Report, ReportStatus
from tests.e2e.conftest import log_in, screenshot
from tests.factories import WorkItemFactory
from tests.reports.conftest import travel_to
from tests.services import require_postgres

PASSWORD = "journey-pass-123"


def a_week_of_work() -> Unit:
    """The city, its district with an item completed in the week of 2021-06-07, and reporting staff of the city."""
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    official = user_create(
        username="official",
        password=PASSWORD,
        full_name="李文娟",
        unit=district,
        roles=[Role.OFFICIAL, Role.UNIT_ADMIN],
    )
    user_create(username="reporting", password=PASSWORD, full_name="陈晓燕", unit=city, roles=[Role.REPORTING_STAFF])
    with travel_to(datetime.date(2021, 6, 1)):
        item = WorkItemFactory(
            unit=district, by=official, deadline=datetime.date(2021, 6, 30), title="新建停车位3305个"
        )
    with travel_to(datetime.date(2021, 6, 9)):
        for action in (Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE):
            item = item_apply_action(item=item, by=official, action=action)
    return city


def ask_for_the_weekly_report(page, city: Unit) -> None:
    """Log in as reporting staff and ask for the week of 2021-06-07 from the archive page."""
    log_in(page, "reporting", PASSWORD)
    page.goto("/reports/")
    page.select_option("#report-request-form [name=kind]", "weekly")
    page.fill("#report-request-form [name=day]", "2021-06-09")
    page.select_option("#report-request-form [name=unit]", str(city.pk))
    page.click("#report-request-form button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_report_produced_in_the_background_appears_in_the_page(new_page, settings, media_root, tmp_path):
    # The report runs in a thread of the server, as in the embedded default; that thread needs a
    # database it can share with the live server, which an in-memory SQLite database is not.
    require_postgres()
    settings.EAGER_TASKS_IN_BACKGROUND = True

    # given: a district with an item completed in the week of 2021-06-07
    city = a_week_of_work()

    # when: the staff member asks for that week's report
    page = new_page()
    ask_for_the_weekly_report(page, city)

    # then: the page follows the work and shows the report when it is done
    page.wait_for_selector("#report-table-1", timeout=60_000)
    assert "昆明市 周报（2021-06-07 至 2021-06-13）" in page.inner_text("h1")
    assert "新建停车位3305个" in page.inner_text("#report-table-4")  # after the summary, units, period lists
    screenshot(page, "report-weekly")
    with page.expect_download() as download_info:
        page.click("a[href$='/download/xlsx/']")
    download = download_info.value
    assert download.suggested_filename == "昆明市_周报_2021-06-07_2021-06-13.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    summary = load_workbook(io.BytesIO(saved.read_bytes()))["汇总"]
    assert [cell.value for cell in summary[7]][:4] == ["合计", None, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_report_that_fails_stops_the_page_following_it_and_can_be_produced_again(new_page, settings, media_root):
    require_postgres()
    settings.EAGER_TASKS_IN_BACKGROUND = True
    city = a_week_of_work()
    page = new_page()
    status_requests = []
    page.on("request", lambda request: status_requests.append(request.url) if "/status/" in request.url else None)

    # when: the PDF cannot be made (the server lacks the Chinese font), every try of the background thread fails
    missing = renderers.ReportFontMissing("Chinese font not found at /usr/share/fonts/wqy-zenhei.ttc")
    with mock.patch.dict(renderers.RENDERERS, {"pdf": mock.Mock(side_effect=missing)}):
        ask_for_the_weekly_report(page, city)
        deadline = time.monotonic() + 60
        while not Report.objects.filter(status=ReportStatus.FAILED, attempts=6).exists():  # the first try, 5 retries
            assert time.monotonic() < deadline, "the report did not fail for good"
            time.sleep(0.2)
    failure = page.wait_for_selector("#report-error", timeout=30_000)

    # then: the page says why in the user's language, and stops asking for the status
    assert failure.inner_text() == "服务器未安装 PDF 所需嵌入的中文字体。"
    assert page.inner_text("#report-status") == "生成失败"
    asked = len(status_requests)
    page.wait_for_timeout(4000)
    assert len(status_requests) == asked
    screenshot(page, "report-failed")

    # when: the font is back and the staff member produces it again
    page.click("#produce-again-form button[type=submit]")

    # then
    page.wait_for_selector("#report-table-1", timeout=60_000)
    assert "新建停车位3305个" in page.inner_text("#report-table-4")
