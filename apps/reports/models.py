"""Frozen report snapshots for one period and one scope unit, and which units receive them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.jobs import BackgroundJob, lease_run_out_q
from apps.org.scope import in_reach_of
from apps.reports.periods import Period, ReportKind

if TYPE_CHECKING:
    from apps.accounts.models import User

# Who may read reports: staff who produce them and leaders, in the report's unit or above.
REPORT_READER_ROLES = (Role.REPORTING_STAFF, Role.LEADER, Role.SYSTEM_ADMIN)
REPORT_PRODUCER_ROLES = (Role.REPORTING_STAFF, Role.SYSTEM_ADMIN)


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being produced")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class ReportFailure(models.TextChoices):
    """Why a report could not be produced, in words the reader can act on (the technical error is kept apart)."""

    FIGURES = "figures", _("The figures could not be computed from the items.")
    FILES = "files", _("The report files could not be written or stored.")
    FONT = "font", _("The Chinese font the PDF embeds is not installed on the server.")


# Who holds a report while it is waiting or being produced: the queue (or the background thread) it was
# sent to, then the worker that claimed it. Each holds it for a lease; when the lease runs out with no
# word from them, the report was left behind (see Report.is_stalled).
HELD_STATUSES = (ReportStatus.PENDING, ReportStatus.RUNNING)


def stalled_q() -> models.Q:
    """Waiting or being produced, but the lease of whoever held it has run out (see Report.is_stalled)."""
    return lease_run_out_q(HELD_STATUSES)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReportQuerySet:
        """Reports of the user's unit and the units below it, for report readers only."""
        if not user.is_authenticated or not user.has_role(*REPORT_READER_ROLES):
            return self.none()
        return in_reach_of(self, user, "unit__path")


def report_folder(report: Report) -> str:
    """The storage folder holding every file ever written for this report."""
    return f"reports/{report.kind}/{report.period_start:%Y}/{report.pk}"


def report_file_path(instance: Report, filename: str) -> str:
    return f"{report_folder(instance)}/{filename}"


class Report(BackgroundJob):
    """One report: kind, period and scope unit; its figures are frozen in `data` at generation."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    failure = models.CharField(_("failure"), max_length=20, choices=ReportFailure.choices, blank=True)
    # The lease is also set when the report is sent to the queue (or the background thread): one that no
    # worker picked up in time is left behind just like one whose worker stopped.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Empty for scheduled reports."),
    )
    data = models.JSONField(_("figures"), null=True, blank=True, editable=False)
    xlsx_file = models.FileField(_("XLSX file"), upload_to=report_file_path, max_length=255, blank=True)
    csv_file = models.FileField(_("CSV file"), upload_to=report_file_path, max_length=255, blank=True)
    pdf_file = models.FileField(_("PDF file"), upload_to=report_file_path, max_length=255, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "kind", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "unit"], name="unique_report_per_period_and_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.period_start}–{self.period_end}"

    @property
    def period(self) -> Period:
        return Period(self.kind, self.period_start, self.period_end)

    @property
    def is_complete(self) -> bool:
        return self.status == ReportStatus.COMPLETE

    @property
    def generated_at(self) -> datetime.datetime | None:
        """When the figures were frozen: the end of the run that completed the report."""
        return self.finished_at if self.is_complete else None

    @property
    def is_stalled(self) -> bool:
        """Left behind: its worker stopped (killed, or the server reloaded) or it was never picked up in time."""
        # A row without a lease (from before leases were recorded, or never sent) has no one holding it.
        return self.status in HELD_STATUSES and (
            self.lease_expires_at is None or self.lease_expires_at <= timezone.now()
        )

    @property
    def failure_message(self) -> str:
        """Why the report failed, in the active language."""
        if self.failure:
            return str(self.get_failure_display())
        return str(_("The report could not be produced."))

    def file_stem(self) -> str:
        """e.g. 五华区_周报_2021-06-07_2021-06-13 — the name offices file reports under."""
        return f"{self.unit.name}_{KIND_SHORT_NAMES[self.kind]}_{self.period_start}_{self.period_end}"


# File names stay in Chinese whatever the reader's language, as offices archive them.
KIND_SHORT_NAMES = {ReportKind.WEEKLY: "周报", ReportKind.HALF_MONTHLY: "半月报", ReportKind.MONTHLY: "月报"}


class ReportRecipient(models.Model):
    """Overrides which units receive scheduled reports; by default every unit of the top two levels does."""

    unit = models.OneToOneField("org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    receives_reports = models.BooleanField(_("receives scheduled reports"), default=True)

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")

    def __str__(self) -> str:
        return str(self.unit)
