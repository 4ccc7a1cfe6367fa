"""Counting working days of the official calendar: holidays off, swapped weekends (调休) worked.

A `WorkCalendar` reads the table one year at a time, the first time a date of that year is asked about, so a
page or a task counting many items' time limits asks the database once a year it touches. A year nobody has
entered counts Monday–Friday and never fails (`WorkCalendar.is_entered` tells which years those are).
"""

from __future__ import annotations

import datetime

from apps.workdays.models import CalendarDay, CalendarYear

ONE_DAY = datetime.timedelta(days=1)


class WorkCalendar:
    """Working days, read from the table as they are needed."""

    def __init__(self) -> None:
        self._exceptions: dict[datetime.date, bool] = {}
        self._loaded: set[int] = set()
        self._entered: set[int] = set()

    def _load(self, year: int) -> None:
        if year in self._loaded:
            return
        days = CalendarDay.objects.filter(day__year=year).values_list("day", "is_working")
        self._exceptions.update(days)
        if CalendarYear.objects.filter(year=year).exists():
            self._entered.add(year)
        self._loaded.add(year)

    def is_entered(self, year: int) -> bool:
        """Whether `year`'s holidays are entered; if not, its working days are Monday–Friday."""
        self._load(year)
        return year in self._entered

    def is_working(self, day: datetime.date) -> bool:
        self._load(day.year)
        return self._exceptions.get(day, day.weekday() < 5)

    def add(self, start: datetime.date, days: int) -> datetime.date:
        """The day on which `days` working days after `start` are over (`start` itself does not count).

        A time limit of 2 working days given on a Friday before a week of holidays ends on the second working day
        after them. With `days` = 0, `start` itself.
        """
        day = start
        step = ONE_DAY if days >= 0 else -ONE_DAY
        left = abs(days)
        while left:
            day += step
            if self.is_working(day):
                left -= 1
        return day

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_working(day)
        return count


def is_working_day(day: datetime.date) -> bool:
    return WorkCalendar().is_working(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    return WorkCalendar().add(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkCalendar().between(start, end)


def years_to_enter(today: datetime.date) -> list[int]:
    """The years administrators should enter now: this year if missing, and from November the next one.

    The State Council publishes the next year's holidays each November; until they are entered, time limits
    running into that year count Monday–Friday.
    """
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    entered = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in entered]
