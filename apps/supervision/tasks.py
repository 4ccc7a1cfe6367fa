"""The worker's supervision tasks: thin, taking ids, calling a service."""

from celery import shared_task

from apps.supervision.services import supervision_relight_unit, supervision_relight_year


@shared_task
def supervision_relight_unit_task(unit_id: int) -> int:
    return supervision_relight_unit(unit_id=unit_id)


@shared_task
def supervision_relight_year_task(year: int) -> int:
    return supervision_relight_year(year=year)
