"""A report whose worker is killed mid-way is produced again within a lease and a sweep, by real processes.

A real worker (its PDF renderer made to hang, tests/reports/slow_pdf_worker.py) takes the report from Redis and
holds it, keeping its lease alive, for longer than several leases; then it is killed with SIGKILL, as the kernel's
OOM killer or a lost machine would. A new worker and beat start, and the test measures the seconds until the report
is complete. The lease and the sweep are a few seconds here (JOB_LEASE_SECONDS, JOB_SWEEP_SECONDS); in production
they are 90 and 60, so a report comes back within about lease + sweep + its own production time: 2½ minutes and
the report's time, where it was a 10-minute lease plus the wait for the hourly sweep (up to ~70 minutes).

WORKER_KILL_LEASE_SECONDS and WORKER_KILL_SWEEP_SECONDS change the figures, e.g. to the production ones (90, 60).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest
from django.utils import timezone

from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from tests.reports.conftest import WEEK_END, WEEK_START
from tests.services import (
    WORKER_ARGUMENTS,
    celery_client,
    celery_process,
    process_stop,
    require_postgres,
    require_redis,
)

LEASE_SECONDS = int(os.environ.get("WORKER_KILL_LEASE_SECONDS", "3"))
SWEEP_SECONDS = int(os.environ.get("WORKER_KILL_SWEEP_SECONDS", "2"))
# A new worker and beat starting, and the report's own production: generous for a slow CI machine.
START_AND_PRODUCE_SECONDS = 40
REDIS_DATABASE = 14  # the other real-worker tests use 15


def wait_for(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_report_whose_worker_was_killed_is_produced_again_within_a_lease_and_a_sweep(week, city, media_root, capsys):
    require_postgres()
    broker = require_redis(REDIS_DATABASE)
    client = celery_client(broker)
    short_intervals = {"JOB_LEASE_SECONDS": str(LEASE_SECONDS), "JOB_SWEEP_SECONDS": str(SWEEP_SECONDS)}

    def start(*arguments: str):
        return celery_process(*arguments, broker=broker, media_root=media_root, environment=short_intervals)

    report = Report.objects.create(kind=ReportKind.WEEKLY, period_start=WEEK_START, period_end=WEEK_END, unit=city)
    processes = {"doomed worker": start("-m", "tests.reports.slow_pdf_worker", *WORKER_ARGUMENTS)}
    try:
        # given: a worker took the report and is rendering it (its PDF hangs), held longer than several leases
        client.send_task("apps.reports.tasks.report_generate_task", args=[report.pk])
        rendering = Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, progress__gte=60)
        assert wait_for(rendering.exists, seconds=60), "the first worker never got to rendering"
        time.sleep(2.5 * LEASE_SECONDS)
        report.refresh_from_db()
        assert (report.status, report.attempts) == (ReportStatus.RUNNING, 1)
        assert report.lease_expires_at > timezone.now()  # kept alive while it worked

        # when: the worker is killed; a new worker and beat are (or were all along) running
        processes["doomed worker"].send_signal(signal.SIGKILL)
        processes["doomed worker"].wait()
        killed_at = time.monotonic()
        processes["worker"] = start("-m", "celery", "-A", "deeds_portal", "worker", *WORKER_ARGUMENTS)
        schedule = media_root.parent / f"{media_root.name}-celerybeat-schedule"
        processes["beat"] = start("-m", "celery", "-A", "deeds_portal", "beat", "-l", "info", "-s", str(schedule))
        bound = LEASE_SECONDS + SWEEP_SECONDS + START_AND_PRODUCE_SECONDS
        complete = Report.objects.filter(pk=report.pk, status=ReportStatus.COMPLETE)
        wait_for(complete.exists, seconds=bound)
        seconds = time.monotonic() - killed_at

        # then: complete again within the lease, a sweep and the time to start and produce it, exactly once
        with capsys.disabled():
            print(
                f"\nreport complete {seconds:.1f} s after its worker was killed "
                f"(lease {LEASE_SECONDS} s, sweep every {SWEEP_SECONDS} s)"
            )
        report.refresh_from_db()
        assert (report.status, report.attempts) == (ReportStatus.COMPLETE, 2)
        assert seconds < bound
        stored = {path.name for path in media_root.rglob("*") if path.is_file()}
        assert stored == {f"昆明市_周报_2021-06-07_2021-06-13.{extension}" for extension in ("xlsx", "csv", "pdf")}
    finally:
        for name, process in processes.items():
            print(f"--- {name}\n{process_stop(process)[-4000:]}")  # shown when the test fails
