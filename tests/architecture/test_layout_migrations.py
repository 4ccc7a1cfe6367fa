"""The migrations that moved the counters to items, the jobs to ledger and made reports jobs keep every row."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.items.models import CategoryCount, StatusCount
from apps.ledger.models import ExportJob, ImportJob
from apps.reports.models import Report

# The last migrations of the layout before the moves.
OLD_LAYOUT = [
    ("accounts", "0001_initial"),
    ("dashboards", "0002_counters_indexed_by_unit_first"),
    ("items", "0005_dashboard_list_indexes"),
    ("reports", "0002_claim_token_and_lease"),
]
MOVED_TABLES = [
    "dashboards_statuscount",
    "dashboards_categorycount",
    "dashboards_opendeadlinecount",
    "dashboards_completionweekcount",
    "items_importjob",
    "items_exportjob",
    "reports_report",
]


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names
            counts[table] = cursor.fetchone()[0]
        return counts


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_moving_counters_and_jobs_between_apps_keeps_every_row_and_value():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate(OLD_LAYOUT)
    try:
        # given: rows in every moved table, written through the models as they were
        old = MigrationExecutor(connection).loader.project_state(OLD_LAYOUT).apps
        unit = old.get_model("org", "Unit").objects.create(name="五华区", code="WH", level="county", path="00000001")
        user = old.get_model("accounts", "User").objects.create(username="official", unit=unit)
        category, _created = old.get_model("items", "Category").objects.get_or_create(
            code="housing", defaults={"name": "住房", "name_en": "Housing"}
        )  # seeded by items 0002, unless an earlier test emptied the tables
        old.get_model("dashboards", "StatusCount").objects.create(
            unit=unit, kind="livelihood_plan", owner_type="leadership_team", in_progress=3, closed=2
        )
        old.get_model("dashboards", "CategoryCount").objects.create(unit=unit, category=category, planned=5)
        old.get_model("dashboards", "OpenDeadlineCount").objects.create(
            unit=unit, owner_type="leadership_team", deadline=datetime.date(2021, 6, 30), open_items=3
        )
        old.get_model("dashboards", "CompletionWeekCount").objects.create(
            unit=unit, week=datetime.date(2021, 6, 7), completed=2
        )
        old.get_model("items", "ImportJob").objects.create(
            unit=unit, requested_by=user, file="imports/a.xlsx", original_name="台账.xlsx", status="done", attempts=1
        )
        old.get_model("items", "ExportJob").objects.create(requested_by=user, file_format="csv", status="running")
        generated = timezone.now().replace(microsecond=0)
        old.get_model("reports", "Report").objects.create(
            kind="weekly",
            period_start=datetime.date(2021, 6, 7),
            period_end=datetime.date(2021, 6, 13),
            unit=unit,
            status="complete",
            claim_token=uuid.uuid4(),
            generated_at=generated,
        )
        before = table_counts()

        # when
        migrate(latest)

        # then: every table keeps its rows, under the same names, read now through the new apps' models
        after = table_counts()
        assert {table: after[table] for table in before if table != "django_migrations"} == {
            table: count for table, count in before.items() if table != "django_migrations"
        }
        assert all(after[table] == 1 for table in MOVED_TABLES)
        assert StatusCount.objects.values_list("in_progress", "closed").get() == (3, 2)
        assert CategoryCount.objects.get().planned == 5
        assert ImportJob.objects.get().original_name == "台账.xlsx"
        assert ExportJob.objects.get().status == "running"
        report = Report.objects.get()
        assert report.finished_at == report.generated_at == generated
    finally:
        migrate(latest)
