"""A leader opens the dashboard: the charts draw from the JSON endpoint, offline, and a bar drills down."""

import importlib

import pytest

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.services import item_approve, item_submit
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.conftest import screenshot
from tests.factories import WorkItemFactory

PASSWORD = "charts-pass-123"


@pytest.fixture(scope="module", autouse=True)
def categories_put_back(django_db_blocker):
    """Put the categories (a data migration) back once this module's browser test has flushed the database.

    A transactional test ends with a flush, and the browser tests that run after this one pick categories
    by name, as the migrations left them.
    """
    yield
    from django.apps import apps

    categories = importlib.import_module("apps.items.migrations.0002_categories")
    with django_db_blocker.unblock():
        categories.add_categories(apps, None)


@pytest.mark.django_db(transaction=True)
def test_dashboard_charts_draw_from_the_json_and_drill_down(new_page):
    # given: a city with two districts, one with a street below it, and items in a few states
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    unit_create(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)
    official = user_create(
        username="official", password=PASSWORD, full_name="李文娟", unit=district, roles=[Role.OFFICIAL]
    )
    leader = user_create(username="leader", password=PASSWORD, full_name="张立新", unit=city, roles=[Role.LEADER])
    for _ in range(3):  # approved into the plan, none done yet: the district's rate is 0%
        item = item_submit(item=WorkItemFactory(unit=district, by=official), by=official)
        item_approve(item=item, by=leader)

    # when
    page = new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("header .who")
    page.goto("/dashboard/")
    page.wait_for_selector("#dashboard-charts[data-ready=true]")

    # then: three charts drawn, everything fetched from the portal itself
    assert page.locator("#dashboard-charts canvas").count() >= 3
    # the status legend shows every state (not paged), and the weekly line is never drawn below zero
    statuses = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-statuses')).getOption()")
    trend = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption()")
    assert statuses["legend"][0]["type"] == "plain"
    assert trend["series"][1]["smooth"] is False and trend["yAxis"][0]["min"] == 0
    assert any("/dashboard/data/?unit=" in url for url in requests)
    assert all(url.startswith(page.url.split("/dashboard/")[0]) for url in requests)
    screenshot(page, "dashboard-charts")

    # and: clicking the district's bar opens the district's dashboard
    box = page.locator("#chart-child-rates canvas").first.bounding_box()
    # the district's bar is the first of two (the grid spans 48 px from the left to 16 px from the right);
    # at 0% it has the minimum height, just above the axis 48 px from the bottom
    page.mouse.click(box["x"] + 48 + (box["width"] - 64) / 4, box["y"] + box["height"] - 49)
    page.wait_for_url(f"**/dashboard/?unit={district.pk}")
