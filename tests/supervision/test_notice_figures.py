"""Supervision notices (督办单) on the dashboard, the ranking of units and the monthly reports.

Notices are counted by the unit that owns their item. Six notices go through the services on a frozen clock:

- N1 blue on item A of 五华区 (handed to 华山街道), 12 October, replied 14 October, escalated 15 October to
- N2 orange on A, due 22 October, never replied, escalated 2 November to
- N5 red on A, due 9 November, replied 3 November (answered, waiting for the supervisor's decision);
- N3 red on item B of 华山街道, 20 October, due 23 October, never replied: past its reply deadline ever since;
- N4 blue on item C of 盘龙区, 21 October, replied 27 October, accepted 28 October;
- N6 blue on item D of 昆明市 itself, 4 November, due 10 December, waiting.

On 1 December 2026 the city has 6 issued, 3 answered (N1, N4, N5), 1 past its reply deadline (N3), 2 red (N3, N5)
and 3 open (N3, N5, N6).
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.dashboards.payload import dashboard_payload
from apps.dashboards.selectors import dashboard_build
from apps.items.models import Action, WorkItem
from apps.items.services import item_apply_action
from apps.org.paths import subtree_q
from apps.reports.models import Report
from apps.reports.periods import ReportKind, period_containing
from apps.reports.renderers import render_csv, render_xlsx, report_tables
from apps.reports.snapshot import snapshot_build
from apps.supervision.models import NoticeColour
from apps.supervision.notices import notice_accept, notice_escalate, notice_issue, notice_reply
from tests.conftest import official_of, travel_to
from tests.factories import UserFactory, WorkItemFactory

D = datetime.date
TODAY = D(2026, 12, 1)
REQUIREMENTS = "请于期限内反馈整改进展并附佐证材料"


@pytest.fixture
def notices(perform, leader, supervisor, city, district, sibling_district, township):
    """The six notices of the module's docstring, by name."""

    def delivered(unit, responsible_unit=None) -> WorkItem:
        item = WorkItemFactory(
            unit=unit, by=leader, responsible_unit=responsible_unit or unit, deadline=D(2026, 12, 31)
        )
        for action in (Action.SUBMIT, Action.APPROVE):
            perform(action, item=item, by=leader)
        item = WorkItem.objects.get(pk=item.pk)
        return item_apply_action(item=item, by=official_of(item.responsible_unit), action=Action.START)

    def issue(item, colour, reply_by):
        return notice_issue(item=item, by=supervisor, colour=colour, requirements=REQUIREMENTS, reply_by=reply_by)

    street, panlong = official_of(township), official_of(sibling_district)
    with travel_to(D(2026, 9, 30)):
        a, b = delivered(district, township), delivered(township)
        c, d = delivered(sibling_district), delivered(city)
    found = {}
    with travel_to(D(2026, 10, 12)):
        found["N1"] = issue(a, NoticeColour.BLUE, D(2026, 10, 16))
    with travel_to(D(2026, 10, 14)):
        notice_reply(notice=found["N1"], by=street, text="已整改")
    with travel_to(D(2026, 10, 15)):
        found["N2"] = notice_escalate(notice=found["N1"], by=supervisor, reply_by=D(2026, 10, 22))
    with travel_to(D(2026, 10, 20)):
        found["N3"] = issue(b, NoticeColour.RED, D(2026, 10, 23))
    with travel_to(D(2026, 10, 21)):
        found["N4"] = issue(c, NoticeColour.BLUE, D(2026, 10, 28))
    with travel_to(D(2026, 10, 27)):
        notice_reply(notice=found["N4"], by=panlong, text="已整改")
    with travel_to(D(2026, 10, 28)):
        notice_accept(notice=found["N4"], by=supervisor)
    with travel_to(D(2026, 11, 2)):
        found["N5"] = notice_escalate(notice=found["N2"], by=supervisor, reply_by=D(2026, 11, 9))
    with travel_to(D(2026, 11, 3)):
        notice_reply(notice=found["N5"], by=street, text="已整改")
    with travel_to(D(2026, 11, 4)):
        found["N6"] = issue(d, NoticeColour.BLUE, D(2026, 12, 10))
    for notice in found.values():
        notice.refresh_from_db()
    return found


def _figures(notice_figures) -> tuple[int, int, int, int, int]:
    return (
        notice_figures.issued,
        notice_figures.answered,
        notice_figures.overdue,
        notice_figures.red,
        notice_figures.open,
    )


def test_dashboard_counts_the_notices_of_the_subtree_and_of_each_child(
    notices, leader, city, district, sibling_district, township
):
    with travel_to(TODAY):
        dashboard = dashboard_build(user=leader, unit=city)
        counted = dashboard_build(
            user=leader, unit=city, items=WorkItem.objects.filter(subtree_q(city.path, "unit__path"))
        )
        below = dashboard_build(user=leader, unit=district)

    # then: issued, answered, past the reply deadline, red, open
    assert _figures(dashboard.notices) == (6, 3, 1, 2, 3)
    rows = {row.unit.name if row.unit else "itself": _figures(row.notices) for row in dashboard.child_rows}
    assert rows == {"itself": (1, 0, 0, 0, 1), "五华区": (4, 2, 1, 2, 2), "盘龙区": (1, 1, 0, 0, 0)}
    # counted the same from the items as from the counters
    assert _figures(counted.notices) == _figures(dashboard.notices)
    assert [_figures(row.notices) for row in counted.child_rows] == [
        _figures(row.notices) for row in dashboard.child_rows
    ]
    # the district: N1, N2 and N5 on its own item, N3 on the township's
    assert _figures(below.notices) == (4, 2, 1, 2, 2)
    rows = {row.unit.name if row.unit else "itself": _figures(row.notices) for row in below.child_rows}
    assert rows == {"itself": (3, 2, 0, 1, 1), "华山街道": (1, 0, 1, 1, 1)}


def _listed(client, link: str) -> set[int]:
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    return {notice.pk for notice in page.context["page_obj"].object_list}


def test_every_notice_figure_links_to_exactly_the_notices_it_counts(client, notices, leader, city, district):
    ids = {name: notice.pk for name, notice in notices.items()}

    def named(*names: str) -> set[int]:
        return {ids[name] for name in names}

    client.force_login(leader)
    with travel_to(TODAY):
        page = client.get(reverse("dashboards:dashboard"), {"unit": city.pk}).content.decode()
        # the tiles of the whole subtree
        tiles = re.findall(
            r'data-figure="notices-(\w+)"><span class="label">[^<]*</span><a class="figure" href="([^"]+)">(\d+)</a>',
            page,
        )
        assert {name: int(count) for name, _link, count in tiles} == {
            "issued": 6,
            "answered": 3,
            "overdue": 1,
            "red": 2,
        }
        expected = {
            "issued": named("N1", "N2", "N3", "N4", "N5", "N6"),
            "answered": named("N1", "N4", "N5"),
            "overdue": named("N3"),
            "red": named("N3", "N5"),
        }
        for name, link, _count in tiles:
            assert _listed(client, link) == expected[name], name
        open_link = re.search(r'href="([^"]+open=true)">在办：3</a>', page).group(1)
        assert _listed(client, open_link) == named("N3", "N5", "N6")

        # the columns of each child unit
        rows = dict(re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', page, re.S))
        cells = re.findall(r'data-notices="(\w+)"><a href="([^"]+)">(\d+)</a>', rows[str(district.pk)])
        assert {name: int(count) for name, _link, count in cells} == {
            "issued": 4,
            "answered": 2,
            "overdue": 1,
            "red": 2,
        }
        in_district = {
            "issued": named("N1", "N2", "N3", "N5"),
            "answered": named("N1", "N5"),
            "overdue": named("N3"),
            "red": named("N3", "N5"),
        }
        for name, link, _count in cells:
            assert f"unit={district.pk}" in link
            assert _listed(client, link) == in_district[name], name

        # the JSON carries the same figures and links
        data = dashboard_payload(dashboard_build(user=leader, unit=city))
        assert {key: data["notices"][key] for key in ("issued", "answered", "overdue", "red", "open")} == {
            "issued": 6,
            "answered": 3,
            "overdue": 1,
            "red": 2,
            "open": 3,
        }
        assert _listed(client, data["notices"]["links"]["open"]) == named("N3", "N5", "N6")
        [child] = [row for row in data["children"] if row["unit"]["id"] == district.pk]
        assert _listed(client, child["notices"]["links"]["answered"]) == named("N1", "N5")
        assert data["own"]["notices"]["issued"] == 1 and "links" not in data["own"]["notices"]


def test_notice_list_filters_answered_and_open(client, notices, leader, city):
    client.force_login(leader)
    with travel_to(TODAY):
        not_answered = _listed(client, f"/supervision/notices/?unit={city.pk}&answered=false")
        closed = _listed(client, f"/supervision/notices/?unit={city.pk}&open=false")
        refused = client.get("/supervision/notices/", {"answered": "perhaps"})
    assert not_answered == {notices[name].pk for name in ("N2", "N3", "N6")}
    assert closed == {notices[name].pk for name in ("N1", "N2", "N4")}
    assert refused.context["page_obj"].paginator.count == 0


def test_ranking_ranks_by_red_notices_and_links_them(client, notices, leader, city, district, sibling_district):
    client.force_login(leader)
    with travel_to(TODAY):
        fewest = client.get(reverse("dashboards:ranking"), {"unit": city.pk, "sort": "red_notices"})
        most = client.get(reverse("dashboards:ranking"), {"unit": city.pk, "sort": "-red_notices"})
        csv_file = client.get(reverse("dashboards:ranking_export", args=["csv"]), {"unit": city.pk})

    ranking = fewest.context["ranking"]

    def red(row) -> int:
        return next(cell.value for cell in row.added if cell.key == "red_notices")

    assert [(row.rank, row.unit.name, red(row)) for row in ranking.rows] == [
        (1, "盘龙区", 0),
        (2, "五华区", 2),
    ]
    assert [(row.rank, row.unit.name) for row in most.context["ranking"].rows] == [(1, "五华区"), (2, "盘龙区")]
    assert red(ranking.own) == 0  # the city's own item has a blue notice only
    page = fewest.content.decode()
    assert f'data-sort="red_notices" href="?unit={city.pk}&amp;sort=-red_notices">红色督办单 ▲</a>' in page
    link = re.search(r'data-column="red_notices"><a href="([^"]+)">2</a>', page).group(1)
    assert f"unit={district.pk}" in link and "colour=red" in link
    with travel_to(TODAY):
        assert _listed(client, link) == {notices["N3"].pk, notices["N5"].pk}
    rows = [row.split(",") for row in csv_file.content.decode("utf-8-sig").splitlines()]
    column = rows[1].index("红色督办单")
    assert [row[1] for row in rows[2:4]] == ["五华区", "盘龙区"]  # sorted by rate by default
    assert [row[column] for row in rows[2:]] == ["2", "0", "0"]


def test_monthly_reports_count_the_notices_of_their_period(
    notices, client, city, district, sibling_district, media_root, django_capture_on_commit_callbacks
):
    staff = UserFactory(username="staff", unit=city, roles=[Role.REPORTING_STAFF])
    # when: October's and November's monthly reports are produced on 1 December, through the page and the worker
    with travel_to(TODAY):
        client.force_login(staff)
        for day in ("2026-10-15", "2026-11-15"):
            with django_capture_on_commit_callbacks(execute=True):
                answer = client.post("/reports/produce/", {"kind": "monthly", "day": day, "unit": city.pk})
            assert answer.status_code == 302, answer.content.decode()
    october = Report.objects.get(unit=city, period_start=D(2026, 10, 1))
    november = Report.objects.get(unit=city, period_start=D(2026, 11, 1))

    def by_unit(report) -> dict[str, tuple[int, int, int, int]]:
        data = report.data["notices"]
        rows = {row["name"]: row for row in data["children"]}
        if data["own"]:
            rows["itself"] = data["own"]
        rows["total"] = data["total"]
        return {name: (row["issued"], row["answered"], row["overdue"], row["red"]) for name, row in rows.items()}

    # then: October: N1, N2, N3 and N4 issued; N1 and N4 answered; N2 and N3 past their reply deadline on its last
    # evening (N2 was escalated only on 2 November); N3 red
    assert by_unit(october) == {"五华区": (3, 1, 2, 1), "盘龙区": (1, 1, 0, 0), "total": (4, 2, 2, 1)}
    # November: N5 (red) and N6 issued, N5 answered; N3 still past its deadline, N2 escalated, N6 not due yet
    assert by_unit(november) == {
        "五华区": (1, 1, 1, 1),
        "盘龙区": (0, 0, 0, 0),
        "itself": (1, 0, 0, 0),
        "total": (2, 1, 1, 1),
    }

    # and the page and the files show the table
    with travel_to(TODAY):
        page = client.get(f"/reports/{october.pk}/").content.decode()
        xlsx = b"".join(client.get(f"/reports/{october.pk}/download/xlsx/").streaming_content)
        csv_file = b"".join(client.get(f"/reports/{november.pk}/download/csv/").streaming_content)
    assert "本期督办情况" in page and "期末超期未反馈" in page
    # and the files: the XLSX's sheet, the CSV's table
    sheet = load_workbook(io.BytesIO(xlsx))["督办情况"]
    rows = [list(row) for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)]
    assert rows == [
        ["单位", "下发督办单", "已反馈督办单", "期末超期未反馈", "下发红色督办单"],
        ["五华区", 3, 1, 2, 1],
        ["盘龙区", 1, 1, 0, 0],
        ["合计", 4, 2, 2, 1],
    ]
    csv_text = csv_file.decode("utf-8-sig")
    table = csv_text.split("本期督办情况")[1].splitlines()
    assert table[2:6] == ["昆明市本级,1,0,0,0", "五华区,1,1,1,1", "盘龙区,0,0,0,0", "合计,2,1,1,1"]


def test_a_report_produced_before_notices_were_counted_still_renders(notices, city):
    # given: the figures of a report of snapshot version 5, which had no notices
    with travel_to(TODAY):
        data = snapshot_build(
            unit=city, period=period_containing(ReportKind.MONTHLY, D(2026, 10, 15)), previous_data=None
        )
    assert data["version"] >= 6 and data["notices"]["total"]["issued"] == 4
    del data["notices"]

    # then: every rendering leaves the table out, and the XLSX has a sheet for each of the other tables
    titles = [table.title for table in report_tables(data)]
    assert "Supervision notices in the period" not in titles and "本期督办情况" not in titles
    workbook = load_workbook(io.BytesIO(render_xlsx(data)))
    assert "督办情况" not in workbook.sheetnames and len(workbook.sheetnames) == len(titles)
    assert "本期督办情况" not in render_csv(data).decode("utf-8-sig")
