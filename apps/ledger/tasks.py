"""Thin Celery tasks for ledger imports and big exports: they take a job's id and call its service."""

from celery import shared_task

from apps.ledger.services import export_job_run, import_job_check, import_job_commit


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ledger_check_task(job_id: int) -> None:
    import_job_check(job_id=job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ledger_commit_task(job_id: int) -> None:
    import_job_commit(job_id=job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def items_export_task(job_id: int) -> None:
    export_job_run(job_id=job_id)
