"""Shared model bases."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """A row that knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """When a worker last ran beat's heartbeat task: one row, the health endpoint's sign that the workers take work."""

    beat_at = models.DateTimeField(_("last heartbeat"))
    worker = models.CharField(_("worker"), max_length=255, blank=True, help_text=_("The worker that ran it."))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} {self.beat_at:%Y-%m-%d %H:%M:%S}"
