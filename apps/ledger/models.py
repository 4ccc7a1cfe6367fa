"""Ledger import jobs and big export jobs: what was asked, where it stands, and the files it read or wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.jobs import BackgroundJob

if TYPE_CHECKING:
    from apps.accounts.models import User


class JobStatus(models.TextChoices):
    """Where a ledger import or a big export stands; the page polls it."""

    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking the file")
    INVALID = "invalid", _("Problems found")
    VALID = "valid", _("Ready to import")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> JobQuerySet:
        """A job belongs to the person who started it."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)


def import_file_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{timezone.now():%Y%m}/{instance.requested_by_id}/{filename}"


class ImportJob(BackgroundJob):
    """One uploaded ledger (台账) for a unit: checked row by row, then written all at once or not at all."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    # The rows as the check read them (JSON, gzipped): importing after the preview need not parse the file again.
    rows_read = models.FileField(_("rows as read"), upload_to=import_file_path, max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True, help_text=_("Row, column and message."))
    problem_count = models.PositiveIntegerField(_("number of problems"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    preview = models.JSONField(
        _("preview"), default=list, blank=True, help_text=_("The first rows the import creates or changes.")
    )
    item_ids = models.JSONField(
        _("imported items"), default=list, blank=True, help_text=_("The items the import created or changed.")
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        db_table = "items_importjob"  # created by the items app before the ledger had an app of its own
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.original_name}"


def export_file_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{timezone.now():%Y%m}/{instance.requested_by_id}/{filename}"


class ExportJob(BackgroundJob):
    """An export too big for the request: written by the worker, then downloaded from its page."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    file_format = models.CharField(_("format"), max_length=10)
    mine = models.BooleanField(_("my items only"), default=False)
    query = models.TextField(_("filters"), blank=True, help_text=_("The list page's query string."))
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=255, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        db_table = "items_exportjob"  # created by the items app before the ledger had an app of its own
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.requested_by} {self.file_format} {self.created_at:%Y-%m-%d %H:%M}"
