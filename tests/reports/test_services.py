"""Report content, immutability and idempotency, through the services and the worker's task."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.items.models import Action, Status, WorkItem
from apps.items.services import item_apply_action
from apps.org.paths import subtree_q
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind
from apps.reports.services import report_recipients, report_request
from apps.reports.tasks import report_generate_task, reports_schedule_task
from tests.dashboards.counting import PLANNED
from tests.reports.conftest import WEEK_END, WEEK_START, travel_to

MONDAY_AFTER = datetime.date(2021, 6, 14)
LEASE = datetime.timedelta(seconds=600)


def stored_files() -> set[str]:
    """Every report file in storage, by its storage name."""
    root = Path(default_storage.location)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def produce(staff, unit, day=WEEK_START, kind=ReportKind.WEEKLY, capture=None) -> Report:
    with travel_to(MONDAY_AFTER, hour=1), capture(execute=True):
        report = report_request(kind=kind, day=day, unit=unit, by=staff)
    report.refresh_from_db()
    return report


def direct_figures(unit, end: datetime.date) -> tuple[int, int, int]:
    """The week's figures counted the plain way, item by item."""
    items = [
        item for item in WorkItem.objects.filter(subtree_q(unit.path, "unit__path")) if item.created_at.date() <= end
    ]
    planned = [item for item in items if item.status in PLANNED]
    completed = [item for item in planned if item.completed_on and item.completed_on <= end]
    overdue = [
        item
        for item in planned
        if item.status != Status.SUSPENDED
        and item.deadline <= end
        and not (item.completed_on and item.completed_on <= end)
    ]
    return len(planned), len(completed), len(overdue)


def test_report_content_equals_direct_counts(week, staff, city, district, township, django_capture_on_commit_callbacks):
    # when
    report = produce(staff, city, capture=django_capture_on_commit_callbacks)

    # then
    assert report.status == ReportStatus.COMPLETE
    data = report.data
    total = data["total"]
    assert (total["planned"], total["completed"], total["overdue"]) == direct_figures(city, WEEK_END)
    # By hand: planned are the closed, completed, returned, two approved late ones and the approved key item
    # (the cancelled one, the late draft, the item awaiting approval and the one logged later count nowhere);
    # done are the closed and the completed one; overdue the two approved items past their deadline.
    assert (total["planned"], total["completed"], total["overdue"]) == (6, 2, 2)
    assert total["rate"] == "33.3"
    children = {row["name"]: row for row in data["children"]}
    assert (children["五华区"]["planned"], children["五华区"]["completed"]) == direct_figures(district, WEEK_END)[:2]
    assert children["盘龙区"]["rate"] is None
    numbers = {
        key: [row["number"] for row in data[f"{key}_items"]]
        for key in ("completed", "closed", "returned", "newly_overdue", "key")
    }
    assert numbers == {
        "completed": [week["done_and_closed"].number, week["returned"].number],
        "closed": [week["done_and_closed"].number],
        "returned": [week["returned"].number],
        "newly_overdue": [week["late_in_week"].number],
        "key": [week["key"].number],
    }
    # the lights on the week's last evening, by hand: red the two approved items past their deadline; yellow the
    # returned one (created 1 June, due 30 June, nothing reported: more than 20% of its time gone by 7 June);
    # green the key item (due 31 December); the done, cancelled, draft and submitted ones have no light
    lights = data["lights"]
    assert lights["total"] == {"red": 2, "yellow": 1, "green": 1}
    by_unit = {row["name"]: (row["red"], row["yellow"], row["green"]) for row in lights["children"]}
    assert by_unit == {"五华区": (2, 1, 1), "盘龙区": (0, 0, 0)}
    assert data["returned_items"][0]["reason"] == "佐证材料不全"
    # the extension granted in the week, with the decision
    assert [row["number"] for row in data["extended_items"]] == [week["returned"].number]
    assert data["extended_items"][0]["reason"] == "完成时限由 2021-06-30 延至 2021-07-15：同意"
    assert data["key_items"][0]["lead_leader"] == "赵书记"
    assert data["has_previous"] is False


def test_report_change_against_the_previous_report(week, staff, city, django_capture_on_commit_callbacks):
    # given: the report of the week before
    before = produce(staff, city, day=datetime.date(2021, 6, 1), capture=django_capture_on_commit_callbacks)
    assert before.data["total"]["completed"] == 1

    # when
    report = produce(staff, city, capture=django_capture_on_commit_callbacks)

    # then
    change = report.data["total"]["change"]
    assert change["completed"] == report.data["total"]["completed"] - before.data["total"]["completed"] == 1
    assert change["planned"] == report.data["total"]["planned"] - before.data["total"]["planned"]
    assert Decimal(change["rate"]) == Decimal(report.data["total"]["rate"]) - Decimal(before.data["total"]["rate"])


def test_report_stays_frozen_when_items_change_later(
    week, staff, city, leader, owner, django_capture_on_commit_callbacks
):
    # given
    report = produce(staff, city, capture=django_capture_on_commit_callbacks)

    def as_stored() -> tuple:
        stored = Report.objects.get(pk=report.pk)
        files = []
        for extension in ("xlsx", "csv", "pdf"):
            with getattr(stored, f"{extension}_file").open("rb") as file:
                files.append((file.name, file.read()))
        return stored.data, stored.attempts, stored.generated_at, files

    frozen = as_stored()

    # when: items move on after the report, then the worker's task runs again and staff ask for it again
    with travel_to(datetime.date(2021, 6, 20)):
        item_apply_action(item=week["late_before"], by=leader, action=Action.CANCEL, reason="并入其他项目")
        item_apply_action(item=week["returned"], by=owner, action=Action.START)
        item_apply_action(item=week["returned"], by=owner, action=Action.COMPLETE)
        item_apply_action(item=week["late_in_week"], by=leader, action=Action.CANCEL, reason="重复立项")
    with travel_to(datetime.date(2021, 6, 21)), django_capture_on_commit_callbacks(execute=True):
        again = report_generate_task.apply(args=[report.pk]).get()
        asked = report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)

    # then: the same report, its figures and the bytes of its files unchanged
    assert again == "already_complete"
    assert asked.pk == report.pk
    assert as_stored() == frozen
    assert frozen[0]["total"]["planned"] == 6


def test_report_task_run_twice_leaves_one_complete_report(week, staff, city, django_capture_on_commit_callbacks):
    report = produce(staff, city, capture=django_capture_on_commit_callbacks)
    generated_at = report.generated_at

    with travel_to(MONDAY_AFTER, hour=2):
        second = report_generate_task.apply(args=[report.pk]).get()

    assert second == "already_complete"
    assert Report.objects.count() == 1
    report.refresh_from_db()
    assert (report.status, report.attempts, report.generated_at) == (ReportStatus.COMPLETE, 1, generated_at)


def test_report_schedule_twice_creates_each_report_once(week, city, django_capture_on_commit_callbacks):
    with travel_to(MONDAY_AFTER, hour=1), django_capture_on_commit_callbacks(execute=True):
        first = reports_schedule_task.apply(args=["weekly"]).get()
    with travel_to(MONDAY_AFTER, hour=3), django_capture_on_commit_callbacks(execute=True):
        second = reports_schedule_task.apply(args=["weekly", "2021-06-14"]).get()

    assert sorted(first) == sorted(second)
    reports = Report.objects.all()
    # the city and its two districts (the top two levels) each get one report for the week
    assert {report.unit.name for report in reports} == {"昆明市", "五华区", "盘龙区"}
    assert {(r.kind, r.period_start, r.period_end, r.status) for r in reports} == {
        ("weekly", WEEK_START, WEEK_END, ReportStatus.COMPLETE)
    }
    assert all(report.attempts == 1 for report in reports)


def test_report_failure_is_retried_and_recorded(week, staff, city, django_capture_on_commit_callbacks):
    # given: the PDF renderer fails once, as a full disk would
    from apps.reports import renderers

    real_pdf = renderers.render_pdf
    calls = []

    def flaky_pdf(data):
        calls.append(data)
        if len(calls) == 1:
            raise OSError("磁盘已满")
        return real_pdf(data)

    # when
    with mock.patch.dict(renderers.RENDERERS, {"pdf": flaky_pdf}):
        report = produce(staff, city, capture=django_capture_on_commit_callbacks)

    # then: one complete report after the retry, its files stored once each, the failed attempt's gone
    assert len(calls) == 2
    assert (report.status, report.attempts, report.error) == (ReportStatus.COMPLETE, 2, "")
    assert stored_files() == {getattr(report, f"{extension}_file").name for extension in ("csv", "pdf", "xlsx")}
    assert {Path(name).name for name in stored_files()} == {
        f"{report.file_stem()}.{extension}" for extension in ("csv", "pdf", "xlsx")
    }


def test_report_failing_for_good_is_marked_failed_with_its_error(
    week, staff, city, client, django_capture_on_commit_callbacks
):
    from apps.reports import renderers

    with mock.patch.dict(renderers.RENDERERS, {"pdf": mock.Mock(side_effect=OSError("磁盘已满"))}):
        produce(staff, city, capture=django_capture_on_commit_callbacks)

    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED
    assert "磁盘已满" in report.error
    assert report.attempts == 6  # the first try and five retries
    client.force_login(staff)
    assert client.get(f"/reports/{report.pk}/download/xlsx/").status_code == 404
    assert "磁盘已满" in client.get(f"/reports/{report.pk}/").content.decode()


def test_report_left_running_by_a_killed_worker_is_taken_over(
    week, staff, city, django_capture_on_commit_callbacks, settings
):
    # given: a worker died mid-way an hour ago, leaving the report running and a half-written file
    with travel_to(MONDAY_AFTER, hour=1):
        report = Report.objects.create(
            kind=ReportKind.WEEKLY, period_start=WEEK_START, period_end=WEEK_END, unit=city, status=ReportStatus.RUNNING
        )
    Report.objects.filter(pk=report.pk).update(
        started_at=report.created_at, lease_expires_at=report.created_at + LEASE, attempts=1
    )
    leftover = report.xlsx_file.field.generate_filename(report, f"{report.file_stem()}.xlsx")
    report.xlsx_file.storage.save(leftover, ContentFile(b"half"))

    # when: the broker hands the task out again
    with travel_to(MONDAY_AFTER, hour=3):
        outcome = report_generate_task.apply(args=[report.pk]).get()

    # then: produced afresh; the half-written file of the killed worker is gone
    report.refresh_from_db()
    assert outcome == "generated"
    assert (report.status, report.attempts) == (ReportStatus.COMPLETE, 2)
    assert report.xlsx_file.read()[:2] == b"PK"
    assert leftover not in stored_files()
    assert stored_files() == {report.xlsx_file.name, report.csv_file.name, report.pdf_file.name}


def test_report_request_refuses_unfinished_periods_and_outsiders(week, staff, owner, city, sibling_district, outsider):
    from apps.core.exceptions import ServiceError, ServicePermissionError

    with travel_to(datetime.date(2021, 6, 10)), pytest.raises(ServiceError, match="2021-06-13"):
        report_request(kind=ReportKind.WEEKLY, day=datetime.date(2021, 6, 9), unit=city, by=staff)
    with pytest.raises(ServicePermissionError):
        report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=owner)
    from apps.accounts.models import Role
    from tests.factories import UserFactory

    district_staff = UserFactory(unit=sibling_district, roles=[Role.REPORTING_STAFF])
    with pytest.raises(ServicePermissionError):
        report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=district_staff)
    assert Report.objects.count() == 0


def test_report_recipients_default_to_the_top_two_levels(city, district, township, sibling_district):
    from apps.reports.models import ReportRecipient

    assert set(report_recipients()) == {city, district, sibling_district}
    ReportRecipient.objects.create(unit=township, receives_reports=True)
    ReportRecipient.objects.create(unit=sibling_district, receives_reports=False)
    assert set(report_recipients()) == {city, district, township}
