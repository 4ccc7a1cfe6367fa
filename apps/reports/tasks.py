"""Thin Celery tasks: they take ids or names and call the report services."""

import datetime

from celery import shared_task
from django.conf import settings

from apps.reports.services import GenerationOutcome, report_generate, reports_resend_stalled, reports_schedule


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def report_generate_task(self, report_id: int) -> str:
    outcome = report_generate(report_id=report_id)
    if outcome is GenerationOutcome.BUSY:
        raise self.retry(countdown=settings.JOB_LEASE_SECONDS)
    return outcome.value


@shared_task
def reports_schedule_task(kind: str, today: str | None = None) -> list[int]:
    """Run by beat; `today` (ISO date) lets an operator replay a missed day."""
    day = datetime.date.fromisoformat(today) if today else None
    return [report.pk for report in reports_schedule(kind=kind, today=day)]


@shared_task
def reports_resend_stalled_task() -> list[int]:
    """Run by beat every JOB_SWEEP_SECONDS: send again the reports whose worker stopped before finishing them."""
    return [report.pk for report in reports_resend_stalled()]
