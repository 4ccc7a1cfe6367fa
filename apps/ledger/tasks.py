"""Thin Celery tasks for ledger imports and big exports: they take a job's id and call its service."""

from celery import shared_task

from apps.ledger.services import export_job_run, import_job_check, import_job_commit, ledger_jobs_resend_stalled


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ledger_check_task(job_id: int) -> None:
    import_job_check(job_id=job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ledger_commit_task(job_id: int) -> None:
    import_job_commit(job_id=job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def items_export_task(job_id: int) -> None:
    export_job_run(job_id=job_id)


@shared_task
def ledger_jobs_resend_stalled_task() -> dict[str, list[int]]:
    """Run by beat every JOB_SWEEP_SECONDS: send again the jobs whose worker stopped before finishing them."""
    return ledger_jobs_resend_stalled()
