"""Thin Celery tasks: the morning run (beat, 08:30 Asia/Shanghai)."""

import datetime

from celery import shared_task

from apps.notifications.services import notifications_daily_run


@shared_task
def notifications_daily_task(today: str | None = None) -> dict[str, int]:
    """Run by beat every morning; `today` (ISO date) lets an operator replay a missed day."""
    run = notifications_daily_run(today=datetime.date.fromisoformat(today) if today else None)
    return {"notifications": run.notifications, "digests": run.digests}
