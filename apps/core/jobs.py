"""Background jobs: work that a worker does once, however often its task is delivered.

A worker takes a job with a conditional update that sets a fresh claim token and a lease. Every later
write of that worker goes through its claim (`JobClaim.held`), which names the token, so a worker whose
lease ran out and whose job was taken over by another changes nothing. The worker pushes the lease on
as it reports progress; a job whose lease has run out with no word from its worker may be taken again.
Reports, ledger imports and big exports are such jobs (healthchecks' `sendreports` claims alike).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.exports import ProgressCallback
from apps.core.models import TimeStampedModel


class BackgroundJob(TimeStampedModel):
    """What every job keeps besides its own status and results: progress, attempts, the claim and its lease."""

    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The worker holding the job: the claim sets a fresh token, and every later write of that worker names it.
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    # Until when the holder is trusted to be alive; it pushes this on as it goes.
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)

    class Meta:
        abstract = True


def lease_run_out_q(statuses: Iterable[str]) -> Q:
    """Held (in one of `statuses`) by someone whose lease has run out, or who never had one."""
    return Q(status__in=list(statuses)) & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=timezone.now()))


class ClaimLost(Exception):
    """Another worker took the job over after this one's lease ran out: this one must stop and write nothing."""


@dataclass
class JobClaim:
    """One worker's hold on one job: the token its writes name, and the files it has written so far."""

    model: type[BackgroundJob]
    job_id: int
    token: uuid.UUID
    status: str
    lease: datetime.timedelta
    written: list[str] = field(default_factory=list)

    def held(self) -> QuerySet:
        """The job, only while this worker still holds it: every write of a worker goes through here."""
        return self.model.objects.filter(pk=self.job_id, status=self.status, claim_token=self.token)

    def renew(self, progress: int) -> None:
        """Record progress and push the lease on; raise ClaimLost when another worker has the job now."""
        if not self.held().update(progress=progress, lease_expires_at=timezone.now() + self.lease):
            raise ClaimLost

    def finish(self, **fields: Any) -> bool:
        """Write the outcome and let go of the job, only if this worker still holds it; whether it did."""
        return bool(self.held().update(finished_at=timezone.now(), lease_expires_at=None, **fields))

    def progress_callback(self, low: int = 0, high: int = 100) -> ProgressCallback:
        """Progress on a scale of low–high, written (and the lease renewed) only when the percent changes."""
        last = [-1]

        def on_progress(percent: int) -> None:
            scaled = low + (high - low) * min(max(percent, 0), 100) // 100
            if scaled != last[0]:
                last[0] = scaled
                self.renew(scaled)

        return on_progress


def job_claim(
    model: type[BackgroundJob],
    job_id: int,
    *,
    into: str,
    claimable: Q,
    lease: datetime.timedelta,
    **reset: Any,
) -> JobClaim | None:
    """Take the job for one run (status `into`), or None when it is not `claimable` (another has it, or it is done).

    A conditional update, so of two workers claiming at once exactly one wins; each claim counts an attempt.
    `reset` names the model's own fields to clear for the new run.
    """
    token = uuid.uuid4()
    now = timezone.now()
    claimed = model.objects.filter(claimable, pk=job_id).update(
        status=into,
        claim_token=token,
        started_at=now,
        finished_at=None,
        lease_expires_at=now + lease,
        attempts=F("attempts") + 1,
        progress=0,
        error="",
        **reset,
    )
    return JobClaim(model, job_id, token, into, lease) if claimed else None


def job_status_response(job: Any, *, finished: bool, error: str) -> JsonResponse:
    """What a job's page polls: its status (code and label), progress, whether anything more will happen."""
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "progress": job.progress,
            "finished": finished,
            "error": error,
        }
    )
