"""The rollup counters: kept right by every service and bulk path, right on any day, rebuilt on demand."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.dashboards.selectors import dashboard_build
from apps.items.bulk import item_bulk_create
from apps.items.counters.models import OpenDeadlineCount, StatusCount
from apps.items.counters.writes import (
    counters_add_items,
    counters_count_from_items,
    counters_follow,
    counters_rebuild,
    counters_stored,
)
from apps.items.models import Action, Category, ItemKind, OwnerType, Status, WorkItem, overdue_q, today_local
from apps.items.services import item_resume, item_update
from apps.org.models import UnitLevel
from apps.org.paths import subtree_q
from apps.org.services import unit_create
from tests.dashboards.counting import SPREAD_FIGURES
from tests.factories import WorkItemFactory


def figures_of(dashboard) -> tuple:
    """Everything a dashboard counts, in a form two dashboards can be compared by."""
    return (
        [(row.owner_type, row.figures) for row in dashboard.owner_type_rows],
        dashboard.total,
        [(row.unit, row.figures) for row in dashboard.child_rows],
        [(row.status, row.count) for row in dashboard.status_rows],
        [(row.category, row.figures) for row in dashboard.category_rows],
        [(point.week, point.completed) for point in dashboard.trend],
        dashboard.overdue_items,
        dashboard.key_items,
    )


def assert_counters_match_the_items(leader, *units) -> None:
    # every cell of every counter table, against a GROUP BY over the items rolled up the tree
    assert counters_rebuild(write=False) == []
    # and what a dashboard shows, against the naive count over the subtree's items
    for unit in units:
        from_counters = dashboard_build(user=leader, unit=unit)
        from_items = dashboard_build(user=leader, unit=unit, items=WorkItem.objects.in_subtree(unit.path))
        assert figures_of(from_counters) == figures_of(from_items)


def test_counters_follow_every_change_the_services_and_bulk_paths_make(
    make_item, perform, actor_for, leader, owner, city, district, township, sibling_district
):
    # given: items in every state, each brought there through the services
    items = {status: make_item(status) for status in Status}
    make_item(Status.CLOSED, unit=township, deadline=today_local() - datetime.timedelta(days=3))

    # when: every action that keeps the status, every move, edits of counted fields, resuming
    for action in (Action.PUBLISH, Action.CLAIM, Action.ASSIGN):
        perform(action, item=items[Status.APPROVED], by=actor_for(action))
    perform(Action.POST_PROGRESS, item=items[Status.IN_PROGRESS], by=owner)
    late = today_local() - datetime.timedelta(days=10)
    housing = Category.objects.get(code="housing")
    item_update(item=items[Status.DRAFT], by=owner, deadline=late, category=housing)
    item_update(item=items[Status.RETURNED], by=owner, deadline=late)
    item_resume(item=items[Status.SUSPENDED], by=leader)
    perform(Action.RETURN, item=items[Status.COMPLETED], by=actor_for(Action.RETURN))
    perform(Action.START, item=items[Status.COMPLETED], by=owner)
    perform(Action.CANCEL, item=items[Status.SUBMITTED], by=leader)
    assert_counters_match_the_items(leader, city, district, township)

    # and when: items are created in bulk (the ledger import's path) and changed in bulk
    new = [
        WorkItem(
            unit=unit,
            responsible_unit=unit,
            kind=ItemKind.SERVICE_LIST,
            owner_type=OwnerType.PARTY_MEMBER,
            owner_person=owner,
            title=f"批量事项{n}",
            category=housing,
            deadline=today_local() + datetime.timedelta(days=n - 3),
        )
        for n, unit in enumerate([district, township, township, district, township])
    ]
    created = item_bulk_create(by=owner, items=new)
    with counters_follow(item.pk for item in created):
        WorkItem.objects.filter(pk__in=[created[0].pk, created[1].pk]).update(
            status=Status.COMPLETED, completed_on=today_local()
        )
        WorkItem.objects.filter(pk=created[2].pk).update(deadline=late, unit=sibling_district)
    raw = WorkItem(
        unit=township,
        responsible_unit=township,
        kind=ItemKind.LIVELIHOOD_PLAN,
        owner_type=OwnerType.GRASSROOTS_ORGANISATION,
        number="RAW-2021-0001",
        year=2021,
        sequence=1,
        title="直接写入的事项",
        category=housing,
        deadline=late,
        status=Status.IN_PROGRESS,
    )
    WorkItem.objects.bulk_create([raw])
    counters_add_items([raw])

    # then
    assert_counters_match_the_items(leader, city, district, township, sibling_district)


def test_counters_read_by_status_equal_a_direct_count_in_every_unit(make_item, leader, city, district, township):
    for status in Status:
        make_item(status)
        make_item(status, unit=township)

    for unit in (city, district, township):
        rows = StatusCount.objects.filter(unit=unit)
        for status in Status:
            direct = WorkItem.objects.filter(subtree_q(unit.path, "unit__path"), status=status).count()
            assert sum(getattr(row, status) for row in rows) == direct


def test_overdue_is_right_just_after_midnight_with_no_job_run(make_item, leader, city):
    # given: items due on 10 June being delivered, one suspended, one draft, one done
    deadline = datetime.date(2030, 6, 10)
    for status in (Status.APPROVED, Status.IN_PROGRESS, Status.RETURNED, Status.SUSPENDED, Status.DRAFT):
        make_item(status, deadline=deadline)
    make_item(Status.CLOSED, deadline=deadline)
    zone = timezone.get_current_timezone()

    def overdue_at(moment: datetime.datetime) -> tuple[int, int]:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            shown = dashboard_build(user=leader, unit=city).total.overdue
            direct = WorkItem.objects.filter(overdue_q()).count()
        return shown, direct

    # then: nothing is overdue on the last minute of the deadline day, in Asia/Shanghai
    assert overdue_at(datetime.datetime(2030, 6, 10, 23, 59, 59, tzinfo=zone)) == (0, 0)
    # and the ones being delivered (not the suspended one, the draft or the closed one) are, one second after midnight
    assert overdue_at(datetime.datetime(2030, 6, 11, 0, 0, 1, tzinfo=zone)) == (3, 3)
    # 16:00 UTC on the 10th is already the 11th in Shanghai
    assert overdue_at(datetime.datetime(2030, 6, 10, 16, 0, 1, tzinfo=datetime.UTC)) == (3, 3)


def test_subtree_figures_are_read_from_the_counters_not_counted_from_items(make_item, leader, city, township):
    for status in Status:
        make_item(status)
        make_item(status, unit=township)

    with CaptureQueriesContext(connection) as queries:
        dashboard_build(user=leader, unit=city)

    # the supervision notices (thousands, not millions) are counted in one GROUP BY over the notices, joined
    # to their items for the owning unit's path: never over the items themselves
    on_notices = [query["sql"] for query in queries if "supervision_notice" in query["sql"]]
    assert len(on_notices) == 1
    assert 'FROM "supervision_notice"' in on_notices[0]
    # so are the citizens' requests, joined to their items for whether a linked item is closed
    on_requests = [query["sql"] for query in queries if 'FROM "public_citizenrequest"' in query["sql"]]
    assert len(on_requests) == 1
    counted_apart = on_notices + on_requests
    on_items = [
        query["sql"] for query in queries if "items_workitem" in query["sql"] and query["sql"] not in counted_apart
    ]
    # only the two short lists (overdue, key items) read item rows; no figure is a GROUP BY over items
    assert len(on_items) <= 2
    assert not any("GROUP BY" in sql for sql in on_items)


def test_open_deadline_rows_go_when_nothing_is_open_any_more(make_item, perform, actor_for, district):
    item = make_item(Status.IN_PROGRESS)
    assert OpenDeadlineCount.objects.filter(unit=district, deadline=item.deadline).exists()

    perform(Action.COMPLETE, item=item, by=actor_for(Action.COMPLETE))

    assert not OpenDeadlineCount.objects.filter(deadline=item.deadline).exists()


def test_rebuild_counters_reports_drift_and_repairs_it(make_item, district, city):
    # given: counters that no longer match the items
    make_item(Status.IN_PROGRESS)
    make_item(Status.CLOSED)
    StatusCount.objects.filter(unit=city).update(draft=5)
    OpenDeadlineCount.objects.filter(unit=district).delete()

    # when: checked, the command fails and names each drifted cell
    output = StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_counters", "--check", stdout=output)
    lines = output.getvalue().splitlines()
    assert any(line.startswith("drift: StatusCount") and "draft: stored 5, counted 0" in line for line in lines)
    assert any(line.startswith("drift: OpenDeadlineCount") for line in lines)
    assert counters_stored() != counters_count_from_items()

    # then: rebuilt, they match again
    call_command("rebuild_counters", stdout=StringIO())
    output = StringIO()
    call_command("rebuild_counters", "--check", stdout=output)  # no CommandError: nothing drifted
    assert "drift:" not in output.getvalue()
    assert counters_stored() == counters_count_from_items()


def test_dashboard_overdue_list_is_the_ten_longest_overdue_whatever_the_counters_bound(
    leader, owner, city, district, township
):
    # given: 25 overdue items over the subtree, several sharing the deadline where the tenth one falls,
    # and items that are not overdue (due today, closed past the deadline, a draft) with earlier deadlines
    today = today_local()
    overdue = []
    for days_late, unit in [(40, district), (35, township), (30, district), (30, township), (20, district)]:
        overdue.append(WorkItemFactory(unit=unit, by=owner, deadline=today - datetime.timedelta(days=days_late)))
    for index in range(20):
        unit = township if index % 2 else district
        overdue.append(WorkItemFactory(unit=unit, by=owner, deadline=today - datetime.timedelta(days=10 - index % 3)))
    due_today = WorkItemFactory(unit=district, by=owner, deadline=today)
    being_delivered = [item.pk for item in [*overdue, due_today]]
    WorkItem.objects.filter(pk__in=being_delivered).update(status=Status.IN_PROGRESS)
    closed = WorkItemFactory(unit=district, by=owner, deadline=today - datetime.timedelta(days=90))
    WorkItem.objects.filter(pk=closed.pk).update(status=Status.CLOSED, completed_on=today)
    WorkItemFactory(unit=township, by=owner, deadline=today - datetime.timedelta(days=90))  # a draft: no commitment
    counters_rebuild(write=True)

    # when
    listed = dashboard_build(user=leader, unit=city).overdue_items

    # then: the ten with the earliest deadlines, ties by number of entry, as counted from the items
    expected = sorted(overdue, key=lambda item: (item.deadline, item.pk))[:10]
    assert [item.pk for item in listed] == [item.pk for item in expected]
    from_items = dashboard_build(user=leader, unit=city, items=WorkItem.objects.in_subtree(city.path)).overdue_items
    assert listed == from_items
    # and: a unit with nothing overdue lists nothing
    quiet = unit_create(name="呈贡区", code="CG", level=UnitLevel.COUNTY, parent=city)
    assert dashboard_build(user=leader, unit=quiet).overdue_items == []


def test_migration_recounts_counters_kept_under_the_former_rule(spread, leader, district):
    # given: counters as the former rule kept them, a late draft and the district's draft and submitted items
    # counted as planned (and the late draft as overdue), in the district's category row too
    from importlib import import_module

    from django.apps import apps as django_apps

    from apps.items.counters.writes import CATEGORY_TABLE, DEADLINE_TABLE, CounterDeltas

    former = CounterDeltas()
    for item in WorkItem.objects.filter(status__in=[Status.DRAFT, Status.SUBMITTED]).select_related("unit"):
        former.paths[item.unit_id] = item.unit.path
        former.add_counts(CATEGORY_TABLE, item.unit_id, (item.category_id,), "planned", 1)
        former.add_counts(DEADLINE_TABLE, item.unit_id, (item.owner_type, item.deadline), "open_items", 1)
    former.apply()
    assert dashboard_build(user=leader, unit=district).total.overdue == 2

    # when: the migration of the new rule runs
    migration = import_module("apps.items.migrations.0009_planned_counts_only_approved_items")
    migration.recount(django_apps, None)

    # then: the figures worked out by hand, and no drift left
    total = dashboard_build(user=leader, unit=district).total
    assert (total.planned, total.completed, total.overdue) == SPREAD_FIGURES["district"]
    category_planned = sum(row.figures.planned for row in dashboard_build(user=leader, unit=district).category_rows)
    assert category_planned == SPREAD_FIGURES["district"][0]
    assert counters_rebuild(write=False) == []
