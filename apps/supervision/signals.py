"""Lighting items again when the working calendar changes (apps/workdays sits below the items and cannot)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.core.tasks import enqueue
from apps.workdays.models import CalendarDay
from apps.workdays.signals import calendar_changed


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_day_changed(sender, instance: CalendarDay, **kwargs) -> None:
    from apps.supervision.tasks import supervision_relight_year_task

    enqueue(supervision_relight_year_task, instance.day.year)


@receiver(calendar_changed)
def calendar_years_changed(sender, years: list[int], **kwargs) -> None:
    from apps.supervision.tasks import supervision_relight_year_task

    for year in years:
        enqueue(supervision_relight_year_task, year)
