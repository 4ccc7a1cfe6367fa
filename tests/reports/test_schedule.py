"""Beat's schedule (CELERY_BEAT_SCHEDULE): registered tasks, firing on the offices' days, producing the due reports."""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

import pytest
from celery.beat import ScheduleEntry
from django.conf import settings

from apps.reports.models import Report, ReportRecipient, ReportStatus
from deeds_portal.celery import app
from tests.reports.conftest import travel_to

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def beat_entry(name: str) -> ScheduleEntry:
    """The schedule entry as beat builds it from the project's Celery app (whose time zone it follows)."""
    return ScheduleEntry(**dict(app.conf.beat_schedule[name], name=name, app=app))


def fire_times(entry: ScheduleEntry, start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    """When beat runs `entry` between `start` and `end`, stepping from one run to the next as beat does."""
    schedule = entry.schedule
    fired, last_run = [], start
    while True:
        last_run_local, delta, _now = schedule.remaining_delta(last_run)
        last_run = last_run_local + delta
        if last_run >= end:
            return fired
        fired.append(last_run.astimezone(SHANGHAI))


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()

    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE != {}
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert beat_entry(name).task in app.tasks, name


@pytest.mark.parametrize(
    ("entry_name", "days"),
    [
        # every Monday of 2024 (a leap year; 1 January is a Monday), the day after each week ends
        ("weekly-reports", {D(2024, 1, 1) + datetime.timedelta(weeks=n) for n in range(53)}),
        # the 1st and the 16th of every month
        ("half-monthly-reports", {D(2024, month, day) for month in range(1, 13) for day in (1, 16)}),
        # the 1st of every month
        ("monthly-reports", {D(2024, month, 1) for month in range(1, 13)}),
    ],
)
def test_beat_schedule_fires_on_the_offices_days_in_shanghai(entry_name, days):
    entry = beat_entry(entry_name)
    start = datetime.datetime(2024, 1, 1, tzinfo=SHANGHAI)

    fired = fire_times(entry, start, datetime.datetime(2025, 1, 1, tzinfo=SHANGHAI))

    assert str(entry.schedule.tz) == "Asia/Shanghai"
    if entry_name == "weekly-reports":
        assert {day.weekday() for day in days} == {calendar.MONDAY}
    assert {moment.date() for moment in fired} == days
    assert len(fired) == len(days)  # once a day, early in the morning, Beijing time
    assert all(datetime.time(1) <= moment.time() < datetime.time(2) for moment in fired)


@pytest.mark.parametrize(
    ("entry_name", "every"),
    [
        # jobs left behind by a killed worker are sent again within a sweep of their lease running out
        ("stalled-reports", "JOB_SWEEP_SECONDS"),
        ("stalled-ledger-jobs", "JOB_SWEEP_SECONDS"),
        ("worker-heartbeat", "WORKER_HEARTBEAT_SECONDS"),  # what /health/ reads
    ],
)
def test_beat_schedule_sweeps_and_heartbeat_run_every_minute(entry_name, every):
    entry = beat_entry(entry_name)

    assert (
        entry.schedule.run_every
        == datetime.timedelta(seconds=getattr(settings, every))
        == datetime.timedelta(minutes=1)
    )


@pytest.mark.parametrize(
    ("entry_name", "day", "period_start", "period_end"),
    [
        ("weekly-reports", D(2021, 6, 14), D(2021, 6, 7), D(2021, 6, 13)),
        ("weekly-reports", D(2021, 1, 4), D(2020, 12, 28), D(2021, 1, 3)),
        ("half-monthly-reports", D(2021, 6, 16), D(2021, 6, 1), D(2021, 6, 15)),
        ("half-monthly-reports", D(2021, 3, 1), D(2021, 2, 16), D(2021, 2, 28)),
        ("monthly-reports", D(2021, 7, 1), D(2021, 6, 1), D(2021, 6, 30)),
        ("monthly-reports", D(2022, 1, 1), D(2021, 12, 1), D(2021, 12, 31)),
    ],
)
def test_beat_schedule_entry_produces_the_due_period_for_every_receiving_unit(
    entry_name, day, period_start, period_end, city, district, sibling_district, township,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # given: the township also receives reports, the sibling district has asked not to
    ReportRecipient.objects.create(unit=township, receives_reports=True)
    ReportRecipient.objects.create(unit=sibling_district, receives_reports=False)
    entry = beat_entry(entry_name)
    app.loader.import_default_modules()

    # when: beat sends the entry's message at its time on that day
    with travel_to(day, hour=1), django_capture_on_commit_callbacks(execute=True):
        app.tasks[entry.task].apply(args=entry.args, kwargs=entry.kwargs).get()

    # then
    reports = Report.objects.select_related("unit")
    assert {report.unit.name for report in reports} == {"昆明市", "五华区", "华山街道"}
    assert {(r.kind, r.period_start, r.period_end, r.status) for r in reports} == {
        (entry.args[0], period_start, period_end, ReportStatus.COMPLETE)
    }
