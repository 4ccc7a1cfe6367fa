"""Producing reports: asking for one, the schedule's fan-out, and the idempotent generation itself."""

from __future__ import annotations

import datetime
import enum
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.core.tasks import enqueue
from apps.org.models import Unit
from apps.reports.models import REPORT_PRODUCER_ROLES, Report, ReportRecipient, ReportStatus
from apps.reports.periods import Period, ReportKind, period_containing, period_due_on, previous_period
from apps.reports.renderers import RENDERERS
from apps.reports.snapshot import snapshot_build

logger = logging.getLogger(__name__)

# The top two levels of the tree receive scheduled reports unless a ReportRecipient row says otherwise.
DEFAULT_RECIPIENT_DEPTH = 2


class GenerationOutcome(enum.Enum):
    GENERATED = "generated"
    ALREADY_COMPLETE = "already_complete"
    BUSY = "busy"  # another worker holds it; try again after the lease


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


@transaction.atomic
def report_request(*, kind: str, day: datetime.date, unit: Unit, by: User) -> Report:
    """Staff ask for the report of the period containing `day`; it is produced in the background."""
    if not by.has_role(*REPORT_PRODUCER_ROLES):
        raise ServicePermissionError(_("Only reporting staff can produce reports."))
    if not by.sees_everything and (by.unit is None or not unit.is_within(by.unit)):
        raise ServicePermissionError(_("You can only produce reports for your own unit or units below it."))
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
    if report.status == ReportStatus.FAILED:
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.PENDING, error="")
        report.refresh_from_db()
    if report.status == ReportStatus.PENDING:
        from apps.reports.tasks import report_generate_task

        enqueue(report_generate_task, report.pk)
    return report


def _reports_for_recipients(*, kind: str, period: Period) -> list[Report]:
    return [_report_for(kind=kind, period=period, unit=unit, by=None)[0] for unit in report_recipients()]


def reports_schedule(*, kind: str, today: datetime.date | None = None) -> list[Report]:
    """Create the due report of `kind` for every recipient unit and send each to be generated."""
    from apps.reports.tasks import report_generate_task

    with transaction.atomic():
        reports = _reports_for_recipients(kind=kind, period=period_due_on(kind, today or timezone.localdate()))
        for report in reports:
            if report.status != ReportStatus.COMPLETE:
                enqueue(report_generate_task, report.pk)
    return reports


def reports_produce(*, kind: str, period: Period) -> list[Report]:
    """Create and generate, here and now, the reports of `period` for every recipient unit (demo, backfill)."""
    reports = _reports_for_recipients(kind=kind, period=period)
    for report in reports:
        report_generate(report_id=report.pk)
    return reports


def _claim(report_id: int) -> bool:
    """Take the report for generation; a conditional update, so only one worker wins."""
    lease_expired = timezone.now() - datetime.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    claimable = Q(status__in=[ReportStatus.PENDING, ReportStatus.FAILED]) | Q(
        status=ReportStatus.RUNNING, started_at__lt=lease_expired
    )
    return bool(
        Report.objects.filter(claimable, pk=report_id).update(
            status=ReportStatus.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            progress=0,
            error="",
        )
    )


def _set_progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(progress=percent)


def report_generate(*, report_id: int) -> GenerationOutcome:
    """Compute, render and store one report exactly once, whatever retries or duplicates happen."""
    if not _claim(report_id):
        status = Report.objects.filter(pk=report_id).values_list("status", flat=True).first()
        if status == ReportStatus.COMPLETE:
            return GenerationOutcome.ALREADY_COMPLETE
        return GenerationOutcome.BUSY
    report = Report.objects.select_related("unit").get(pk=report_id)
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
            on_progress=lambda percent: _set_progress(report_id, percent),
        )
        files = {}
        for step, (extension, render) in enumerate(RENDERERS.items()):
            files[extension] = render(data)
            _set_progress(report_id, 60 + 12 * step)
        _store(report, data=data, files=files)
    except Exception as error:
        Report.objects.filter(pk=report_id).update(status=ReportStatus.FAILED, error=f"{type(error).__name__}: {error}")
        logger.exception("report %s failed", report_id)
        raise
    return GenerationOutcome.GENERATED


def _store(report: Report, *, data: dict, files: dict[str, bytes]) -> None:
    """Write the files under fixed names (a retry overwrites its own leftovers) and mark complete last."""
    stem = report.file_stem()
    for extension, content in files.items():
        field = getattr(report, f"{extension}_file")
        name = field.field.generate_filename(report, f"{stem}.{extension}")
        if field.storage.exists(name):
            field.storage.delete(name)
        field.save(f"{stem}.{extension}", ContentFile(content), save=False)
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
            data=data,
            xlsx_file=report.xlsx_file.name,
            csv_file=report.csv_file.name,
            pdf_file=report.pdf_file.name,
            status=ReportStatus.COMPLETE,
            progress=100,
            generated_at=timezone.now(),
        )
    if not updated:
        raise ServiceError(_("The report was taken over by another worker while it was being produced."))
