"""A real Celery worker process, fed through the real Redis, produces a scheduled report and its files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from apps.reports.models import Report, ReportStatus
from tests.services import require_postgres, require_redis

WORKER_WAIT_SECONDS = 120


def database_url() -> str:
    """The test database itself, so the worker reads and writes what the test sees."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, media_root):
    require_postgres()
    broker = require_redis()
    client = Celery(broker=broker, set_as_current=False)  # the project's app stays the current one
    # Messages another run left in the tests' Redis database (an interrupted run, a test that sent and
    # stopped) would reach this worker too: the queue starts empty.
    client.control.purge()
    with client.connection_for_write() as connection:
        assert connection.default_channel.client.llen("celery") == 0
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deeds_portal.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "deeds_portal",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield client
    process.terminate()
    output, _ = process.communicate(timeout=30)
    print(output[-5000:])  # shown when the test fails


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
