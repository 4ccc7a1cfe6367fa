"""Writing the calendar: filling years from the published calendar, entering a year by hand."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model

from apps.workdays.models import CalendarDay, CalendarYear, Source
from apps.workdays.signals import calendar_changed


def library_years() -> range:
    """The years the chinese-calendar library knows (those the State Council had published when it was released)."""
    import chinese_calendar

    known = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return range(min(known).year, max(known).year + 1)


# The library names its holidays in English; the calendar keeps the names offices use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def library_days(years: Iterable[int]) -> list[tuple]:
    """(date, is_working, name) of every day of `years` that differs from Monday–Friday, as the library says."""
    import chinese_calendar

    wanted = set(years)
    days = []
    for day, holiday in chinese_calendar.holidays.items():
        if day.year in wanted and day.weekday() < 5:
            days.append((day, False, HOLIDAY_NAMES.get(holiday, holiday)))
    for day, holiday in chinese_calendar.workdays.items():
        if day.year in wanted and day.weekday() >= 5:
            days.append((day, True, f"{HOLIDAY_NAMES.get(holiday, holiday)}调休上班"))
    return sorted(days)


def fill_from_library(day_model: type[Model], year_model: type[Model], years: Iterable[int]) -> list[int]:
    """Fill `years` from the library into the given models (the current ones, or a migration's).

    Days and years an administrator entered by hand stay as they are: the table is theirs to correct.
    Returns the years filled.
    """
    known = set(library_years())
    years = sorted(set(years) & known)
    manual_years = set(year_model.objects.filter(year__in=years, source=Source.MANUAL).values_list("year", flat=True))
    years = [year for year in years if year not in manual_years]
    manual_days = set(day_model.objects.filter(day__year__in=years, source=Source.MANUAL).values_list("day", flat=True))
    day_model.objects.filter(day__year__in=years, source=Source.LIBRARY).delete()
    day_model.objects.bulk_create(
        day_model(day=day, is_working=is_working, name=name, source=Source.LIBRARY)
        for day, is_working, name in library_days(years)
        if day not in manual_days
    )
    for year in years:
        year_model.objects.update_or_create(year=year, defaults={"source": Source.LIBRARY})
    return years


@transaction.atomic
def calendar_fill_from_library(*, years: Iterable[int] | None = None) -> list[int]:
    """Fill the calendar from the chinese-calendar library: every year it knows, or `years`."""
    filled = fill_from_library(CalendarDay, CalendarYear, library_years() if years is None else years)
    if filled:
        calendar_changed.send(sender=CalendarDay, years=filled)
    return filled
