"""Producing reports: asking for one, the schedule's fan-out, and the idempotent generation itself."""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.jobs import ClaimLost, JobClaim, job_claim, job_hand_back, job_lease
from apps.core.storage import storage_delete_leftovers
from apps.core.tasks import enqueue
from apps.org.models import Unit
from apps.org.scope import user_reaches
from apps.reports.models import (
    REPORT_PRODUCER_ROLES,
    Report,
    ReportFailure,
    ReportRecipient,
    ReportStatus,
    report_folder,
    stalled_q,
)
from apps.reports.periods import Period, ReportKind, period_containing, period_due_on, previous_period
from apps.reports.renderers import RENDERERS, ReportFontMissing
from apps.reports.snapshot import snapshot_build

logger = logging.getLogger(__name__)

# The top two levels of the tree receive scheduled reports unless a ReportRecipient row says otherwise.
DEFAULT_RECIPIENT_DEPTH = 2


class GenerationOutcome(enum.Enum):
    GENERATED = "generated"
    ALREADY_COMPLETE = "already_complete"
    BUSY = "busy"  # another worker holds it; try again after the lease
    TAKEN_OVER = "taken_over"  # this worker's lease ran out and another took the report over: stop quietly


def report_recipients() -> list[Unit]:
    """The units that receive scheduled reports."""
    overrides = dict(ReportRecipient.objects.values_list("unit_id", "receives_reports"))
    by_default = Unit.objects.filter(depth__lt=DEFAULT_RECIPIENT_DEPTH).exclude(
        pk__in=[pk for pk, receives in overrides.items() if not receives]
    )
    chosen = Unit.objects.filter(pk__in=[pk for pk, receives in overrides.items() if receives])
    return list((by_default | chosen).distinct().order_by("path"))


def _report_for(*, kind: str, period: Period, unit: Unit, by: User | None) -> tuple[Report, bool]:
    """The report row of (kind, period, unit), created if missing; safe against a concurrent creator."""
    try:
        with transaction.atomic():
            return Report.objects.get_or_create(
                kind=kind,
                period_start=period.start,
                unit=unit,
                defaults={"period_end": period.end, "requested_by": by},
            )
    except IntegrityError:
        return Report.objects.get(kind=kind, period_start=period.start, unit=unit), False


def report_production_refusal(*, user: User, unit: Unit) -> str | None:
    """Why `user` may not produce reports of `unit`, or None when they may."""
    if not user.is_authenticated or not user.has_role(*REPORT_PRODUCER_ROLES):
        return _("Only reporting staff can produce reports.")
    if not user_reaches(user, unit):
        return _("You can only produce reports for your own unit or units below it.")
    return None


def _send(report: Report) -> None:
    """Send the report to be produced: it waits, held by the queue (JOB_QUEUE_WAIT_SECONDS), until a worker claims it.

    A failed report, or one left behind, waits again (so its page follows it again); one a worker is
    producing right now is left to that worker, and a complete one is never touched.
    """
    from apps.reports.tasks import report_generate_task

    job_hand_back(Report.objects.filter(_claimable(), pk=report.pk), to=ReportStatus.PENDING, error="", failure="")
    enqueue(report_generate_task, report.pk)


@transaction.atomic
def report_request(*, kind: str, day: datetime.date, unit: Unit, by: User) -> Report:
    """Staff ask for the report of the period containing `day`; it is produced in the background.

    Asking again sends a failed report, or one whose worker stopped (its lease ran out), to be produced
    again; a complete report is never produced again.
    """
    refusal = report_production_refusal(user=by, unit=unit)
    if refusal:
        raise ServicePermissionError(refusal)
    if kind not in ReportKind.values:
        raise ServiceError(_("Unknown report kind."), field="kind")
    period = period_containing(kind, day)
    if period.end >= timezone.localdate():
        raise ServiceError(
            _("The period %(start)s to %(end)s has not ended yet; reports cover finished periods.")
            % {"start": period.start, "end": period.end},
            field="day",
        )
    report, _created = _report_for(kind=kind, period=period, unit=unit, by=by)
    if report.status in (ReportStatus.PENDING, ReportStatus.FAILED) or report.is_stalled:
        _send(report)
        report.refresh_from_db()
    return report


def _reports_for_recipients(*, kind: str, period: Period) -> list[Report]:
    return [_report_for(kind=kind, period=period, unit=unit, by=None)[0] for unit in report_recipients()]


def reports_schedule(*, kind: str, today: datetime.date | None = None) -> list[Report]:
    """Create the due report of `kind` for every recipient unit and send each to be generated."""
    with transaction.atomic():
        reports = _reports_for_recipients(kind=kind, period=period_due_on(kind, today or timezone.localdate()))
        for report in reports:
            if report.status != ReportStatus.COMPLETE:
                _send(report)
    return reports


@transaction.atomic
def reports_resend_stalled() -> list[Report]:
    """Send again every report left behind: its worker stopped before finishing (its lease ran out), or it was
    never picked up (its message or its background thread was lost, e.g. in a server reload) in the time the
    queue may keep it waiting. Beat runs it every JOB_SWEEP_SECONDS.

    Sending one twice is harmless: the claim lets a single worker produce it.
    """
    reports = list(Report.objects.filter(stalled_q()).order_by("pk"))
    for report in reports:
        _send(report)
    return reports


def reports_produce(*, kind: str, period: Period) -> list[Report]:
    """Create and generate, here and now, the reports of `period` for every recipient unit (demo, backfill)."""
    reports = _reports_for_recipients(kind=kind, period=period)
    for report in reports:
        report_generate(report_id=report.pk)
    return reports


def _claimable() -> Q:
    """Waiting, failed, or being produced by a worker whose lease has run out; never complete."""
    return Q(status__in=[ReportStatus.PENDING, ReportStatus.FAILED]) | stalled_q()


def _claim(report_id: int) -> JobClaim | None:
    """Take the report for generation; a conditional update, so only one worker wins, with a fresh token."""
    return job_claim(
        Report, report_id, into=ReportStatus.RUNNING, claimable=_claimable(), lease=job_lease(), failure=""
    )


def _files_under(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from _files_under(storage, f"{folder}/{name}")


def report_generate(*, report_id: int) -> GenerationOutcome:
    """Compute, render and store one report exactly once, whatever retries, duplicates or take-overs happen."""
    claim = _claim(report_id)
    if claim is None:
        status = Report.objects.filter(pk=report_id).values_list("status", flat=True).first()
        if status == ReportStatus.COMPLETE:
            return GenerationOutcome.ALREADY_COMPLETE
        return GenerationOutcome.BUSY
    report = claim.held().select_related("unit").first()
    if report is None:  # taken over between the claim and this read
        return GenerationOutcome.TAKEN_OVER
    with claim.kept_alive():
        return _produce(report, claim)


def _produce(report: Report, claim: JobClaim) -> GenerationOutcome:
    """The figures, the files and the completion of a report this worker holds."""
    report_id = report.pk
    storage = Report._meta.get_field("xlsx_file").storage
    failure = ReportFailure.FIGURES
    try:
        previous = (
            Report.objects.filter(
                kind=report.kind,
                unit=report.unit,
                period_start=previous_period(report.period).start,
                status=ReportStatus.COMPLETE,
            )
            .values_list("data", flat=True)
            .first()
        )
        data = snapshot_build(
            unit=report.unit,
            period=report.period,
            previous_data=previous,
            on_progress=claim.renew,
        )
        failure = ReportFailure.FILES
        files = {}
        for step, (extension, render) in enumerate(RENDERERS.items()):
            files[extension] = render(data)
            claim.renew(60 + 12 * step)
        _store(report, claim, storage=storage, data=data, files=files)
    except ClaimLost:
        storage_delete_leftovers(storage, claim.written)
        logger.info("report %s was taken over by another worker; this one stops", report_id)
        return GenerationOutcome.TAKEN_OVER
    except Exception as error:
        storage_delete_leftovers(storage, claim.written)
        if isinstance(error, ReportFontMissing):
            failure = ReportFailure.FONT
        recorded = claim.held().update(
            status=ReportStatus.FAILED, error=f"{type(error).__name__}: {error}", failure=failure
        )
        if not recorded:
            # The report is another worker's now (and may be complete): this failure is no longer its story.
            logger.info("report %s failed after it was taken over; this one stops: %s", report_id, error)
            return GenerationOutcome.TAKEN_OVER
        logger.exception("report %s failed", report_id)
        raise
    return GenerationOutcome.GENERATED


def _store(report: Report, claim: JobClaim, *, storage: Storage, data: dict, files: dict[str, bytes]) -> None:
    """Write the files in this attempt's own folder, then mark complete with them only if the claim still holds.

    A worker that was taken over may still be writing: it writes in a folder of its own, so it never touches
    the files of the report; they change only with the conditional update that completes it.
    """
    stem = report.file_stem()
    # Each claim counts one more attempt, so the attempt number names a folder no other worker writes in.
    folder = f"{report_folder(report)}/attempt-{report.attempts}"
    names = {}
    for extension, content in files.items():
        wanted = f"{folder}/{stem}.{extension}"
        if storage.exists(wanted):
            storage.delete(wanted)
        names[extension] = storage.save(wanted, ContentFile(content))
        claim.written.append(names[extension])
    if not claim.finish(
        data=data,
        xlsx_file=names["xlsx"],
        csv_file=names["csv"],
        pdf_file=names["pdf"],
        status=ReportStatus.COMPLETE,
        progress=100,
    ):
        raise ClaimLost
    # Complete, so no worker can claim it again: what is left in the folder is the leftovers of
    # attempts that failed or were killed mid-way.
    kept = set(names.values())
    storage_delete_leftovers(
        storage, [name for name in _files_under(storage, report_folder(report)) if name not in kept]
    )
