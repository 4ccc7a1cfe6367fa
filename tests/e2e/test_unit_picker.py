"""The unit filter is a search box: a leader types part of a street's name and picks it in one step."""

import pytest

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.conftest import log_in, screenshot
from tests.factories import WorkItemFactory

PASSWORD = "picker-pass-123"


@pytest.fixture
def kunming():
    """昆明市 > 五华区 > 华山街道 > 华山社区, and 盘龙区 beside 五华区; an item in each, a leader of the city."""
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    street = unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
    community = unit_create(name="华山社区", code="HSC", level=UnitLevel.VILLAGE, parent=street)
    sibling = unit_create(name="盘龙区", code="PL", level=UnitLevel.COUNTY, parent=city)
    user_create(username="leader", password=PASSWORD, full_name="张立新", unit=city, roles=[Role.LEADER])
    for unit, title in [
        (district, "五华区老旧小区改造"),
        (street, "华山街道夜间办事窗口"),
        (community, "华山社区加装电梯"),
        (sibling, "盘龙区停车位"),
    ]:
        WorkItemFactory(unit=unit, title=title)
    return {"city": city, "district": district, "street": street}


def listed_titles(page) -> list[str]:
    return sorted(page.eval_on_selector_all("table.items td.title a", "links => links.map(a => a.textContent)"))


@pytest.mark.django_db(transaction=True)
def test_unit_picker_finds_a_street_by_part_of_its_name_and_filters_the_list(new_page, kunming):
    # given: the leader on the item list, the filters open
    page = new_page()
    log_in(page, "leader", PASSWORD)
    page.goto("/items/")
    page.click("details.filters summary")
    box = page.get_by_role("combobox", name="所属单位（含下级）")

    # when: they type 华山 into the owning-unit box
    box.fill("华山")
    page.wait_for_selector("#id_unit_listbox [role=option]:has-text('华山社区')")

    # then: the matching units are offered with their paths, the street first and already active
    options = page.locator("#id_unit_listbox [role=option]")
    assert options.nth(1).inner_text().split("\n") == ["华山街道", "昆明市 › 五华区 › 华山街道"]
    assert options.nth(2).inner_text().split("\n") == ["华山社区", "昆明市 › 五华区 › 华山街道 › 华山社区"]
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    screenshot(page, "unit-picker-matches")

    # when: the arrow keys go down to the community and back up, and Enter picks the street
    box.press("ArrowDown")
    assert options.nth(2).get_attribute("aria-selected") == "true"
    box.press("ArrowUp")
    box.press("Enter")

    # then: the box shows the street's path, the list is closed, the hidden select holds the street's id
    assert box.input_value() == "昆明市 › 五华区 › 华山街道"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.input_value("select#id_unit") == str(kunming["street"].pk)

    # when: the filters are applied
    page.click("form.filter-form button[type=submit]")

    # then: the address carries the street's id as before, and only the street's subtree is listed
    assert f"unit={kunming['street'].pk}" in page.url
    assert listed_titles(page) == ["华山社区加装电梯", "华山街道夜间办事窗口"]
    assert page.get_by_role("combobox", name="所属单位（含下级）").input_value() == "昆明市 › 五华区 › 华山街道"
    screenshot(page, "unit-picker-filtered")


@pytest.mark.django_db(transaction=True)
def test_unit_picker_takes_a_mouse_pick_and_escape_keeps_the_chosen_unit(new_page, kunming):
    page = new_page()
    log_in(page, "leader", PASSWORD)
    page.goto(f"/items/?unit={kunming['district'].pk}")  # a filtered list opens with its filters shown
    box = page.get_by_role("combobox", name="所属单位（含下级）")
    assert box.input_value() == "昆明市 › 五华区"

    # when: typing, then Escape
    box.fill("盘龙")
    page.wait_for_selector("#id_unit_listbox [role=option]:has-text('盘龙区')")
    box.press("Escape")

    # then: the list closes and the box shows the unit still chosen
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "昆明市 › 五华区"

    # when: typing again and clicking 盘龙区 with the mouse, then applying
    box.fill("盘龙")
    page.click("#id_unit_listbox [role=option]:has-text('盘龙区')")
    page.click("form.filter-form button[type=submit]")

    # then
    assert f"unit={kunming['city'].pk}" not in page.url
    assert listed_titles(page) == ["盘龙区停车位"]


@pytest.mark.django_db(transaction=True)
def test_unit_filter_without_script_is_a_select_that_goes_down_the_tree(browser, live_server, kunming):
    # given: a browser with script turned off
    context = browser.new_context(base_url=live_server.url, locale="zh-hans", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, "leader", PASSWORD)
        page.goto("/items/")

        # when: the district is chosen in the plain select, applied, then its street
        page.click("details.filters summary")
        page.select_option("select#id_unit", str(kunming["district"].pk))
        page.click("form.filter-form button[type=submit]")
        page.select_option("select#id_unit", str(kunming["street"].pk))
        page.click("form.filter-form button[type=submit]")

        # then: no search box, and the list holds the street's subtree
        assert page.locator("[role=combobox]").count() == 0
        assert listed_titles(page) == ["华山社区加装电梯", "华山街道夜间办事窗口"]
    finally:
        context.close()
