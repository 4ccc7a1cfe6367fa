"""A worker keeps its job's short lease alive while it works, however long a step takes, and only while it works."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db.models import Q
from django.utils import timezone

from apps.core.jobs import job_claim, lease_run_out_q
from apps.ledger.models import ExportJob, JobStatus

LEASE = datetime.timedelta(seconds=0.6)


def claim_export(job: ExportJob):
    """What a worker's run does first: claim the job, pending or left behind by a run whose lease ran out."""
    return job_claim(
        ExportJob,
        job.pk,
        into=JobStatus.RUNNING,
        claimable=Q(status=JobStatus.PENDING) | lease_run_out_q([JobStatus.RUNNING]),
        lease=LEASE,
    )


@pytest.mark.django_db(transaction=True)  # the lease is pushed on from a thread, with a connection of its own
def test_job_claim_kept_alive_holds_the_job_through_a_step_longer_than_several_leases(owner):
    # given: a worker holds the job
    job = ExportJob.objects.create(requested_by=owner, file_format="csv")
    claim = claim_export(job)
    assert claim is not None
    competitors = []

    # when: one step takes four leases and reports no progress, while another worker keeps trying to take over
    with claim.kept_alive():
        deadline = time.monotonic() + 4 * LEASE.total_seconds()
        while time.monotonic() < deadline:
            competitors.append(claim_export(job))
            time.sleep(LEASE.total_seconds() / 4)

    # then: no one took it over, and the lease was still running when the step ended
    job.refresh_from_db()
    assert len(competitors) >= 10
    assert competitors == [None] * len(competitors)
    assert (job.status, job.attempts, job.claim_token) == (JobStatus.RUNNING, 1, claim.token)
    assert job.lease_expires_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_job_claim_kept_alive_lets_the_lease_run_out_once_the_worker_stops(owner):
    # given: a worker held the job for a while, then stopped without finishing it (as a killed one does)
    job = ExportJob.objects.create(requested_by=owner, file_format="csv")
    claim = claim_export(job)
    with claim.kept_alive():
        time.sleep(LEASE.total_seconds())

    # when: a lease later, another worker tries
    time.sleep(LEASE.total_seconds() * 1.5)
    taken_over = claim_export(job)

    # then: it takes the job over, and the first worker's writes change nothing any more
    assert taken_over is not None
    job.refresh_from_db()
    assert (job.attempts, job.claim_token) == (2, taken_over.token)
    assert not claim.finish(status=JobStatus.DONE)


@pytest.mark.django_db(transaction=True)
def test_job_claim_kept_alive_stops_pushing_a_lease_another_worker_has_taken_over(owner):
    # given: the lease ran out once (the worker's machine stalled) and another worker took the job over
    job = ExportJob.objects.create(requested_by=owner, file_format="csv")
    first = claim_export(job)
    with first.kept_alive():
        ExportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now())
        second = claim_export(job)
        assert second is not None
        lease_set_by_second = ExportJob.objects.values_list("lease_expires_at", flat=True).get(pk=job.pk)
        time.sleep(LEASE.total_seconds())  # the first worker's thread would have renewed twice meanwhile

    # then: the lease is the second worker's, as it set it: the first one's thread wrote nothing
    job.refresh_from_db()
    assert (job.claim_token, job.attempts) == (second.token, 2)
    assert job.lease_expires_at == lease_set_by_second
