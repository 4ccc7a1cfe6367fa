"""Reporting periods as the offices count them (周报、半月报、月报), in Asia/Shanghai dates."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    HALF_MONTHLY = "half_monthly", _("Half-monthly report")
    MONTHLY = "monthly", _("Monthly report")


@dataclass(frozen=True)
class Period:
    """A closed range of dates [start, end]."""

    kind: str
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_containing(kind: str, day: datetime.date) -> Period:
    """The period of this kind that `day` falls in."""
    if kind == ReportKind.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())  # Monday
        return Period(kind, start, start + datetime.timedelta(days=6))
    if kind == ReportKind.HALF_MONTHLY:
        if day.day <= 15:
            return Period(kind, day.replace(day=1), day.replace(day=15))
        return Period(kind, day.replace(day=16), _month_end(day.year, day.month))
    if kind == ReportKind.MONTHLY:
        return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
    raise ValueError(f"unknown report kind: {kind}")


def previous_period(period: Period) -> Period:
    """The period of the same kind just before this one."""
    return period_containing(period.kind, period.start - datetime.timedelta(days=1))


def period_due_on(kind: str, today: datetime.date) -> Period:
    """The period a report produced on `today` covers: the last one that has fully ended."""
    return previous_period(period_containing(kind, today))


def is_production_day(kind: str, today: datetime.date) -> bool:
    """Weekly on Mondays, half-monthly on the 1st and 16th, monthly on the 1st."""
    return period_containing(kind, today).start == today
