"""Benchmark: the monthly report of a province of 2,000,000 items with their recorded stories, from PostgreSQL.

    .venv/bin/python bench/report.py [--items 2000000] [--runs 1] [--rebuild]

Produces the monthly report of the generated province for the last complete month the way the worker does
(`report_generate`: the figures replayed from the transitions, then the XLSX, CSV and PDF files) and prints
the items it covers, the seconds of the figures and of the whole, and the process's peak memory. Target: the
whole report in at most 15 s.

Uses its own database, BENCH_REPORT_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
deeds_bench_reports): generated once with `generate_demo --items N` (most items with their transitions and
progress notes), reused by later runs with the same N; --rebuild drops and generates it again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from _setup import database_at, django_at  # bench/ is the script's folder, first on the path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_REPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/deeds_bench_reports")
TARGET_SECONDS = 15.0


def database(action: str) -> bool:
    """Create, drop (and make again) or look for the benchmark's database; True when it exists (after the action)."""
    return database_at(DATABASE_URL, action)


def setup_django() -> None:
    django_at(DATABASE_URL)


def prepare(items: int):
    """The generated province (made now if the database has none of that size)."""
    from django.core.management import call_command

    from apps.items.models import WorkItem
    from apps.org.models import Unit

    call_command("migrate", verbosity=0)
    province = Unit.objects.filter(parent=None).order_by("-pk").first()
    if province is not None and WorkItem.objects.in_subtree(province.path).count() == items:
        print(f"Reusing the generated data under {province.name} ({items:,} items).")
        return province
    if province is not None:
        raise SystemExit("The benchmark database holds other data; run with --rebuild.")
    started = time.monotonic()
    call_command("generate_demo", items=items)
    print(f"generate_demo --items {items}: {time.monotonic() - started:.0f} s")
    return Unit.objects.filter(parent=None).order_by("-pk").first()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    arguments = parser.parse_args()
    database("drop" if arguments.rebuild else "create")
    setup_django()

    from django.db import connection
    from django.utils import timezone

    from apps.items.models import ItemTransition, ProgressUpdate, WorkItem
    from apps.reports import services
    from apps.reports.models import Report, ReportStatus
    from apps.reports.periods import ReportKind, period_due_on
    from bench._setup import peak_memory_mb

    province = prepare(arguments.items)
    period = period_due_on(ReportKind.MONTHLY, timezone.localdate())
    items = WorkItem.objects.in_subtree(province.path)
    stories = ItemTransition.objects.filter(item__in=items)
    print(
        f"{items.count():,} items, {stories.values('item_id').distinct().count():,} with a story, "
        f"{stories.count():,} transitions, {ProgressUpdate.objects.count():,} progress notes"
    )
    figures_seconds: list[float] = []
    build = services.snapshot_build

    def timed_build(**kwargs):
        started = time.monotonic()
        try:
            return build(**kwargs)
        finally:
            figures_seconds.append(time.monotonic() - started)

    services.snapshot_build = timed_build
    file_seconds: dict[str, float] = {}

    def timed_render(extension, render):
        def timed(data):
            started = time.monotonic()
            try:
                return render(data)
            finally:
                file_seconds[extension] = time.monotonic() - started

        return timed

    # report_generate reads the renderers from this table as it renders
    for extension, render in list(services.RENDERERS.items()):
        services.RENDERERS[extension] = timed_render(extension, render)
    worst = 0.0
    for run in range(arguments.runs):
        Report.objects.filter(kind=ReportKind.MONTHLY, unit=province, period_start=period.start).delete()
        report = Report.objects.create(
            kind=ReportKind.MONTHLY, unit=province, period_start=period.start, period_end=period.end
        )
        connection.close()  # a fresh connection, as a worker's task would have
        started = time.monotonic()
        services.report_generate(report_id=report.pk)
        seconds = time.monotonic() - started
        report.refresh_from_db()
        if report.status != ReportStatus.COMPLETE:
            print(f"The report did not complete: {report.status} {report.error}")
            return 1
        worst = max(worst, seconds)
        data = report.data
        print(
            f"run {run + 1}: monthly report of {province.name}, {period.start}–{period.end}: {seconds:.1f} s "
            f"(figures {figures_seconds[-1]:.1f} s, files {seconds - figures_seconds[-1]:.1f} s: "
            + ", ".join(f"{extension} {spent:.1f} s" for extension, spent in file_seconds.items())
            + "); "
            f"planned {data['total']['planned']:,}, completed {data['total']['completed']:,}, "
            f"overdue {data['total']['overdue']:,}, completed in the month {data['completed_count']:,}"
        )
    print(f"peak memory {peak_memory_mb():.0f} MB; target: the whole report in <= {TARGET_SECONDS:.0f} s")
    if worst > TARGET_SECONDS:
        print(f"FAILED: {worst:.1f} s > {TARGET_SECONDS:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
