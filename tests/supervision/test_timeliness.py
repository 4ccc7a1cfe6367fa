"""On-time completion (按期办结率), acknowledgement timeliness (签收及时率) and 未签收 on the dashboard.

Seven items of the district, due 30 October 2026, go through the services on a frozen clock; the dashboard
must say what a supervisor would count by hand, from the counters and from the items alike, and every
figure must link to the very items it counts.
"""

from __future__ import annotations

import datetime
import re

import pytest

from apps.accounts.models import Role
from apps.dashboards.selectors import dashboard_build
from apps.items.counters.writes import counters_rebuild
from apps.items.models import Status, WorkItem
from apps.items.services import (
    item_acknowledge,
    item_apply_action,
    item_assign,
    item_complete,
    item_decline,
    item_grant_extension,
    item_request_extension,
)
from apps.reports.models import Report
from tests.conftest import official_of, travel_to
from tests.dashboards.test_counters import assert_counters_match_the_items
from tests.factories import UserFactory

D = datetime.date


def _complete(item: WorkItem, by) -> WorkItem:
    item = item_apply_action(item=WorkItem.objects.get(pk=item.pk), by=by, action="start")
    return item_complete(item=item, by=by)


@pytest.fixture
def handed_down(make_item, leader, township, district):
    """The seven items, by letter; the clock ends on 13 October 2026 (a Tuesday)."""
    street = official_of(township)
    with travel_to(D(2026, 9, 30)):  # two working days after 30 September, across the holiday: 9 October
        items = {
            letter: item_assign(
                item=make_item(Status.APPROVED, deadline=D(2026, 10, 30), title=f"事项{letter}"),
                by=leader,
                responsible_unit=township,
            )
            for letter in "ABCDF"
        }
        kept = make_item(Status.APPROVED, deadline=D(2026, 10, 30), title="事项G")
        items["G"] = item_assign(item=kept, by=leader, responsible_unit=district)  # kept: nobody acknowledges
    with travel_to(D(2026, 10, 8)):
        items["A"] = item_acknowledge(item=items["A"], by=street)  # on time
        items["F"] = item_decline(item=items["F"], by=street, reason="不属于本街道职责")  # back: not counted
    with travel_to(D(2026, 10, 9)):
        items["C"] = item_acknowledge(item=items["C"], by=street)  # on the last day: on time
    with travel_to(D(2026, 10, 12)):
        items["B"] = item_acknowledge(item=items["B"], by=street)  # late
        # E is handed down on Monday 12 October: due by Wednesday 14 October
        items["E"] = item_assign(
            item=make_item(Status.APPROVED, deadline=D(2026, 10, 30), title="事项E"),
            by=leader,
            responsible_unit=township,
        )
    return items


def test_acknowledgement_figures_while_items_wait(handed_down, leader, city, district):
    with travel_to(D(2026, 10, 13)):
        total = dashboard_build(user=leader, unit=city).total
        # waiting: D (due by 9 October, so past the limit) and E (due by 14 October)
        assert (total.waiting, total.waiting_late) == (2, 1)
        # on time: A and C; late: B; and D is late already though it still waits: 2 ÷ (3 + 1)
        assert (total.acknowledged_on_time, total.acknowledged_late) == (2, 1)
        assert str(total.acknowledgement_rate) == "50.0"
        assert total.on_time_rate is None  # nothing is completed yet
        assert_counters_match_the_items(leader, city, district)


def test_on_time_completion_counts_the_deadline_in_force(handed_down, leader, supervisor, city, district, township):
    street = official_of(township)
    with travel_to(D(2026, 10, 20)):
        extended = item_request_extension(
            item=handed_down["B"], by=street, deadline=D(2026, 11, 30), reason="设备到货延迟"
        )
        item_grant_extension(item=extended, by=leader)
    with travel_to(D(2026, 10, 28)):
        _complete(handed_down["A"], street)  # before the deadline
    with travel_to(D(2026, 11, 5)):
        _complete(handed_down["C"], street)  # after it: late
    with travel_to(D(2026, 11, 10)):
        _complete(handed_down["B"], street)  # after the original deadline, before the one granted: on time

    with travel_to(D(2026, 11, 12)):
        total = dashboard_build(user=leader, unit=city).total
        assert (total.completed, total.on_time, total.late_completions) == (3, 2, 1)
        assert str(total.on_time_rate) == "66.7"
        # D and E still wait, both past their limits now: 2 on time ÷ (3 acknowledged + 2 waiting late)
        assert (total.waiting, total.waiting_late) == (2, 2)
        assert str(total.acknowledgement_rate) == "40.0"
        # the district's row on the city's dashboard says the same
        [row] = [row for row in dashboard_build(user=leader, unit=city).child_rows if row.unit == district]
        assert (row.figures.on_time, row.figures.waiting, row.figures.waiting_late) == (2, 2, 2)
        assert_counters_match_the_items(leader, city, district)

    # a completion sent back and completed again is judged on the day it is completed again
    with travel_to(D(2026, 11, 12)):
        returned = item_apply_action(
            item=WorkItem.objects.get(pk=handed_down["A"].pk), by=supervisor, action="return", reason="佐证材料不全"
        )
        assert dashboard_build(user=leader, unit=city).total.on_time == 1
        _complete(returned, street)
        assert dashboard_build(user=leader, unit=city).total.on_time == 1  # 12 November is after 30 October
        assert_counters_match_the_items(leader, city, district)
    assert counters_rebuild(write=False) == []


def _figure_links(page: str, name: str) -> list[str]:
    tile = re.search(rf'data-figure="{name}".*?</div>', page, re.S).group(0)
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', tile)]


def _numbers_listed(client, link: str) -> list[str]:
    page = client.get(link).content.decode()
    return sorted(set(re.findall(r">(事项[A-G])<", page)))


def test_dashboard_page_and_api_show_the_figures_with_links_to_their_items(client, handed_down, leader, city):
    with travel_to(D(2026, 10, 28)):
        _complete(handed_down["A"], official_of(handed_down["A"].responsible_unit))
    with travel_to(D(2026, 11, 5)):
        _complete(handed_down["C"], official_of(handed_down["C"].responsible_unit))

    with travel_to(D(2026, 11, 6)):
        client.force_login(leader)
        page = client.get(f"/dashboard/?unit={city.pk}").content.decode()
        # then: the tiles, each count a link to its items
        assert "50.0%" in re.search(r'data-figure="on-time".*?</div>', page, re.S).group(0)
        [late_link] = _figure_links(page, "on-time")
        assert _numbers_listed(client, late_link) == ["事项C"]
        [waiting_link, waiting_late_link] = _figure_links(page, "waiting")
        assert _numbers_listed(client, waiting_link) == ["事项D", "事项E"]
        assert _numbers_listed(client, waiting_late_link) == ["事项D", "事项E"]
        [acknowledged_late_link] = _figure_links(page, "acknowledgement")
        assert _numbers_listed(client, acknowledged_late_link) == ["事项B"]
        # 2 on time ÷ (3 acknowledged + 2 waiting past the limit)
        assert "40.0%" in re.search(r'data-figure="acknowledgement".*?</div>', page, re.S).group(0)

        # and the API serves the same figures and links
        total = client.get(f"/api/v1/dashboards/{city.pk}/").json()["total"]
        assert (total["on_time_rate"], total["late_completions"], total["acknowledgement_rate"]) == (50.0, 1, 40.0)
        assert (total["waiting"], total["waiting_late"]) == (2, 2)
        assert _numbers_listed(client, total["links"]["waiting"]) == ["事项D", "事项E"]
        assert _numbers_listed(client, total["links"]["late_completions"]) == ["事项C"]


@pytest.fixture
def delivered(handed_down, leader, township):
    """B's deadline extended to 30 November; A completed on 28 October, C on 5 November (late), B on 10 November."""
    street = official_of(township)
    with travel_to(D(2026, 10, 20)):
        asked = item_request_extension(
            item=handed_down["B"], by=street, deadline=D(2026, 11, 30), reason="设备到货延迟"
        )
        item_grant_extension(item=asked, by=leader)
    for letter, day in (("A", D(2026, 10, 28)), ("C", D(2026, 11, 5)), ("B", D(2026, 11, 10))):
        with travel_to(day):
            _complete(handed_down[letter], street)
    return handed_down


def test_monthly_reports_count_timeliness_in_their_period(
    delivered, client, city, district, django_capture_on_commit_callbacks
):
    staff = UserFactory(username="staff", unit=city, roles=[Role.REPORTING_STAFF])
    # when: October's and November's monthly reports are produced on 1 December, through the worker
    with travel_to(D(2026, 12, 1)):
        client.force_login(staff)
        for day in ("2026-10-15", "2026-11-15"):
            with django_capture_on_commit_callbacks(execute=True):
                answer = client.post("/reports/produce/", {"kind": "monthly", "day": day, "unit": city.pk})
            assert answer.status_code == 302, answer.content.decode()
    october = Report.objects.get(unit=city, period_start=D(2026, 10, 1))
    november = Report.objects.get(unit=city, period_start=D(2026, 11, 1))

    # then: October as it stood on its last evening: A completed on time; A and C acknowledged on time, B late;
    # D and E still waiting, past their limits (9 and 14 October): 2 ÷ (3 + 2)
    timeliness = october.data["timeliness"]
    assert {name: timeliness["total"][name] for name in ("completed", "completed_on_time", "on_time_rate")} == {
        "completed": 1,
        "completed_on_time": 1,
        "on_time_rate": "100.0",
    }
    assert (timeliness["total"]["acknowledged"], timeliness["total"]["acknowledged_on_time"]) == (3, 2)
    assert (timeliness["total"]["waiting_late"], timeliness["total"]["acknowledgement_rate"]) == (2, "40.0")
    [row] = [row for row in timeliness["children"] if row["unit_id"] == district.pk]
    assert (row["completed"], row["acknowledged"], row["waiting_late"]) == (1, 3, 2)
    assert [row["title"] for row in october.data["not_acknowledged_items"]] == ["事项D", "事项E"]

    # November: C completed late, B on time by the deadline granted; nothing acknowledged, D and E still waiting
    total = november.data["timeliness"]["total"]
    assert (total["completed"], total["completed_on_time"], total["on_time_rate"]) == (2, 1, "50.0")
    assert (total["acknowledged"], total["waiting_late"], total["acknowledgement_rate"]) == (0, 2, "0.0")
    [late] = november.data["completed_late_items"]
    assert (late["title"], late["deadline"]) == ("事项C", "2026-10-30")

    # and the page shows the table and links the late completion to its item
    with travel_to(D(2026, 12, 1)):
        page = client.get(f"/reports/{november.pk}/").content.decode()
    assert "本期办理时效" in page and "50.0%" in page
    assert f'<a href="/items/{late["id"]}/">{late["number"]}</a>' in page
