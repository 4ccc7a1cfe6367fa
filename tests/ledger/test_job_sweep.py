"""Beat's sweep of ledger jobs: checks, imports and exports whose worker stopped, or whose message was lost, run again."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from apps.items.models import WorkItem
from apps.ledger.models import ExportJob, ImportJob, JobStatus
from apps.ledger.tasks import ledger_jobs_resend_stalled_task
from tests.factories import WorkItemFactory
from tests.ledger.test_ledger import ledger_row, ledger_xlsx

NOW = timezone.make_aware(datetime.datetime(2030, 3, 4, 11))
AGO = {"a second": datetime.timedelta(seconds=1), "a minute": datetime.timedelta(minutes=1)}


def job_left_as(job: ImportJob | ExportJob, status: str, *, lease_ends: datetime.datetime | None, created=NOW):
    """The job as a worker (or the queue) left it: in `status`, its lease ending at `lease_ends`."""
    type(job).objects.filter(pk=job.pk).update(
        status=status, lease_expires_at=lease_ends, attempts=int(status != JobStatus.PENDING), created_at=created
    )
    return job


@pytest.fixture
def ledger(unit_admin, owner, district, media_root):
    """An uploaded ledger of two rows for 五华区 (its person, 张敏, is the owner)."""

    def upload() -> ImportJob:
        file = ledger_xlsx([ledger_row(), ledger_row(事项名称="第二项")])
        return ImportJob.objects.create(unit=district, requested_by=unit_admin, file=file, original_name=file.name)

    return upload


@pytest.fixture
def export(owner, district, media_root):
    WorkItemFactory(unit=district, by=owner)
    return lambda: ExportJob.objects.create(requested_by=owner, file_format="csv")


def test_ledger_jobs_resend_stalled_runs_again_what_was_left_behind_and_leaves_the_rest(
    ledger, export, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.JOB_QUEUE_WAIT_SECONDS = 600
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    # given: at 11:00, jobs whose worker was killed (their lease ran out a second ago), a check whose message was
    # lost ten minutes ago, one sent a minute ago and still queued, and jobs a worker is working on
    check_stopped = job_left_as(ledger(), JobStatus.VALIDATING, lease_ends=NOW - AGO["a second"])
    check_lost = job_left_as(ledger(), JobStatus.PENDING, lease_ends=None, created=NOW - datetime.timedelta(minutes=11))
    check_queued = job_left_as(ledger(), JobStatus.PENDING, lease_ends=None, created=NOW - AGO["a minute"])
    check_working = job_left_as(ledger(), JobStatus.VALIDATING, lease_ends=NOW + AGO["a minute"])
    import_stopped = job_left_as(ledger(), JobStatus.RUNNING, lease_ends=NOW - AGO["a second"])
    import_working = job_left_as(ledger(), JobStatus.RUNNING, lease_ends=NOW + AGO["a minute"])
    export_stopped = job_left_as(export(), JobStatus.RUNNING, lease_ends=NOW - AGO["a second"])
    export_sent_again = job_left_as(export(), JobStatus.PENDING, lease_ends=NOW + AGO["a minute"])

    # when: beat's sweep, and the worker runs what it sent
    with django_capture_on_commit_callbacks(execute=True):
        resent = ledger_jobs_resend_stalled_task.apply().get()

    # then
    assert resent == {
        "checks": sorted([check_stopped.pk, check_lost.pk]),
        "imports": [import_stopped.pk],
        "exports": [export_stopped.pk],
    }
    statuses = {job.pk: (job.status, job.attempts) for job in [*ImportJob.objects.all(), *ExportJob.objects.all()]}
    assert statuses == {
        check_stopped.pk: (JobStatus.VALID, 2),
        check_lost.pk: (JobStatus.VALID, 1),
        check_queued.pk: (JobStatus.PENDING, 0),
        check_working.pk: (JobStatus.VALIDATING, 1),
        import_stopped.pk: (JobStatus.DONE, 2),
        import_working.pk: (JobStatus.RUNNING, 1),
        export_stopped.pk: (JobStatus.DONE, 2),
        export_sent_again.pk: (JobStatus.PENDING, 0),
    }
    assert WorkItem.objects.filter(title="第二项").count() == 1  # the import left behind, written once


def test_ledger_jobs_resend_stalled_while_no_worker_runs_sends_a_check_or_export_once_per_queue_wait(
    ledger, export, settings, django_capture_on_commit_callbacks
):
    settings.JOB_QUEUE_WAIT_SECONDS = 600
    past = timezone.now() - AGO["a second"]
    check = job_left_as(ledger(), JobStatus.VALIDATING, lease_ends=past)
    left_export = job_left_as(export(), JobStatus.RUNNING, lease_ends=past)
    import_left = job_left_as(ledger(), JobStatus.RUNNING, lease_ends=past)

    # when: beat sweeps twice a minute apart, and no worker takes anything
    with django_capture_on_commit_callbacks(execute=False) as sent_first:
        first = ledger_jobs_resend_stalled_task.apply().get()
    with django_capture_on_commit_callbacks(execute=False) as sent_second:
        second = ledger_jobs_resend_stalled_task.apply().get()

    # then: the check and the export wait in the queue's hands; the import stays "being written" and is sent again
    assert first == {"checks": [check.pk], "imports": [import_left.pk], "exports": [left_export.pk]}
    assert second == {"checks": [], "imports": [import_left.pk], "exports": []}
    assert (len(sent_first), len(sent_second)) == (3, 1)
    check.refresh_from_db()
    assert check.status == JobStatus.PENDING and check.lease_expires_at > timezone.now() + datetime.timedelta(minutes=9)
