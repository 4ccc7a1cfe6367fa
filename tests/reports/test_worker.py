"""A real Celery worker process, fed through the real Redis, produces a scheduled report and its files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from apps.reports.models import Report, ReportStatus
from tests.services import (
    WORKER_ARGUMENTS,
    celery_client,
    celery_process,
    process_stop,
    require_postgres,
    require_redis,
)

WORKER_WAIT_SECONDS = 120


@pytest.fixture
def worker(transactional_db, media_root):
    require_postgres()
    broker = require_redis()
    client = celery_client(broker)
    process = celery_process(
        "-m", "celery", "-A", "deeds_portal", "worker", *WORKER_ARGUMENTS, broker=broker, media_root=media_root
    )
    yield client
    print(process_stop(process)[-5000:])  # shown when the test fails


@pytest.mark.django_db(transaction=True)
def test_worker_produces_the_scheduled_weekly_reports(week, city, worker, media_root):
    # when: beat's message for Monday 2021-06-14 reaches the worker through Redis
    worker.send_task("apps.reports.tasks.reports_schedule_task", args=["weekly", "2021-06-14"])

    # then: one complete report per top-two-level unit, with its three files
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while time.monotonic() < deadline:
        if Report.objects.filter(status=ReportStatus.COMPLETE).count() == 3:
            break
        time.sleep(0.5)
    reports = {report.unit.name: report for report in Report.objects.select_related("unit")}
    assert {name: report.status for name, report in reports.items()} == {
        "昆明市": ReportStatus.COMPLETE,
        "五华区": ReportStatus.COMPLETE,
        "盘龙区": ReportStatus.COMPLETE,
    }
    city_report = reports["昆明市"]
    assert city_report.data["total"]["planned"] == 6
    assert city_report.data["total"]["rate"] == "33.3"
    for extension in ("xlsx", "csv", "pdf"):
        stored = Path(media_root) / getattr(city_report, f"{extension}_file").name
        assert stored.name == f"昆明市_周报_2021-06-07_2021-06-13.{extension}"
        assert stored.stat().st_size > 0
