"""Working days of the official calendar: holidays off, swapped weekends worked, unknown years Monday–Friday."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.workdays.days import WorkCalendar, add_working_days, is_working_day, working_days_between, years_to_enter
from apps.workdays.models import CalendarDay, CalendarYear, Source
from apps.workdays.services import calendar_fill_from_library
from tests.factories import UserFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def test_the_2026_national_day_holiday_counts_as_offices_count_it():
    # The State Council's 2026 arrangement: 1–7 October off (Thursday to Wednesday), Sunday 20 September
    # and Saturday 10 October worked in exchange; 25 September (中秋节) off.
    assert [is_working_day(D(2026, 10, day)) for day in range(1, 13)] == [
        False, False, False, False, False, False, False, True, True, True, False, True,
    ]  # fmt: skip
    assert is_working_day(D(2026, 9, 20)) and not is_working_day(D(2026, 9, 25))
    # two working days from Wednesday 30 September end on Friday 9 October, not on Friday 2 October
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)  # the swapped Saturday
    # after 28 September up to 12 October: 29, 30 September, 8, 9, 10 and 12 October
    assert working_days_between(D(2026, 9, 28), D(2026, 10, 12)) == 6
    assert working_days_between(D(2026, 10, 12), D(2026, 9, 28)) == -6
    # and backwards: five working days before Monday 12 October is Tuesday 29 September
    assert add_working_days(D(2026, 10, 12), -5) == D(2026, 9, 29)
    assert CalendarDay.objects.get(day=D(2026, 10, 10)).name == "国庆节调休上班"


def test_a_year_nobody_entered_counts_monday_to_friday_and_never_fails():
    calendar = WorkCalendar()

    assert not calendar.is_entered(2028) and calendar.is_entered(2026)
    # 2 October 2028 is a Monday: counted as a working day until someone enters 2028's National Day
    assert calendar.is_working(D(2028, 10, 2)) and not calendar.is_working(D(2028, 10, 1))
    assert calendar.add(D(2028, 9, 29), 1) == D(2028, 10, 2)
    assert calendar.between(D(2026, 12, 31), D(2027, 1, 8)) == 6  # 1–8 January 2027, Monday to Friday


def test_administrators_are_warned_of_years_to_enter_and_nobody_else(client, owner):
    admin = UserFactory(username="calendar_admin", unit=None, roles=[Role.SYSTEM_ADMIN], is_staff=True)
    early_december = timezone.make_aware(datetime.datetime(2026, 12, 3, 10))

    # until November only this year matters; from November the next year's holidays are due
    assert years_to_enter(D(2026, 6, 1)) == []
    assert years_to_enter(D(2026, 12, 3)) == [2027]
    assert years_to_enter(D(2028, 3, 1)) == [2028]

    with mock.patch("django.utils.timezone.now", return_value=early_december):
        client.force_login(admin)
        page = client.get("/items/").content.decode()
        client.force_login(owner)
        not_for_officials = client.get("/items/").content.decode()

    assert "data-calendar-warning" in page and "2027" in page
    assert "/admin/workdays/calendaryear/" in page
    assert "data-calendar-warning" not in not_for_officials


def test_an_administrator_enters_next_year_by_hand_and_the_library_leaves_it_alone(client):
    admin = UserFactory(username="calendar_admin", unit=None, roles=[Role.SYSTEM_ADMIN], is_superuser=True)
    client.force_login(admin)

    # when: 2027 is entered through the admin pages, New Year's Day on Friday 1 January and a Saturday worked
    response = client.post("/admin/workdays/calendaryear/add/", {"year": 2027, "note": "国办发明电〔2026〕X号"})
    assert response.status_code == 302, response.content.decode()
    for day, working, name in (("2027-01-01", "", "元旦"), ("2027-01-09", "on", "调休上班")):
        form = {"day": day, "name": name} | ({"is_working": working} if working else {})
        assert client.post("/admin/workdays/calendarday/add/", form).status_code == 302

    # then: the days count as entered, and a fill from the library keeps them
    calendar = WorkCalendar()
    assert calendar.is_entered(2027)
    assert calendar.add(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert calendar.is_working(D(2027, 1, 9))
    assert years_to_enter(D(2026, 12, 3)) == []
    assert CalendarYear.objects.get(year=2027).source == Source.MANUAL
    response = client.post(
        "/admin/workdays/calendaryear/",
        {"action": "fill_from_library", "_selected_action": [CalendarYear.objects.get(year=2027).pk]},
        follow=True,
    )
    assert "2027" in response.content.decode() and "手工录入" in response.content.decode()
    assert CalendarDay.objects.filter(day__year=2027).count() == 2


def test_a_fill_from_the_library_keeps_the_days_an_administrator_corrected():
    # given: a local correction of 2026 (a day off for a local festival), entered by hand
    CalendarDay.objects.create(day=D(2026, 10, 9), is_working=False, name="地方节日", source=Source.MANUAL)

    # when
    filled = calendar_fill_from_library(years=[2026, 2040])

    # then: 2026 filled again around the correction; 2040 unknown to the library, left out
    assert filled == [2026]
    assert not is_working_day(D(2026, 10, 9))
    assert CalendarDay.objects.filter(day__year=2026, source=Source.LIBRARY).count() > 20
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 10)
