"""A city assigns an item to a street, which acknowledges it and asks for more time; the city grants it; once the
new deadline has passed the light is red on the list, the item page and the dashboard. The clock is frozen at each
step, on the server the browser talks to."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import Status, WorkItem
from apps.items.services import item_approve, item_submit
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from tests.e2e.conftest import csp_violations, log_in, screenshot
from tests.factories import WorkItemFactory

PASSWORD = "supervision-pass-123"


@pytest.mark.django_db(transaction=True)
def test_assign_acknowledge_extend_and_the_light_turns_red_after_the_new_deadline(new_page):
    clock = {"now": timezone.make_aware(datetime.datetime(2026, 10, 20, 9, 30))}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock["now"]):
        # given: a city with a district and a street below it; the city's approved item due 30 October 2026
        city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
        district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
        street = unit_create(name="华山街道", code="HS", level=UnitLevel.TOWNSHIP, parent=district)
        admin = user_create(
            username="km_admin", password=PASSWORD, full_name="陈管理", unit=city, roles=[Role.UNIT_ADMIN]
        )
        user_create(username="hs_official", password=PASSWORD, full_name="李华", unit=street, roles=[Role.OFFICIAL])
        item = WorkItemFactory(unit=city, by=admin, title="华山片区雨污分流改造", deadline=datetime.date(2026, 10, 30))
        item_approve(item=item_submit(item=item, by=admin), by=admin)
        city_page, street_page = new_page(), new_page()

        # when: the city's administrator assigns it to the street and its official
        log_in(city_page, "km_admin", PASSWORD)
        city_page.goto(f"/items/{item.pk}/")
        city_page.select_option("form.assign-form #id_responsible_unit", str(street.pk))
        city_page.select_option("form.assign-form #id_responsible_person", label="李华 · 华山街道")
        city_page.click("form.assign-form button[type=submit]")
        city_page.wait_for_selector("#acknowledgement-badge")
        assert "待签收" in city_page.inner_text("#acknowledgement-badge")
        screenshot(city_page, "supervision/01-assigned")

        # and: the street acknowledges it the next day, then asks to extend it to 30 November
        clock["now"] += datetime.timedelta(days=1)
        log_in(street_page, "hs_official", PASSWORD)
        street_page.goto(f"/items/{item.pk}/")
        street_page.click("button[value=acknowledge]")
        street_page.wait_for_selector("#item-acknowledgement")
        assert "已于 2026-10-21" in street_page.inner_text("#item-acknowledgement")
        street_page.fill("form.extension-request-form input[name=deadline]", "2026-11-30")
        street_page.fill("form.extension-request-form textarea[name=reason]", "管网迁改涉及燃气管线，需协调燃气公司")
        street_page.click("form.extension-request-form button[type=submit]")
        street_page.wait_for_selector("#extension-waiting")
        screenshot(street_page, "supervision/02-extension-asked")

        # and: the city grants it, keeping the date asked for (signed in again: a day has gone by)
        log_in(city_page, "km_admin", PASSWORD)
        city_page.goto(f"/items/{item.pk}/")
        assert city_page.input_value("form.extension-grant-form input[name=deadline]") == "2026-11-30"
        city_page.click("form.extension-grant-form button[type=submit]")
        city_page.wait_for_selector("#item-original-deadline")
        deadline = city_page.inner_text("#item-deadline")
        assert "2026-11-30" in deadline and "原定 2026-10-30" in deadline
        screenshot(city_page, "supervision/03-extension-granted")

        # then: on 2 November, past the original deadline, the item is not overdue
        clock["now"] = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 0))
        assert not WorkItem.objects.get(pk=item.pk).is_overdue

        # when: the new deadline passes, on Tuesday 1 December
        clock["now"] = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 0))
        log_in(city_page, "km_admin", PASSWORD)

        # then: red on the list …
        city_page.goto("/items/?light=red")
        assert city_page.locator("table.items tbody tr").count() == 1
        assert city_page.inner_text("table.items tbody tr [data-light]") == "红灯（逾期）"
        screenshot(city_page, "supervision/04-list-red")
        # … on the item page …
        city_page.goto(f"/items/{item.pk}/")
        assert city_page.get_attribute("#item-light [data-light]", "data-light") == "red"
        # … and on the city's dashboard, a link to that one item
        city_page.goto(f"/dashboard/?unit={city.pk}")
        red = city_page.locator("[data-lights=total] .light.red")
        assert red.inner_text() == "1"
        screenshot(city_page, "supervision/05-dashboard-red")
        red.click()
        city_page.wait_for_selector("table.items")
        assert city_page.locator("table.items tbody tr").count() == 1
        assert csp_violations(city_page) == [] and csp_violations(street_page) == []
    assert WorkItem.objects.get(pk=item.pk).status == Status.APPROVED
