"""考评排名: the city's child units ranked by each figure of the dashboard, on the page and in its files.

The items go through the services on a frozen clock; on 6 November 2026 the four districts stand as follows
(planned, completed, completion rate, on time, acknowledgement timeliness, overdue, not acknowledged):

- 五华区: 4, 2, 50.0%, 100.0%, 50.0% (one acknowledged on time, one still waiting past its limit), 0, 1
- 盘龙区: 2, 1, 50.0%, 0.0% (completed after the deadline), —, 1 (red), 0
- 官渡区: 3, 3, 100.0%, 100.0%, —, 0, 0
- 晋宁区: nothing planned: every rate "—"
and the city owns one item itself, which is shown apart and not ranked.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.dashboards.ranking import RankingColumn, ranking_build
from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_acknowledge, item_apply_action, item_assign, item_complete
from tests.conftest import official_of, travel_to
from tests.factories import UnitFactory, WorkItemFactory

D = datetime.date
TODAY = D(2026, 11, 6)
DUE = D(2026, 10, 30)
LATER = D(2026, 12, 31)
HEADERS = [
    "排名",
    "单位",
    "计划数",
    "已办结",
    "完成率",
    "按期办结率",
    "签收及时率",
    "逾期",
    "红灯",
    "未签收",
    "红色督办单",
    "收到诉求数",
    "按时受理数",
    "答复办结数",
    "满意率",
    "解决率",
]


def _complete(item: WorkItem, by) -> WorkItem:
    item = item_apply_action(item=WorkItem.objects.get(pk=item.pk), by=by, action="start")
    return item_complete(item=item, by=by)


@pytest.fixture
def districts(make_item, perform, leader, owner, city, district, sibling_district, township):
    """The city's four districts by name, with their items made as the module's docstring says."""
    guandu = UnitFactory(name="官渡区", code="GD", parent=city)
    jinning = UnitFactory(name="晋宁区", code="JN", parent=city)

    def approved(unit, deadline=DUE) -> WorkItem:
        item = WorkItemFactory(unit=unit, by=leader, deadline=deadline)
        for action in (Action.SUBMIT, Action.APPROVE):
            perform(action, item=item, by=leader)
        return WorkItem.objects.get(pk=item.pk)

    with travel_to(D(2026, 9, 30)):
        done = [make_item(Status.APPROVED, deadline=DUE) for _ in range(2)]
        acknowledged, waiting = (
            item_assign(item=make_item(Status.APPROVED, deadline=LATER), by=leader, responsible_unit=township)
            for _ in range(2)
        )
        late, open_late = approved(sibling_district), approved(sibling_district)
        guandu_items = [approved(guandu) for _ in range(3)]
        approved(city, deadline=LATER)  # the city's own
    with travel_to(D(2026, 10, 8)):
        item_acknowledge(item=acknowledged, by=official_of(township))
    with travel_to(D(2026, 10, 28)):
        for item in done:
            _complete(item, owner)
        for item in guandu_items:
            _complete(item, official_of(guandu))
    with travel_to(D(2026, 11, 5)):
        _complete(late, official_of(sibling_district))
        item_apply_action(item=WorkItem.objects.get(pk=open_late.pk), by=official_of(sibling_district), action="start")
    assert waiting.acknowledged_at is None
    return {unit.name: unit for unit in (district, sibling_district, guandu, jinning)}


def _order(ranking) -> list[tuple[int | None, str]]:
    return [(row.rank, row.unit.name) for row in ranking.rows]


def test_ranking_orders_the_child_units_by_each_figure(districts, leader, city):
    with travel_to(TODAY):

        def order(sort: str) -> list[tuple[int | None, str]]:
            return _order(ranking_build(user=leader, unit=city, sort=sort))

        # ties share a rank (1, 2, 2) and keep the tree's order; no rate ("—") comes last, unranked, either way
        assert order("-rate") == [(1, "官渡区"), (2, "五华区"), (2, "盘龙区"), (None, "晋宁区")]
        assert order("rate") == [(1, "五华区"), (1, "盘龙区"), (3, "官渡区"), (None, "晋宁区")]
        assert order("-on_time_rate") == [(1, "五华区"), (1, "官渡区"), (3, "盘龙区"), (None, "晋宁区")]
        assert order("on_time_rate") == [(1, "盘龙区"), (2, "五华区"), (2, "官渡区"), (None, "晋宁区")]
        assert order("-acknowledgement_rate") == [(1, "五华区"), (None, "盘龙区"), (None, "官渡区"), (None, "晋宁区")]
        assert order("-overdue") == [(1, "盘龙区"), (2, "五华区"), (2, "官渡区"), (2, "晋宁区")]
        assert order("overdue") == [(1, "五华区"), (1, "官渡区"), (1, "晋宁区"), (4, "盘龙区")]
        assert order("-red") == order("-overdue")  # red is overdue, by definition
        assert order("-planned") == [(1, "五华区"), (2, "官渡区"), (3, "盘龙区"), (4, "晋宁区")]
        assert order("-completed") == [(1, "官渡区"), (2, "五华区"), (3, "盘龙区"), (4, "晋宁区")]
        assert order("-waiting") == [(1, "五华区"), (2, "盘龙区"), (2, "官渡区"), (2, "晋宁区")]
        # an unknown sort is the default: completion rate, highest first
        assert order("nonsense") == order("unit") == order("-rate")

        ranking = ranking_build(user=leader, unit=city)
        assert ranking.sort == "-rate"
        assert ranking.own is not None and ranking.own.figures.planned == 1  # the city's own item, apart
        [wuhua] = [row for row in ranking.rows if row.unit.name == "五华区"]
        figures = wuhua.figures
        assert (figures.planned, figures.completed, figures.overdue, figures.waiting) == (4, 2, 0, 1)
        assert [str(figures.rate), str(figures.on_time_rate), str(figures.acknowledgement_rate)] == [
            "50.0",
            "100.0",
            "50.0",
        ]


def test_ranking_takes_a_column_added_from_counts_per_unit(districts, leader, city):
    # given: a column from elsewhere (like the red notices): a count per child unit, fewer is better
    counts = {districts["盘龙区"].pk: 3, districts["官渡区"].pk: 1}
    notices = RankingColumn("red_notices", "红色督办单", higher_is_better=False, counts=counts)
    with travel_to(TODAY):
        ranking = ranking_build(user=leader, unit=city, sort="red_notices", added_columns=[notices])
    # then: units without a count have none; the order and ranks follow the counts
    assert _order(ranking) == [(1, "五华区"), (1, "晋宁区"), (3, "官渡区"), (4, "盘龙区")]
    assert [cell.value for row in ranking.rows for cell in row.added] == [0, 0, 1, 3]
    assert ranking.headers[-1].sort == "-red_notices" and ranking.headers[-1].state == "ascending"


def _rows(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', page.replace("&amp;", "&"), re.S))


def test_ranking_page_shows_the_order_and_every_count_leads_to_its_items(client, districts, leader, city):
    client.force_login(leader)
    with travel_to(TODAY):
        page = client.get(reverse("dashboards:ranking"), {"unit": city.pk, "sort": "-rate"}).content.decode()
        rows = _rows(page)
        by_id = {str(unit.pk): name for name, unit in districts.items()}
        assert [by_id[pk] for pk in rows] == ["官渡区", "五华区", "盘龙区", "晋宁区"]
        ranks = [re.search(r'<td class="num rank">([^<]*)</td>', cells).group(1) for cells in rows.values()]
        assert ranks == ["1", "2", "2", "—"]
        assert 'data-unit="self"' in page  # the city's own items, apart

        # then: every count of every row is a link to the list of exactly that many items
        checked = 0
        for pk, cells in rows.items():
            for column, link, count in re.findall(
                r'data-column="(\w+)"><a (?:class="[^"]*" )?href="(/items/\?[^"]+)">(\d+)</a>', cells
            ):
                assert f"unit={pk}" in link
                listed = client.get(link).context["page_obj"].paginator.count
                assert listed == int(count), (by_id[pk], column, link)
                checked += 1
        assert checked == 4 * 5  # planned, completed, overdue, red and not acknowledged of four units
        # the late completion behind 盘龙区's on-time rate of 0.0%
        late = re.search(r'data-column="on_time_rate"><a href="([^"]+)"', rows[str(districts["盘龙区"].pk)])
        assert client.get(late.group(1)).context["page_obj"].paginator.count == 1

        # a district with units below it links to its own ranking, one without to its dashboard
        wuhua, panlong = districts["五华区"].pk, districts["盘龙区"].pk
        assert f'<a href="?unit={wuhua}&sort=-rate">五华区</a>' in rows[str(wuhua)]
        assert f'<a href="/dashboard/?unit={panlong}">盘龙区</a>' in rows[str(panlong)]
        # the headers sort: the active one reverses, the others start with the best first
        assert f'href="?unit={city.pk}&amp;sort=rate">完成率 ▼</a>' in page
        assert f'href="?unit={city.pk}&amp;sort=overdue">逾期</a>' in page
        assert f'href="/dashboard/ranking/export/xlsx/?unit={city.pk}&amp;sort=-rate"' in page

        # sorted the other way round, the page follows
        page = client.get(reverse("dashboards:ranking"), {"unit": city.pk, "sort": "-overdue"}).content.decode()
        assert [by_id[pk] for pk in _rows(page)] == ["盘龙区", "五华区", "官渡区", "晋宁区"]

        # the district's ranking: its township, with a breadcrumb back to the city
        page = client.get(reverse("dashboards:ranking"), {"unit": wuhua}).content.decode()
        assert f'<a href="?unit={city.pk}&amp;sort=-rate">昆明市</a>' in page
        assert len(_rows(page)) == 1


def test_dashboard_links_to_the_ranking(client, districts, leader, city):
    client.force_login(leader)
    page = client.get(reverse("dashboards:dashboard"), {"unit": city.pk}).content.decode()
    assert f'href="/dashboard/ranking/?unit={city.pk}"' in page


def test_ranking_of_a_unit_outside_the_subtree_does_not_exist(client, owner, outsider, leader, city, district):
    pages = [
        (reverse("dashboards:ranking"), {"unit": district.pk}),
        (reverse("dashboards:ranking_export", args=["xlsx"]), {"unit": district.pk}),
        (reverse("dashboards:ranking_export", args=["csv"]), {"unit": district.pk}),
    ]
    client.force_login(outsider)
    for address, query in pages:
        assert client.get(address, query).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("dashboards:ranking"), {"unit": city.pk}).status_code == 404
    for address, query in pages:
        assert client.get(address, query).status_code == 200
    assert client.get(reverse("dashboards:ranking_export", args=["pdf"]), {"unit": district.pk}).status_code == 404
    client.logout()
    assert client.get(reverse("dashboards:ranking"), {"unit": district.pk}).status_code == 302


def test_ranking_xlsx_reads_back_with_its_title_headers_and_figures(client, districts, leader, city):
    client.force_login(leader)
    with travel_to(TODAY):
        response = client.get(reverse("dashboards:ranking_export", args=["xlsx"]), {"unit": city.pk, "sort": "-rate"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "考评排名：昆明市（截至 2026-11-06）"
    assert rows[1] == HEADERS
    assert rows[2:] == [
        [1, "官渡区", 3, 3, 1, 1, "—", 0, 0, 0, 0, 0, 0, 0, "—", "—"],
        [2, "五华区", 4, 2, 0.5, 1, 0.5, 0, 0, 1, 0, 0, 0, 0, "—", "—"],
        [2, "盘龙区", 2, 1, 0.5, 0, "—", 1, 1, 0, 0, 0, 0, 0, "—", "—"],
        ["—", "晋宁区", 0, 0, "—", "—", "—", 0, 0, 0, 0, 0, 0, 0, "—", "—"],
        [None, "昆明市本级", 1, 0, 0, "—", "—", 0, 0, 0, 0, 0, 0, 0, "—", "—"],
    ]
    assert sheet["E3"].number_format == "0.0%" and sheet["G4"].number_format == "0.0%"


def test_ranking_csv_has_a_bom_a_title_and_the_rows(client, districts, leader, city):
    client.force_login(leader)
    with travel_to(TODAY):
        response = client.get(reverse("dashboards:ranking_export", args=["csv"]), {"unit": city.pk, "sort": "rate"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["考评排名：昆明市（截至 2026-11-06）"]
    assert rows[1] == HEADERS
    assert rows[2:] == [
        ["1", "五华区", "4", "2", "50.0%", "100.0%", "50.0%", "0", "0", "1", "0", "0", "0", "0", "—", "—"],
        ["1", "盘龙区", "2", "1", "50.0%", "0.0%", "—", "1", "1", "0", "0", "0", "0", "0", "—", "—"],
        ["3", "官渡区", "3", "3", "100.0%", "100.0%", "—", "0", "0", "0", "0", "0", "0", "0", "—", "—"],
        ["—", "晋宁区", "0", "0", "—", "—", "—", "0", "0", "0", "0", "0", "0", "0", "—", "—"],
        ["", "昆明市本级", "1", "0", "0.0%", "—", "—", "0", "0", "0", "0", "0", "0", "0", "—", "—"],
    ]
