"""The official working calendar: which days are worked, including the swapped weekends (调休).

Only the days that differ from Monday–Friday are stored: public holidays on weekdays and weekend days worked
in exchange. A year is *entered* once its holidays are known (the State Council publishes the next year's each
November); a year nobody has entered falls back to Monday–Friday, and administrators are warned.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Source(models.TextChoices):
    LIBRARY = "library", _("Filled from the published calendar (chinese-calendar)")
    MANUAL = "manual", _("Entered by an administrator")


class CalendarYear(TimeStampedModel):
    """A year whose holidays and swapped working days are entered: its dates follow the table, not Mon–Fri."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. the State Council notice"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(TimeStampedModel):
    """A day that is not as Monday–Friday says: a holiday on a weekday, or a weekend day worked (调休上班)."""

    day = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(
        _("working day"), help_text=_("Ticked: a weekend day that is worked. Unticked: a weekday off.")
    )
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 国庆节 or 国庆节调休上班"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"
