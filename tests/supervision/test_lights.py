"""Lights (亮灯): red overdue, yellow near the deadline (working days) or behind schedule, green on track."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest

from apps.dashboards.selectors import dashboard_build
from apps.items.counters.writes import counters_rebuild
from apps.items.lights import yellow_from
from apps.items.models import Status, WorkItem
from apps.items.services import item_post_progress
from apps.org.supervision import SupervisionSettings
from apps.supervision.services import supervision_settings_update
from apps.workdays.days import WorkCalendar
from tests.conftest import official_of, travel_to
from tests.ledger.test_exports import csv_rows

D = datetime.date


@pytest.mark.django_db
def test_yellow_comes_five_working_days_before_the_deadline_across_the_national_day_holiday():
    settings = SupervisionSettings(warning_days=5, lag_tolerance=20)

    # due Friday 9 October 2026, far ahead of schedule: yellow from the fifth working day before, which the
    # holiday (1–7 October, 25 September) pushes back to Thursday 24 September
    first = yellow_from(
        start=D(2026, 9, 1), deadline=D(2026, 10, 9), progress=90, settings=settings, calendar=WorkCalendar()
    )
    assert first == D(2026, 9, 24)


@pytest.mark.django_db
def test_yellow_comes_when_progress_lags_the_time_elapsed_by_more_than_the_tolerance():
    settings = SupervisionSettings(warning_days=5, lag_tolerance=20)
    calendar = WorkCalendar()

    # a year-long item (364 days) at 10%: behind once more than 30% of the time is gone, from day 110
    assert yellow_from(
        start=D(2026, 1, 1), deadline=D(2026, 12, 31), progress=10, settings=settings, calendar=calendar
    ) == D(2026, 1, 1) + datetime.timedelta(days=110)
    # at 85% it can never lag by more than 20 points: only the deadline's window lights it
    assert yellow_from(
        start=D(2026, 1, 1), deadline=D(2026, 12, 31), progress=85, settings=settings, calendar=calendar
    ) == D(2026, 12, 24)


def test_an_items_light_follows_its_progress_and_the_days_on_the_list_the_page_and_the_api(
    client, make_item, leader, district
):
    # given: a year-long item in progress at 0%, due 31 December 2026 (behind schedule after day 73)
    item = make_item(Status.IN_PROGRESS, start_date=D(2026, 1, 1), deadline=D(2026, 12, 31))

    def seen(day: D) -> tuple[str, str, set[int], str]:
        with travel_to(day):
            client.force_login(leader)  # signed in that day: sessions run out
            page = client.get(f"/items/{item.pk}/").content.decode()
            listed = {row.pk for row in client.get("/items/", {"light": "yellow"}).context["page_obj"]}
            response = client.get(f"/api/v1/items/{item.pk}/")  # the API, with the page's session
            assert response.status_code == 200, response.content
            served = response.json()["light"]
            light = WorkItem.objects.get(pk=item.pk).light
        marker = page.split('id="item-light"')[1][:120]
        return light, served, listed, marker

    # then: green on 10 March, yellow on 20 March (more than 20% of the year gone, nothing done)
    assert seen(D(2026, 3, 10))[:3] == ("green", "green", set())
    light, served, listed, marker = seen(D(2026, 3, 20))
    assert (light, served, listed) == ("yellow", "yellow", {item.pk})
    assert 'data-light="yellow"' in marker and "黄灯" in marker

    # when: the official reports 50%: behind only once 70% of the year is gone
    with travel_to(D(2026, 3, 20)):
        item_post_progress(item=item, by=official_of(district), note="主体工程完成一半", percent=50)
    assert seen(D(2026, 3, 20))[:2] == ("green", "green")
    assert seen(D(2026, 9, 20))[:2] == ("yellow", "yellow")
    # and once the deadline has passed: red
    assert seen(D(2027, 1, 4))[:2] == ("red", "red")


def test_dashboard_counts_each_units_lights_and_each_count_lists_its_items(
    client, make_item, leader, city, district, township
):
    # given, on Monday 14 December 2026: in the district one item of each light and one suspended (no light);
    # in the township two yellow ones (one due within five working days, one behind schedule)
    today = D(2026, 12, 14)
    with travel_to(D(2026, 6, 1)):
        red = make_item(Status.IN_PROGRESS, start_date=D(2026, 1, 1), deadline=D(2026, 12, 11))
        make_item(Status.APPROVED, start_date=D(2026, 6, 1), deadline=D(2026, 12, 18))  # yellow: 4 working days
        make_item(Status.SUSPENDED, start_date=D(2026, 1, 1), deadline=D(2026, 12, 1))
        make_item(Status.DRAFT, start_date=D(2026, 1, 1), deadline=D(2026, 12, 1))  # not planned: no light
        green = make_item(Status.IN_PROGRESS, start_date=D(2026, 12, 1), deadline=D(2027, 6, 30))
        make_item(Status.RETURNED, unit=township, start_date=D(2026, 6, 1), deadline=D(2026, 12, 21))
        make_item(Status.IN_PROGRESS, unit=township, start_date=D(2026, 1, 1), deadline=D(2027, 3, 31))  # behind

    # when
    with travel_to(today):
        client.force_login(leader)  # signed in that day: a session from today would have run out by then
        dashboard = dashboard_build(user=leader, unit=city)
        naive = dashboard_build(user=leader, unit=city, items=WorkItem.objects.in_subtree(city.path))
        page = client.get("/dashboard/", {"unit": district.pk}).content.decode()

        def listed(light: str, unit) -> set[int]:
            response = client.get("/items/", {"light": light, "unit": unit.pk})
            assert response.status_code == 200, response.status_code
            return {row.pk for row in response.context["page_obj"]}

        lists = {light: listed(light, district) for light in ("red", "yellow", "green")}
        exported = b"".join(client.get(f"/api/v1/items/export/csv/?unit={district.pk}").streaming_content)

    # then: worked out by hand, from the counters and from the items alike
    (row,) = dashboard.child_rows
    lights = (row.figures.red, row.figures.yellow, row.figures.green)
    assert lights == (1, 3, 1)
    total = dashboard.total
    assert (total.red, total.yellow, total.green) == (1, 3, 1)
    naive_total = naive.total
    assert (naive_total.red, naive_total.yellow, naive_total.green) == (1, 3, 1)
    assert lists["red"] == {red.pk} and lists["green"] == {green.pk} and len(lists["yellow"]) == 3
    assert re.search(rf'href="/items/\?unit={township.pk}&amp;light=yellow"[^>]*>2</a>', page)
    assert counters_rebuild(write=False) == []
    # and the export says each item's light that day, in the ledger's words
    rows = csv_rows(exported)
    column = rows[0].index("亮灯")
    assert Counter(row[column] for row in rows[1:]) == Counter(
        {"红灯（逾期）": 1, "黄灯（临近时限或未达序时进度）": 3, "绿灯（正常推进）": 1, "": 2}
    )


def test_a_units_warning_window_lights_its_subtree_earlier_and_only_its_administrators_set_it(
    make_item, unit_admin, owner, city, district, township, django_capture_on_commit_callbacks
):
    # given: an item of the township due Friday 30 October 2026, well ahead of schedule
    item = make_item(Status.IN_PROGRESS, unit=township, start_date=D(2026, 10, 1), deadline=D(2026, 10, 30))
    item_post_progress(item=item, by=official_of(township), note="进展顺利", percent=90)
    assert WorkItem.objects.get(pk=item.pk).yellow_from == D(2026, 10, 23)  # five working days before

    # when: the district's administrator sets ten working days for the district and everything below it
    with django_capture_on_commit_callbacks(execute=True):
        supervision_settings_update(unit=district, by=unit_admin, warning_days=10, lag_tolerance=None)

    # then: the worker lit the township's item again, and the counters followed
    assert WorkItem.objects.get(pk=item.pk).yellow_from == D(2026, 10, 16)
    assert counters_rebuild(write=False) == []
    # and: an official may not, nor may the district's administrator set the city above it
    from apps.core.exceptions import ServicePermissionError

    with pytest.raises(ServicePermissionError):
        supervision_settings_update(unit=district, by=owner, warning_days=3, lag_tolerance=None)
    with pytest.raises(ServicePermissionError):
        supervision_settings_update(unit=city, by=unit_admin, warning_days=3, lag_tolerance=None)


def test_lights_settings_page_shows_what_is_in_force_and_saves_for_the_subtree(
    client, unit_admin, owner, city, district, django_capture_on_commit_callbacks
):
    # given: the city set eight working days; the district has nothing of its own
    city.warning_days = 8
    city.save(update_fields=["warning_days"])
    client.force_login(unit_admin)

    # when: the district's administrator opens the page
    page = client.get("/supervision/settings/", {"unit": district.pk}).content.decode()

    # then: what is in force here comes from above
    assert "完成时限前 8 个工作日亮黄灯" in page and "进度落后超过 20 个百分点" in page
    assert "2 个工作日内签收" in page

    # when: they set 3 days and a bad tolerance, then a good one
    refused = client.post(f"/supervision/settings/?unit={district.pk}", {"warning_days": 3, "lag_tolerance": 150})
    assert refused.status_code == 200 and "确保该值小于或等于100" in refused.content.decode()
    district.refresh_from_db()
    assert district.warning_days is None  # nothing saved from the refused form
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(f"/supervision/settings/?unit={district.pk}", {"warning_days": 3, "lag_tolerance": ""})
    assert saved.status_code == 302
    district.refresh_from_db()
    assert (district.warning_days, district.lag_tolerance) == (3, None)
    assert "完成时限前 3 个工作日亮黄灯" in client.get(saved["Location"]).content.decode()

    # and: an official may not open it, nor the administrator for the city above
    assert client.get("/supervision/settings/", {"unit": city.pk}).status_code in (403, 404)
    client.force_login(owner)
    assert client.get("/supervision/settings/", {"unit": district.pk}).status_code == 403
