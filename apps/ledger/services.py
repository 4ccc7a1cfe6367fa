"""Ledger imports and big exports as jobs: started from a page, run now or by the worker, followed by the page.

A job runs once however often its task is delivered: a worker claims it with a conditional update, a
second claim finds it taken or finished, and a job left running by a killed worker is taken over once
its lease runs out (the report generation's pattern).
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.exports import ProgressCallback
from apps.core.jobs import (
    ClaimLost,
    JobClaim,
    job_claim,
    job_hand_back,
    job_lease,
    lease_run_out_q,
    waiting_too_long_q,
)
from apps.core.storage import storage_delete_leftovers
from apps.core.tasks import enqueue
from apps.items.rules import user_can_import_items
from apps.items.selectors import item_filterset
from apps.ledger.checking import LedgerCheck, ledger_check, ledger_commit
from apps.ledger.exports import EXPORT_FORMATS, export_items_xlsx, write_items_csv
from apps.ledger.models import ExportJob, ImportJob, JobStatus
from apps.ledger.reading import (
    LedgerFileError,
    LedgerProblem,
    ledger_count_rows,
    ledger_read,
    ledger_rows_dump,
    ledger_rows_load,
)
from apps.org.models import Unit
from apps.org.scope import user_reaches

logger = logging.getLogger(__name__)

LEDGER_EXTENSIONS = (".xlsx", ".csv")
PROBLEMS_KEPT = 1000  # a file wrong in every row still gets a readable preview


def _claim(model: type[ImportJob | ExportJob], job_id: int, *, into: str, claimable: set[str]) -> JobClaim | None:
    """Take the job for one run, or None when someone else has it; a run whose lease ran out is taken over."""
    return job_claim(
        model, job_id, into=into, claimable=Q(status__in=claimable) | lease_run_out_q([into]), lease=job_lease()
    )


# --- ledger imports ------------------------------------------------------------------------------------


def import_job_create(*, by: User, unit: Unit, upload: UploadedFile) -> ImportJob:
    """Keep an uploaded ledger for `unit`; it is checked next, now or in the worker."""
    if not user_can_import_items(by):
        raise ServicePermissionError(_("Only unit administrators can import ledgers."))
    if not user_reaches(by, unit):
        raise ServicePermissionError(
            _("“%(unit)s” is not your unit or a unit below it.") % {"unit": unit}, field="unit"
        )
    name = Path(upload.name or "").name
    if not name.lower().endswith(LEDGER_EXTENSIONS):
        raise ServiceError(_("Upload the ledger as an XLSX or CSV file."), field="file")
    if upload.size > settings.LEDGER_MAX_BYTES:
        raise ServiceError(
            _("The file is larger than %(size)s MB.") % {"size": settings.LEDGER_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    try:
        row_count = ledger_count_rows(upload, name, up_to=settings.LEDGER_INLINE_MAX_ROWS)
    except LedgerFileError as error:  # a zip bomb: refused here, in the web process, before anything unpacks it
        raise ServiceError(str(error), field="file") from error
    upload.seek(0)
    return ImportJob.objects.create(unit=unit, requested_by=by, file=upload, original_name=name, row_count=row_count)


def _unexpected_failure() -> str:
    """What the job's page says of a failure that is the portal's fault: the details go to the log, not the user."""
    return _(
        "Something went wrong in the portal; the details were recorded for its administrators. Please try again later."
    )


def _runs_in_background(row_count: int) -> bool:
    return row_count > settings.LEDGER_INLINE_MAX_ROWS


def import_job_request_check(*, job: ImportJob) -> None:
    """Check the file now when it is small, else send it to the worker (the page follows its progress)."""
    if _runs_in_background(job.row_count):
        from apps.ledger.tasks import ledger_check_task

        enqueue(ledger_check_task, job.pk)
    else:
        import_job_check(job_id=job.pk)


def import_job_request_commit(*, job: ImportJob, by: User) -> None:
    """Import a checked ledger: now when it is small, else in the worker."""
    if job.requested_by_id != by.pk:
        raise ServicePermissionError(_("Only the person who uploaded a ledger can import it."))
    if job.status not in {JobStatus.VALID, JobStatus.FAILED}:
        raise ServiceError(
            _("This ledger cannot be imported in its present state (%(status)s).")
            % {"status": job.get_status_display()}
        )
    if _runs_in_background(job.row_count):
        from apps.ledger.tasks import ledger_commit_task

        enqueue(ledger_commit_task, job.pk)
    else:
        import_job_commit(job_id=job.pk)


def _read_and_check(
    job: ImportJob, on_progress: ProgressCallback, *, keep_rows: bool = False
) -> tuple[LedgerCheck, list[LedgerProblem]]:
    """Check the job's rows: as read before when the preview kept them, else read from the file now."""
    if job.rows_read and not keep_rows:
        with job.rows_read.open("rb") as kept:
            rows, problems = ledger_rows_load(kept.read()), []
    else:
        with job.file.open("rb") as source:
            rows, problems = ledger_read(source, job.original_name)
        if keep_rows and not problems:
            if job.rows_read:
                job.rows_read.delete(save=False)
            job.rows_read.save(f"{job.original_name}.rows.json.gz", ContentFile(ledger_rows_dump(rows)), save=False)
            ImportJob.objects.filter(pk=job.pk).update(rows_read=job.rows_read.name)
    on_progress(10)
    check = ledger_check(
        rows=rows,
        unit=job.unit,
        by=job.requested_by,
        on_progress=lambda percent: on_progress(10 + percent * 9 // 10),
        warn=keep_rows,  # the preview's check notes likely duplicates; the one before writing need not again
    )
    check.problems[:0] = problems
    return check, check.problems


def _problems_field(problems: list[LedgerProblem]) -> dict:
    errors = [problem for problem in problems if not problem.warning]
    warnings = [problem for problem in problems if problem.warning]
    kept = (errors + warnings)[:PROBLEMS_KEPT]
    kept.sort(key=lambda problem: (problem.sheet, problem.row))
    return {"problems": [problem.as_dict() for problem in kept], "problem_count": len(errors)}


def import_job_check(*, job_id: int) -> None:
    """Read and check every row of the job's file and keep the outcome for the preview; nothing is imported."""
    claim = _claim(
        ImportJob,
        job_id,
        into=JobStatus.VALIDATING,
        claimable={JobStatus.PENDING, JobStatus.INVALID, JobStatus.VALID, JobStatus.FAILED},
    )
    if claim is None:
        return
    with claim.kept_alive():
        _check(job_id, claim)


def _check(job_id: int, claim: JobClaim) -> None:
    job = ImportJob.objects.select_related("unit", "requested_by__unit").get(pk=job_id)
    try:
        check, problems = _read_and_check(job, claim.progress_callback(), keep_rows=True)
    except ClaimLost:
        logger.info("ledger import %s was taken over by another run; this one stops", job_id)
        return
    except LedgerFileError as error:
        claim.finish(
            status=JobStatus.INVALID,
            problems=[LedgerProblem(row=1, column="", message=str(error)).as_dict()],
            problem_count=1,
        )
        return
    except Exception:
        logger.exception("ledger import %s: the check failed", job_id)
        claim.finish(status=JobStatus.FAILED, error=_unexpected_failure())
        raise
    claim.finish(
        status=JobStatus.VALID if check.is_valid else JobStatus.INVALID,
        progress=100,
        row_count=check.row_count,
        summary=check.summary(),
        preview=check.preview(),
        **_problems_field(problems),
    )


def import_job_commit(*, job_id: int) -> None:
    """Check the file again against the database as it is now, then write every row in one transaction."""
    claim = _claim(ImportJob, job_id, into=JobStatus.RUNNING, claimable={JobStatus.VALID, JobStatus.FAILED})
    if claim is None:
        return
    with claim.kept_alive():  # the import's transaction ends inside: the lease's thread waits for its row lock
        _commit(job_id, claim)


def _commit(job_id: int, claim: JobClaim) -> None:
    job = ImportJob.objects.select_related("unit", "requested_by__unit").get(pk=job_id)
    try:
        check, problems = _read_and_check(job, claim.progress_callback(high=80))
        if not check.is_valid:
            # The database changed since the preview (a person left, a number was taken): show it again.
            claim.finish(
                status=JobStatus.INVALID,
                progress=100,
                summary=check.summary(),
                preview=check.preview(),
                **_problems_field(problems),
            )
            return
        claim.renew(100)
        with transaction.atomic():
            # Only the run holding the claim writes, and it marks the job done in the same transaction.
            if not claim.held().select_for_update().exists():
                return
            summary = ledger_commit(
                check=check,
                by=job.requested_by,
                reason=_("Imported from the ledger %(file)s") % {"file": job.original_name},
            )
            claim.finish(
                status=JobStatus.DONE,
                progress=100,
                summary=summary,
                preview=check.preview(),
                item_ids=check.item_ids(),
                row_count=check.row_count,
                **_problems_field(problems),
            )
    except ClaimLost:
        logger.info("ledger import %s was taken over by another run; this one stops", job_id)
    except ServiceError as error:
        claim.finish(status=JobStatus.FAILED, error=error.message)
    except IntegrityError:
        # Someone numbered items of the same unit at the same moment; the transaction left nothing behind.
        claim.finish(
            status=JobStatus.FAILED,
            error=_("Items of these units were numbered at the same moment; nothing was imported. Please try again."),
        )
    except Exception:
        logger.exception("ledger import %s: writing failed", job_id)
        claim.finish(status=JobStatus.FAILED, error=_unexpected_failure())
        raise


# --- jobs left behind ----------------------------------------------------------------------------------


def ledger_jobs_resend_stalled() -> dict[str, list[int]]:
    """Send again the checks, imports and exports whose worker stopped before finishing (its lease ran out), or
    whose message was lost (waiting longer than the queue may keep it). Beat runs it every JOB_SWEEP_SECONDS.

    Sending one twice is harmless: the claim lets a single run do it. A check or an export goes back to waiting,
    so the next sweeps leave it to the queue for a while; an import left behind stays "being written" (its page
    keeps following it) and is sent at each sweep until a worker takes it over.
    """
    from apps.ledger.tasks import items_export_task, ledger_check_task, ledger_commit_task

    waiting = JobStatus.PENDING
    checks = job_hand_back(
        ImportJob.objects.filter(lease_run_out_q([JobStatus.VALIDATING]) | waiting_too_long_q(waiting)), to=waiting
    )
    imports = list(ImportJob.objects.filter(lease_run_out_q([JobStatus.RUNNING])).values_list("pk", flat=True))
    exports = job_hand_back(
        ExportJob.objects.filter(lease_run_out_q([JobStatus.RUNNING]) | waiting_too_long_q(waiting)), to=waiting
    )
    for task, job_ids in ((ledger_check_task, checks), (ledger_commit_task, imports), (items_export_task, exports)):
        for job_id in job_ids:
            enqueue(task, job_id)
    return {"checks": checks, "imports": imports, "exports": exports}


# --- exports -------------------------------------------------------------------------------------------


def export_file_stem(*, mine: bool, day: datetime.date | None = None) -> str:
    """e.g. 事项台账_2021-06-30: offices file exports under Chinese names whatever the reader's language."""
    return f"{'我的事项' if mine else '事项台账'}_{day or timezone.localdate():%Y-%m-%d}"


def export_job_create(*, by: User, file_format: str, query: str, mine: bool) -> ExportJob:
    """Ask the worker for an export of the list the user sees with these filters."""
    if file_format not in EXPORT_FORMATS:
        raise ServiceError(_("Unknown export format."))
    job = ExportJob.objects.create(requested_by=by, file_format=file_format, query=query, mine=mine)
    from apps.ledger.tasks import items_export_task

    enqueue(items_export_task, job.pk)
    return job


def export_job_run(*, job_id: int) -> None:
    """Write the export file of a job: the list as its owner sees it now, through the same filters."""
    claim = _claim(ExportJob, job_id, into=JobStatus.RUNNING, claimable={JobStatus.PENDING, JobStatus.FAILED})
    if claim is None:
        return
    with claim.kept_alive():  # a COPY reports no progress until it is over
        _export(job_id, claim)


def _export(job_id: int, claim: JobClaim) -> None:
    job = ExportJob.objects.select_related("requested_by__unit").get(pk=job_id)
    try:
        queryset = item_filterset(user=job.requested_by, data=QueryDict(job.query), mine=job.mine).qs
        total = queryset.count()
        on_progress = claim.progress_callback(high=99)

        def rows_done(count: int) -> None:
            on_progress(count * 100 // max(total, 1))

        name = f"{export_file_stem(mine=job.mine)}.{job.file_format}"
        with tempfile.TemporaryFile() as spool:
            if job.file_format == "csv":
                write_items_csv(queryset, spool, on_progress=rows_done)
            else:
                export_items_xlsx(queryset, spool, on_progress=rows_done)
            spool.seek(0)
            job.file.save(name, File(spool, name=name), save=False)
        claim.written.append(job.file.name)
        if not claim.finish(status=JobStatus.DONE, progress=100, row_count=total, file=job.file.name):
            raise ClaimLost
    except ClaimLost:
        # Another run took the job over; its file is the one kept.
        storage_delete_leftovers(ExportJob._meta.get_field("file").storage, claim.written)
        logger.info("export %s was taken over by another run; this one stops", job_id)
    except Exception:
        logger.exception("export %s failed", job_id)
        storage_delete_leftovers(ExportJob._meta.get_field("file").storage, claim.written)
        claim.finish(status=JobStatus.FAILED, error=_unexpected_failure())
        raise
