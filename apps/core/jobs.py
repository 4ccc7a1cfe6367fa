"""Background jobs: work that a worker does once, however often its task is delivered.

A worker takes a job with a conditional update that sets a fresh claim token and a lease. Every later
write of that worker goes through its claim (`JobClaim.held`), which names the token, so a worker whose
lease ran out and whose job was taken over by another changes nothing. The worker pushes the lease on
as it reports progress, and from a thread of its own while it works (`JobClaim.kept_alive`), so the
lease (JOB_LEASE_SECONDS) can be short: it runs out only when the worker is gone, and beat's sweep of each
app (every JOB_SWEEP_SECONDS) sends the job again. Reports, ledger imports and big exports are such jobs
(healthchecks' `sendreports` claims alike).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.exports import ProgressCallback
from apps.core.models import TimeStampedModel

logger = logging.getLogger(__name__)


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


def job_lease() -> datetime.timedelta:
    """How long a worker holds a job without word from it before another may take the job over."""
    return datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


def job_queue_wait() -> datetime.timedelta:
    """How long a job sent to the workers may wait in the queue before its message is taken for lost."""
    return datetime.timedelta(seconds=settings.JOB_QUEUE_WAIT_SECONDS)


def lease_run_out_q(statuses: Iterable[str]) -> Q:
    """Held (in one of `statuses`) by someone whose lease has run out, or who never had one."""
    return Q(status__in=list(statuses)) & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=timezone.now()))


def waiting_too_long_q(status: str) -> Q:
    """Waiting in `status` for a worker longer than the queue may keep it: since it was sent again (its lease is
    the queue's then, see `job_hand_back`), or, never sent again, since it was created."""
    now = timezone.now()
    return Q(status=status) & (
        Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True, created_at__lte=now - job_queue_wait())
    )


def job_hand_back(queryset: QuerySet, *, to: str, **reset: Any) -> list[int]:
    """Put the jobs of `queryset` in the queue's hands (status `to`, waiting), as they are sent to the workers
    (again); which they were. `reset` names the model's own fields to clear.

    The queue holds them for JOB_QUEUE_WAIT_SECONDS: until then the sweep leaves them alone, so a job is not
    sent again at every sweep while no worker runs. A conditional update: a job claimed meanwhile stays as it is.
    """
    with transaction.atomic():
        ids = list(queryset.select_for_update().order_by("pk").values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(status=to, lease_expires_at=timezone.now() + job_queue_wait(), **reset)
    return ids


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

    @contextlib.contextmanager
    def kept_alive(self) -> Iterator[None]:
        """Push the lease on every third of a lease, from a thread of its own, while the block runs.

        One step of a job (a big PDF, a COPY, the import's transaction) may take longer than a lease; the
        lease must still run out only when the worker is gone, not while it works. The thread writes only
        the lease, only while the claim holds, and stops when the block ends. Wrap the whole run, so that a
        transaction that locks the job's row ends inside the block (the thread waits for it meanwhile).
        """
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep_alive, args=(stop,), name=f"lease-{self.model.__name__}-{self.job_id}", daemon=True
        )
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join(timeout=self.lease.total_seconds())

    def _keep_alive(self, stop: threading.Event) -> None:
        try:
            while not stop.wait(self.lease.total_seconds() / 3):
                try:
                    if not self.held().update(lease_expires_at=timezone.now() + self.lease):
                        return  # finished, or taken over: the worker's own next write finds out which
                except Exception:  # a busy database: try again at the next third of the lease
                    logger.warning(
                        "could not renew the lease of %s %s", self.model.__name__, self.job_id, exc_info=True
                    )
        finally:
            connection.close()  # this thread's own connection

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
