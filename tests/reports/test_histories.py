"""A report of generated items with their recorded stories replays them: each item stands where its transitions
left it at the period's start and end, and the database's own counting (PostgreSQL) gives the plain loop's figures."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from apps.items.lights import schedule_start, yellow_from
from apps.items.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    PLANNED_STATUSES,
    ItemTransition,
    ProgressUpdate,
    Status,
    WorkItem,
    light_on,
)
from apps.org.models import Unit
from apps.org.supervision import SupervisionSettings
from apps.reports import snapshot
from apps.reports.periods import ReportKind, period_containing
from apps.reports.snapshot import snapshot_build, start_of
from apps.workdays.days import WorkCalendar
from tests.e2e.conftest import put_categories_back
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2021, 7, 15)
JUNE = period_containing(ReportKind.MONTHLY, datetime.date(2021, 6, 1))


@pytest.fixture
def province(db):
    """A generated province of 3,000 items, most with their stories, as of mid-July 2021."""
    call_command("generate_demo", items=3_000, units=60, levels=4, as_of=AS_OF, stdout=StringIO())
    return Unit.objects.get(parent=None)


def replayed(day: datetime.date) -> dict[int, str | None]:
    """Each item's status at the midnight starting `day`, read plainly off its transitions (the last one before it),
    or off the item itself when it has none (a completion dated after the moment not yet made)."""
    moment = start_of(day)
    last: dict[int, str | None] = {}
    for move in ItemTransition.objects.order_by("at", "id"):
        if move.at < moment:
            last[move.item_id] = move.to_status
        else:
            last.setdefault(move.item_id, None)
    statuses = {}
    for item in WorkItem.objects.all():
        if item.pk in last:
            statuses[item.pk] = last[item.pk]
        elif item.created_at >= moment:
            statuses[item.pk] = None
        elif item.status in DONE_STATUSES and (item.completed_on is None or item.completed_on >= day):
            statuses[item.pk] = Status.IN_PROGRESS
        else:
            statuses[item.pk] = item.status
    return statuses


def test_report_of_items_with_histories_replays_them(province):
    # given: a province whose items have recorded stories that moved on after June
    end_day = JUNE.end + datetime.timedelta(days=1)
    at_start, at_end = replayed(JUNE.start), replayed(end_day)
    assert ItemTransition.objects.filter(at__gte=start_of(end_day)).exists()
    moved = [pk for pk, status in at_end.items() if status and status != WorkItem.objects.get(pk=pk).status]
    assert moved, "some items stand elsewhere now than at the end of June"

    # when
    data = snapshot_build(unit=province, period=JUNE, previous_data=None)

    # then: the figures are those of the statuses replayed at the end of June
    items = {item.pk: item for item in WorkItem.objects.all()}
    planned = [pk for pk, status in at_end.items() if status in PLANNED_STATUSES]
    completed = [pk for pk, status in at_end.items() if status in DONE_STATUSES]
    overdue = [pk for pk, s in at_end.items() if s in ACTIVE_STATUSES and items[pk].deadline < end_day]
    total = data["total"]
    assert (total["planned"], total["completed"], total["overdue"]) == (len(planned), len(completed), len(overdue))
    newly = [pk for pk in overdue if not (at_start[pk] in ACTIVE_STATUSES and items[pk].deadline < JUNE.start)]
    assert data["newly_overdue_count"] == len(newly)
    key = [pk for pk in planned if items[pk].is_key]
    assert data["key_count"] == len(key)
    # the lights on the last evening of June, with the progress reported by then
    reported: dict[int, int] = {}
    for note in ProgressUpdate.objects.filter(at__lt=start_of(end_day)).order_by("at", "id"):
        reported[note.item_id] = note.percent
    with_history = set(ItemTransition.objects.values_list("item_id", flat=True))
    lights: Counter[str] = Counter()
    calendar, settings = WorkCalendar(), SupervisionSettings()
    for pk, status in at_end.items():
        item = items[pk]
        if status not in ACTIVE_STATUSES:
            continue
        progress = reported.get(pk, 0) if pk in with_history else item.progress_percent
        first = yellow_from(
            start=schedule_start(item.start_date, item.created_at),
            deadline=item.deadline,
            progress=progress,
            settings=settings,
            calendar=calendar,
        )
        lights[light_on(status, item.deadline, first, end_day)] += 1
    assert data["lights"]["total"] == {light: lights[light] for light in ("red", "yellow", "green")}
    assert sum(lights.values()) > 100


def test_database_counting_gives_the_plain_loops_figures(province, monkeypatch):
    require_postgres()
    # given: the report unit's children customise their supervision settings (a lights' input the SQL reads)
    child = Unit.objects.filter(parent=province).order_by("path").first()
    Unit.objects.filter(pk=child.pk).update(warning_days=10, lag_tolerance=5)

    for period in (JUNE, period_containing(ReportKind.WEEKLY, datetime.date(2021, 7, 5))):
        # when: the database counts, then the plain loop counts
        counted = snapshot_build(unit=province, period=period, previous_data=None)
        monkeypatch.setattr(snapshot, "_counts_in_database", lambda: False)
        plain = snapshot_build(unit=province, period=period, previous_data=None)
        monkeypatch.undo()

        # then: the same report, figure for figure and row for row
        assert counted == plain
        assert counted["total"]["planned"] > 1000


def test_database_counting_of_a_unit_down_the_tree(province, monkeypatch):
    require_postgres()
    county = Unit.objects.filter(depth=2).order_by("path").first()
    counted = snapshot_build(unit=county, period=JUNE, previous_data=None)
    monkeypatch.setattr(snapshot, "_counts_in_database", lambda: False)
    plain = snapshot_build(unit=county, period=JUNE, previous_data=None)
    assert counted == plain
    by_branch = defaultdict(int)
    for row in counted["children"]:
        by_branch[row["unit_id"]] += row["planned"]
    assert sum(by_branch.values()) + (counted["own"] or {}).get("planned", 0) == counted["total"]["planned"]


@pytest.fixture
def committed_province(transactional_db, django_db_blocker):
    """The generated province committed, so that other connections see it (PostgreSQL only)."""
    require_postgres()
    put_categories_back(django_db_blocker)  # an earlier committed test's flush may have taken them away
    call_command("generate_demo", items=3_000, units=60, levels=4, as_of=AS_OF, stdout=StringIO())
    return Unit.objects.get(parent=None)


def test_database_counting_in_parts_on_connections_of_their_own_gives_the_plain_loops_figures(
    committed_province, monkeypatch
):
    # given: outside a transaction, the items counted in three parts of their ids, each on a connection of its own
    monkeypatch.setattr(snapshot, "STANDING_PARTS", 3)
    parts: list[tuple[int, int] | None] = []
    counted_part = snapshot._groups_counted_in_database
    monkeypatch.setattr(
        snapshot,
        "_groups_counted_in_database",
        lambda *args, ids=None: parts.append(ids) or counted_part(*args, ids=ids),
    )

    # when: the database counts, then the plain loop counts
    counted = snapshot_build(unit=committed_province, period=JUNE, previous_data=None)
    monkeypatch.setattr(snapshot, "_counts_in_database", lambda: False)
    plain = snapshot_build(unit=committed_province, period=JUNE, previous_data=None)

    # then: three parts were counted, and together they give the plain loop's report
    assert len(parts) == 3 and None not in parts
    assert counted == plain
    assert counted["total"]["planned"] > 1000
