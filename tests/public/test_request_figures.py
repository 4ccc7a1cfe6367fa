"""The citizens' requests' figures (received, accepted on time, answered, 满意率, 解决率) where leaders read them:
the dashboard's JSON and API, the ranking page and its files, and the period reports."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.public.models import Rating
from apps.public.rating import request_rate
from apps.public.request_services import request_accept, request_answer, request_submit
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from apps.reports.services import report_request
from tests.conftest import travel_to
from tests.factories import UserFactory, other_category

D = datetime.date


@pytest.fixture
def november(unit_admin, district, township, sibling_district):
    """Requests of November 2026 in the city: 五华区 takes two on time and answers them (one rated satisfied and
    solved, one basically satisfied but not solved, which reopens it) and leaves one of its township's open;
    盘龙区 takes on late, in November, a request sent in October and answers it, unrated."""
    panlong_admin = UserFactory(username="panlong_admin", unit=sibling_district, roles=[Role.UNIT_ADMIN])
    with travel_to(D(2026, 10, 30)):
        late = request_submit(category=other_category(), unit=sibling_district, text="公交站牌破损")
    with travel_to(D(2026, 11, 2)):
        solved = request_submit(category=other_category(), unit=district, text="小区路灯坏了")
        not_solved = request_submit(category=other_category(), unit=district, text="井盖缺失")
        request_submit(category=other_category(), unit=township, text="噪音扰民")
        for sent, reply in ((solved, "已更换路灯"), (not_solved, "已补装井盖")):
            request_accept(request=sent, by=unit_admin)
            request_answer(request=sent, by=unit_admin, reply=reply)
    with travel_to(D(2026, 11, 3)):
        request_rate(request=solved, rating=Rating.SATISFIED, solved=True)
        request_rate(request=not_solved, rating=Rating.BASICALLY_SATISFIED, solved=False)
    with travel_to(D(2026, 11, 4)):  # due by Monday 2 November: late
        request_accept(request=late, by=panlong_admin)
        request_answer(request=late, by=panlong_admin, reply="已更换站牌")


WUHUA = {"received": 3, "accepted_on_time": 2, "answered": 2, "rated": 2, "satisfied": 2, "solved": 1, "reopened": 1}
PANLONG = {"received": 0, "accepted_on_time": 0, "answered": 1, "rated": 0, "satisfied": 0, "solved": 0, "reopened": 0}


def test_the_monthly_report_counts_the_requests_of_the_period_per_unit(
    november, client, city, district, sibling_district, django_capture_on_commit_callbacks
):
    staff = UserFactory(username="staff", unit=city, roles=[Role.REPORTING_STAFF])
    with travel_to(D(2026, 12, 2)), django_capture_on_commit_callbacks(execute=True):
        report = report_request(kind=ReportKind.MONTHLY, day=D(2026, 11, 1), unit=city, by=staff)
    report = Report.objects.get(pk=report.pk)
    assert report.status == ReportStatus.COMPLETE
    figures = report.data["requests"]
    by_unit = {row["name"]: row for row in figures["children"]}
    assert by_unit["五华区"] == {
        "unit_id": district.pk,
        "name": "五华区",
        **WUHUA,
        "satisfaction_rate": "100.0",
        "resolution_rate": "50.0",
    }
    assert by_unit["盘龙区"] == {
        "unit_id": sibling_district.pk,
        "name": "盘龙区",
        **PANLONG,
        "satisfaction_rate": None,
        "resolution_rate": None,
    }
    assert figures["total"]["received"] == 3 and figures["total"]["answered"] == 3

    # the report page shows them as a table of their own, in Chinese
    client.force_login(staff)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    table = page[page.index("本期群众诉求") :]
    assert "满意率" in table and "解决率" in table and "100.0%" in table and "50.0%" in table

    # and October's report has none of November's
    with travel_to(D(2026, 12, 2)), django_capture_on_commit_callbacks(execute=True):
        october = report_request(kind=ReportKind.MONTHLY, day=D(2026, 10, 1), unit=city, by=staff)
    october_figures = Report.objects.get(pk=october.pk).data["requests"]["total"]
    assert (october_figures["received"], october_figures["answered"], october_figures["rated"]) == (1, 0, 0)


def test_the_dashboard_json_and_api_carry_the_request_figures(november, client, leader, city, district):
    client.force_login(leader)
    with travel_to(D(2026, 11, 5)):
        data = client.get(reverse("dashboards:data"), {"unit": city.pk}).json()
        api = client.get(f"/api/v1/dashboards/{city.pk}/").json()
    for payload in (data, api):
        assert payload["requests"]["received"] == 4  # the dashboard counts every request, the October one too
        wuhua = next(child for child in payload["children"] if child["unit"]["id"] == district.pk)
        # the dashboard reads where requests stand now: the reopened one is being handled again, not answered
        assert {name: wuhua["requests"][name] for name in WUHUA} == {**WUHUA, "answered": 1}
        assert (wuhua["requests"]["satisfaction_rate"], wuhua["requests"]["resolution_rate"]) == (100.0, 50.0)
        assert wuhua["requests"]["resolution_rate_text"] == "50.0%"


def test_the_ranking_ranks_units_by_resolution_rate_and_files_carry_the_columns(
    november, client, leader, city, district, sibling_district
):
    client.force_login(leader)
    with travel_to(D(2026, 11, 5)):
        page = client.get(reverse("dashboards:ranking"), {"unit": city.pk, "sort": "-requests_resolution_rate"})
        body = page.content.decode()
        exported = client.get(reverse("dashboards:ranking_export", args=["csv"]), {"unit": city.pk})
    assert page.context["ranking"].sort == "-requests_resolution_rate"
    ranked = [(row.unit.name, row.rank) for row in page.context["ranking"].rows]
    assert ranked == [("五华区", 1), ("盘龙区", None)]  # 盘龙区 has nothing rated: no rate, not ranked
    assert 'data-column="requests_resolution_rate">50.0%<' in body
    assert 'data-column="requests_received">3<' in body

    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    headers = rows[1]
    wuhua = next(row for row in rows[2:] if row[1] == "五华区")
    assert wuhua[headers.index("按时受理数")] == "2"
    assert wuhua[headers.index("解决率")] == "50.0%"
