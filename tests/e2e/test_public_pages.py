"""A citizen opens a unit's public page on a phone: the items, the figures and the chart, under the CSP."""

import pytest
from django.core.cache import cache

from apps.items.models import Action, Status
from apps.items.services import item_apply_action, item_post_progress
from tests.e2e.conftest import csp_violations, screenshot

PUBLIC_NOTE = "雨污管网已铺设一半，路面恢复中"


@pytest.mark.django_db(transaction=True)
def test_public_unit_page_on_a_phone_draws_the_chart_without_a_csp_violation(
    new_page, live_server, district, leader, owner, make_item
):
    # given: two published items of 五华区, one completed, one in progress with a public note
    cache.clear()
    done, doing = make_item(Status.COMPLETED), make_item(Status.IN_PROGRESS)
    for item in (done, doing):
        item_apply_action(item=item, by=leader, action=Action.PUBLISH)
    item_post_progress(item=doing, by=owner, note=PUBLIC_NOTE, percent=50, is_public=True)

    # when: an anonymous reader on a phone-sized screen
    page = new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/public/units/{district.pk}/")
    page.wait_for_selector("#public-chart[data-drawn=true] svg")

    # then: the chart is drawn with a bar per figure, the note is listed, nothing was blocked or fetched elsewhere
    assert page.locator("#public-chart svg path").count() >= 2
    assert "50.0%" in page.locator("#public-chart").inner_text()  # the rate above the completed bar
    assert page.locator("#public-figures tr[data-kind=livelihood_plan] .rate").inner_text() == "50.0%"
    assert PUBLIC_NOTE in page.locator("#public-items").inner_text()
    assert csp_violations(page) == []
    assert all(url.startswith(live_server.url) for url in requests)
    # nothing is wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "public/unit-phone")

    # and the item's own page opens from the list
    page.click(f"#public-items a[href='/public/items/{doing.pk}/']")
    page.wait_for_selector("#public-notes")
    assert PUBLIC_NOTE in page.locator("#public-notes").inner_text()
    assert csp_violations(page) == []
