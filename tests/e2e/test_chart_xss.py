"""A unit's name is data, never markup: chart tooltips show it as text and run nothing."""

import datetime

import pytest

from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.items.models import Action
from apps.items.services import item_apply_action
from apps.org.models import Unit, UnitLevel
from apps.org.services import unit_create
from apps.reports.services import report_request
from tests.e2e.conftest import log_in
from tests.factories import WorkItemFactory
from tests.reports.conftest import travel_to

PASSWORD = "xss-pass-123"
PAYLOAD = '<img src=x onerror="window.__xss=1">'


def a_city_with_a_hostile_district() -> tuple[Unit, Unit, User]:
    """昆明市 with two districts, the first named with an image tag whose error handler runs script, and a leader
    who is also reporting staff of the city."""
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    hostile = unit_create(name=PAYLOAD, code="XSS", level=UnitLevel.COUNTY, parent=city)
    unit_create(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)
    leader = user_create(
        username="leader",
        password=PASSWORD,
        full_name="张立新",
        unit=city,
        roles=[Role.LEADER, Role.REPORTING_STAFF],
    )
    return city, hostile, leader


def hover_each_column(page, chart: str, *, columns: int, top: int, bottom: int) -> list[tuple[str, int]]:
    """Hover the middle of each category column of a bar chart whose grid starts 48 px from the left and ends 16 px
    from the right; the axis tooltip shows for the whole column. Gives the chart's text and its <img> count each time.
    """
    drawing = page.locator(f"{chart} canvas, {chart} svg").first  # the dashboard draws SVG
    drawing.scroll_into_view_if_needed()  # the mouse moves within the viewport, and charts sit below the tiles
    box = drawing.bounding_box()
    width = (box["width"] - 64) / columns
    middle = box["y"] + top + (box["height"] - top - bottom) / 2
    seen = []
    for index in range(columns):
        page.mouse.move(box["x"] + 48 + width * (index + 0.5), middle, steps=4)
        page.wait_for_timeout(300)  # the tooltip shows after ECharts' own short delay
        seen.append((page.inner_text(chart), page.locator(f"{chart} img").count()))
    page.wait_for_timeout(500)  # an image that fails to load reports its error a moment later
    return seen


@pytest.mark.django_db(transaction=True)
def test_dashboard_tooltip_shows_a_unit_name_with_markup_as_text(new_page):
    # given: the hostile district has two items in progress, one of them completed
    _city, hostile, _leader = a_city_with_a_hostile_district()
    official = user_create(
        username="official",
        password=PASSWORD,
        full_name="李文娟",
        unit=hostile,
        roles=[Role.OFFICIAL, Role.UNIT_ADMIN],
    )
    for _ in range(2):
        item = WorkItemFactory(unit=hostile, by=official)
        for action in (Action.SUBMIT, Action.APPROVE, Action.START):
            item = item_apply_action(item=item, by=official, action=action)
    item_apply_action(item=item, by=official, action=Action.COMPLETE)

    # when: the leader opens the dashboard and hovers over each district's bar of the per-unit chart
    page = new_page()
    log_in(page, "leader", PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector("#dashboard-charts[data-ready=true]")
    (hostile_text, hostile_images), (sibling_text, _) = hover_each_column(
        page, "#chart-child-rates", columns=2, top=24, bottom=48
    )

    # then: the name was shown as text, no image element was made from it, and its script never ran
    assert PAYLOAD in hostile_text
    assert "50.0% (1 / 2)" in hostile_text
    assert hostile_images == 0
    assert "盘龙区" in sibling_text
    assert page.evaluate("typeof window.__xss") == "undefined"


@pytest.mark.django_db(transaction=True)
def test_report_chart_tooltip_shows_a_unit_name_with_markup_as_text(new_page, media_root):
    # given: the city's weekly report of 2021-06-07, whose chart has a bar for each district
    city, hostile, leader = a_city_with_a_hostile_district()
    official = user_create(
        username="official",
        password=PASSWORD,
        full_name="李文娟",
        unit=hostile,
        roles=[Role.OFFICIAL, Role.UNIT_ADMIN],
    )
    with travel_to(datetime.date(2021, 6, 1)):
        item = WorkItemFactory(unit=hostile, by=official, deadline=datetime.date(2021, 6, 30))
    with travel_to(datetime.date(2021, 6, 9)):
        for action in (Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE):
            item = item_apply_action(item=item, by=official, action=action)
    report = report_request(kind="weekly", day=datetime.date(2021, 6, 9), unit=city, by=leader)
    report.refresh_from_db()  # produced once the request's transaction committed
    assert report.is_complete

    # when: the leader opens the report and hovers over each district's bar
    page = new_page()
    log_in(page, "leader", PASSWORD)
    page.goto(f"/reports/{report.pk}/")
    page.wait_for_selector("#rate-chart canvas")
    seen = hover_each_column(page, "#rate-chart", columns=2, top=24, bottom=80)

    # then
    assert any(PAYLOAD in text for text, _ in seen), seen
    assert all(images == 0 for _, images in seen)
    assert page.evaluate("typeof window.__xss") == "undefined"
