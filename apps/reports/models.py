"""Frozen report snapshots for one period and one scope unit, and which units receive them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.models import TimeStampedModel
from apps.org.models import subtree_q
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


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReportQuerySet:
        """Reports of the user's unit and the units below it, for report readers only."""
        if not user.is_authenticated or not user.has_role(*REPORT_READER_ROLES):
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.unit_id is None:
            return self.none()
        return self.filter(subtree_q(user.unit.path, "unit__path"))


def report_file_path(instance: Report, filename: str) -> str:
    return f"reports/{instance.kind}/{instance.period_start:%Y}/{instance.pk}/{filename}"


class Report(TimeStampedModel):
    """One report: kind, period and scope unit; its figures are frozen in `data` at generation."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
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
