"""Workers claim a report with a token and a lease: one that lost its claim changes nothing, stalled ones are resent."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from apps.reports import renderers
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from apps.reports.services import GenerationOutcome, report_generate, report_request
from apps.reports.tasks import report_generate_task, reports_resend_stalled_task
from tests.reports.conftest import WEEK_END, WEEK_START, travel_to

D = datetime.date
MONDAY_AFTER = datetime.date(2021, 6, 14)
EXTENSIONS = ("xlsx", "csv", "pdf")


def stored_files() -> set[str]:
    root = Path(default_storage.location)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def report_as_stored(report_id: int) -> dict[str, Any]:
    """Everything a reader of the report gets: its row and the bytes of its files."""
    report = Report.objects.get(pk=report_id)
    files = {}
    for extension in EXTENSIONS:
        name = getattr(report, f"{extension}_file").name
        with default_storage.open(name, "rb") as stored:
            files[extension] = (name, stored.read())
    return {
        "status": report.status,
        "progress": report.progress,
        "error": report.error,
        "data": report.data,
        "generated_at": report.generated_at,
        "files": files,
    }


def weekly_report(city) -> Report:
    return Report.objects.create(kind=ReportKind.WEEKLY, period_start=WEEK_START, period_end=WEEK_END, unit=city)


def take_over_once(report_id: int, seen: dict[str, Any]) -> Callable[[], None]:
    """A second worker that starts after the first one's lease ran out and produces the report."""

    def run() -> None:
        if "second" in seen:
            return
        seen["second"] = None  # the second worker's own renderer calls must not start a third
        with travel_to(MONDAY_AFTER, hour=3):
            seen["second"] = report_generate_task.apply(args=[report_id]).get()
        seen["complete"] = report_as_stored(report_id)

    return run


@pytest.mark.parametrize("first_worker_then", ["fails", "finishes rendering"])
def test_report_generate_worker_taken_over_while_rendering_changes_nothing(week, city, first_worker_then):
    # given: the first worker renders so slowly that its lease runs out and a second worker takes over
    report = weekly_report(city)
    seen: dict[str, Any] = {}
    second_worker = take_over_once(report.pk, seen)
    real_pdf = renderers.render_pdf

    def slow_pdf(data: dict[str, Any]) -> bytes:
        second_worker()
        if first_worker_then == "fails" and seen.get("complete") and not seen.get("raised"):
            seen["raised"] = True
            raise OSError("磁盘已满")
        return real_pdf(data)

    # when
    with mock.patch.dict(renderers.RENDERERS, {"pdf": slow_pdf}), travel_to(MONDAY_AFTER, hour=1):
        first = report_generate_task.apply(args=[report.pk])

    # then: the second worker's complete report stands, its data and files untouched by the first
    assert seen["second"] == GenerationOutcome.GENERATED.value
    assert first.get() == GenerationOutcome.TAKEN_OVER.value  # quietly: no failure recorded, no retry
    assert report_as_stored(report.pk) == seen["complete"]
    assert seen["complete"]["status"] == ReportStatus.COMPLETE
    assert Report.objects.get(pk=report.pk).attempts == 2
    assert stored_files() == {name for name, _content in seen["complete"]["files"].values()}


def test_report_generate_worker_taken_over_while_storing_its_files_changes_nothing(week, city):
    # given: the first worker's lease runs out while it writes its files, and a second worker finishes first
    report = weekly_report(city)
    seen: dict[str, Any] = {}
    second_worker = take_over_once(report.pk, seen)
    real_save = FileSystemStorage.save

    def slow_save(storage: FileSystemStorage, name: str, content: Any, max_length: int | None = None) -> str:
        if "/attempt-1/" in name and name.endswith(".pdf"):
            second_worker()
        return real_save(storage, name, content, max_length)

    # when
    with mock.patch.object(FileSystemStorage, "save", slow_save), travel_to(MONDAY_AFTER, hour=1):
        first = report_generate_task.apply(args=[report.pk]).get()

    # then: the first worker wrote only in its own folder, and took those files away again
    assert (seen["second"], first) == ("generated", "taken_over")
    assert report_as_stored(report.pk) == seen["complete"]
    assert stored_files() == {name for name, _content in seen["complete"]["files"].values()}
    assert all("/attempt-2/" in name for name in stored_files())


def test_report_complete_is_never_produced_again(week, staff, city, django_capture_on_commit_callbacks):
    # given: a complete report
    with travel_to(MONDAY_AFTER, hour=1):
        report = weekly_report(city)
        assert report_generate(report_id=report.pk) is GenerationOutcome.GENERATED
    complete = report_as_stored(report.pk)

    # when: a late duplicate message, a retry, a hand request and the stalled-report sweep, days later
    with travel_to(datetime.date(2021, 6, 20)), django_capture_on_commit_callbacks(execute=True):
        outcomes = [report_generate_task.apply(args=[report.pk]).get() for _ in range(2)]
        report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)
        resent = reports_resend_stalled_task.apply().get()

    # then
    assert outcomes == ["already_complete", "already_complete"]
    assert resent == []
    assert report_as_stored(report.pk) == complete
    assert Report.objects.get(pk=report.pk).attempts == 1


def test_report_generate_renews_its_lease_as_it_goes(week, city, settings):
    # given: every step of the work takes most of a lease, so the whole takes several leases
    report = weekly_report(city)
    lease = datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    clock = [timezone.make_aware(datetime.datetime.combine(MONDAY_AFTER, datetime.time(1)))]
    competitors: list[GenerationOutcome] = []
    competing = []

    def slow(render: Callable[[dict[str, Any]], bytes]) -> Callable[[dict[str, Any]], bytes]:
        def run(data: dict[str, Any]) -> bytes:
            if not competing:  # the competitor's own rendering is not slow
                clock[0] += lease * 0.7
                competing.append(True)
                competitors.append(report_generate(report_id=report.pk))  # another worker tries to take it
                competing.pop()
            return render(data)

        return run

    slow_renderers = {extension: slow(render) for extension, render in renderers.RENDERERS.items()}

    # when
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock[0]):
        with mock.patch.dict(renderers.RENDERERS, slow_renderers):
            outcome = report_generate(report_id=report.pk)
        started = Report.objects.get(pk=report.pk).started_at

    # then: the lease was pushed on at each step, so no one took over although it ran past two leases
    assert clock[0] - started > 2 * lease
    assert competitors == [GenerationOutcome.BUSY] * 3
    assert outcome is GenerationOutcome.GENERATED
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.COMPLETE, 1)


def stalled_report(city, *, lease_ended: datetime.datetime, kind: str = ReportKind.WEEKLY) -> Report:
    """A report whose worker was killed (or whose server reloaded) mid-way, its lease ending at `lease_ended`."""
    report = Report.objects.create(
        kind=kind, period_start=WEEK_START, period_end=WEEK_END, unit=city, status=ReportStatus.RUNNING
    )
    Report.objects.filter(pk=report.pk).update(
        started_at=lease_ended - datetime.timedelta(minutes=10), lease_expires_at=lease_ended, attempts=1, progress=40
    )
    return report


def test_report_request_sends_again_a_report_whose_worker_stopped(
    week, staff, city, django_capture_on_commit_callbacks
):
    # given: the background thread producing it died with the server an hour ago
    report = stalled_report(city, lease_ended=timezone.make_aware(datetime.datetime(2021, 6, 14, 9, 50)))

    # when: staff ask for it again
    with travel_to(MONDAY_AFTER, hour=11), django_capture_on_commit_callbacks(execute=True) as sent:
        report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)

    # then
    report.refresh_from_db()
    assert len(sent) == 1
    assert (report.status, report.attempts) == (ReportStatus.COMPLETE, 2)


def test_report_request_leaves_a_report_being_produced_alone(week, staff, city, django_capture_on_commit_callbacks):
    # given: a worker holds it, its lease running until 11:05
    report = stalled_report(city, lease_ended=timezone.make_aware(datetime.datetime(2021, 6, 14, 11, 5)))

    # when
    with travel_to(MONDAY_AFTER, hour=11), django_capture_on_commit_callbacks(execute=True) as sent:
        report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)

    # then
    report.refresh_from_db()
    assert sent == []
    assert (report.status, report.attempts, report.progress) == (ReportStatus.RUNNING, 1, 40)


def test_reports_resend_stalled_task_sends_again_what_was_left_behind(
    week, city, district, django_capture_on_commit_callbacks
):
    # given: a report whose worker stopped, one sent at 9:00 whose message (or thread) was lost, one sent a
    # minute ago and still in the queue, and one a worker is producing now
    stalled = stalled_report(city, lease_ended=timezone.make_aware(datetime.datetime(2021, 6, 14, 9, 50)))

    def waiting(kind: str, start: datetime.date, end: datetime.date, sent: datetime.datetime) -> Report:
        report = Report.objects.create(kind=kind, period_start=start, period_end=end, unit=district)
        Report.objects.filter(pk=report.pk).update(lease_expires_at=sent + datetime.timedelta(minutes=10))
        return report

    lost = waiting(
        ReportKind.MONTHLY, D(2021, 5, 1), D(2021, 5, 31), timezone.make_aware(datetime.datetime(2021, 6, 14, 9))
    )
    queued = waiting(
        ReportKind.MONTHLY, D(2021, 4, 1), D(2021, 4, 30), timezone.make_aware(datetime.datetime(2021, 6, 14, 10, 59))
    )
    busy = stalled_report(
        district, kind=ReportKind.HALF_MONTHLY, lease_ended=timezone.make_aware(datetime.datetime(2021, 6, 14, 11, 5))
    )

    # when: beat's sweep at 11:00
    with travel_to(MONDAY_AFTER, hour=11), django_capture_on_commit_callbacks(execute=True):
        resent = reports_resend_stalled_task.apply().get()

    # then
    assert sorted(resent) == sorted([stalled.pk, lost.pk])
    assert dict(Report.objects.values_list("pk", "status")) == {
        stalled.pk: ReportStatus.COMPLETE,
        lost.pk: ReportStatus.COMPLETE,
        queued.pk: ReportStatus.PENDING,
        busy.pk: ReportStatus.RUNNING,
    }
