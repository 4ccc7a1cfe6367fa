"""A report produced late describes its period as it stood at the end, rebuilt from the items' transitions."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from apps.items.models import Action, ItemTransition, OwnerType, Status, WorkItem
from apps.items.services import item_apply_action
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind, period_containing
from apps.reports.services import report_request, reports_produce
from tests.dashboards.counting import BEING_DELIVERED, COMPLETED, PLANNED
from tests.factories import WorkItemFactory
from tests.reports.conftest import WEEK_END, WEEK_START, travel_to

D = datetime.date
# The report of the week 2021-06-07 to 2021-06-13 is produced by hand a fortnight late.
PRODUCED_ON = D(2021, 6, 28)


@pytest.fixture
def late_story(actor_for, owner, outsider, district, township, sibling_district):
    """Items with moves during the week and after it; returns, per item, where it stood when the week ended."""

    def act(item, day: D, *actions: str, by=None):
        with travel_to(day):
            for action in actions:
                item = item_apply_action(item=item, by=by or actor_for(action, item), action=action, reason="核查")
        return item

    def new(day: D, **fields):
        with travel_to(day):
            return WorkItemFactory(by=fields.pop("by", owner), **fields)

    start = (Action.SUBMIT, Action.APPROVE, Action.START)
    items = {
        "completed_then_returned": new(D(2021, 6, 1), unit=district, deadline=D(2021, 6, 30)),
        "overdue_then_completed": new(D(2021, 6, 1), unit=district, deadline=D(2021, 6, 9), service_list=True),
        "overdue_then_cancelled": new(D(2021, 6, 1), unit=district, deadline=D(2021, 6, 4)),
        "returned_then_closed": new(D(2021, 6, 1), unit=district, deadline=D(2021, 6, 30)),
        "cancelled_in_week": new(D(2021, 6, 1), unit=township, deadline=D(2021, 6, 9)),
        "key_then_completed": new(
            D(2021, 6, 1), unit=district, deadline=D(2021, 12, 31), is_key=True, key_level="city"
        ),
        "done_before_returned_after": new(D(2021, 6, 1), unit=township, deadline=D(2021, 6, 20)),
        "closed_in_week": new(D(2021, 6, 1), unit=district, deadline=D(2021, 6, 12)),
        "sibling_completed_then_returned": new(
            D(2021, 6, 1), unit=sibling_district, deadline=D(2021, 6, 30), by=outsider
        ),
        "late_draft_approved_after": new(D(2021, 6, 1), unit=district, deadline=D(2021, 6, 8)),
    }
    # during and before the week
    act(items["completed_then_returned"], D(2021, 6, 2), *start)
    act(items["completed_then_returned"], D(2021, 6, 10), Action.COMPLETE)
    act(items["overdue_then_completed"], D(2021, 6, 2), *start)
    act(items["returned_then_closed"], D(2021, 6, 2), *start)
    act(items["returned_then_closed"], D(2021, 6, 8), Action.COMPLETE)
    act(items["returned_then_closed"], D(2021, 6, 11), Action.RETURN)
    act(items["overdue_then_cancelled"], D(2021, 6, 2), Action.SUBMIT, Action.APPROVE)
    act(items["cancelled_in_week"], D(2021, 6, 8), Action.CANCEL)
    act(items["key_then_completed"], D(2021, 6, 2), *start)
    act(items["done_before_returned_after"], D(2021, 6, 3), *start, Action.COMPLETE)
    act(items["closed_in_week"], D(2021, 6, 2), *start)
    act(items["closed_in_week"], D(2021, 6, 8), Action.COMPLETE)
    act(items["closed_in_week"], D(2021, 6, 9), Action.CLOSE)
    act(items["sibling_completed_then_returned"], D(2021, 6, 2), *start, Action.COMPLETE, by=outsider)
    # after the week: everything moves on
    act(items["completed_then_returned"], D(2021, 6, 15), Action.RETURN)
    act(items["overdue_then_completed"], D(2021, 6, 16), Action.COMPLETE)
    act(items["overdue_then_cancelled"], D(2021, 6, 20), Action.CANCEL)
    act(items["returned_then_closed"], D(2021, 6, 17), Action.START, Action.COMPLETE)
    act(items["returned_then_closed"], D(2021, 6, 18), Action.CLOSE)
    act(items["key_then_completed"], D(2021, 6, 21), Action.COMPLETE)
    act(items["done_before_returned_after"], D(2021, 6, 16), Action.RETURN)
    act(items["sibling_completed_then_returned"], D(2021, 6, 15), Action.RETURN)
    act(items["late_draft_approved_after"], D(2021, 6, 15), Action.SUBMIT, Action.APPROVE)
    created_after = new(D(2021, 6, 15), unit=district, deadline=D(2021, 6, 12))
    act(created_after, D(2021, 6, 16), *start, Action.COMPLETE)

    # Where each item stood at midnight ending Sunday 2021-06-13, read off the story above.
    status_at_end = {
        "completed_then_returned": Status.COMPLETED,
        "overdue_then_completed": Status.IN_PROGRESS,
        "overdue_then_cancelled": Status.APPROVED,
        "returned_then_closed": Status.RETURNED,
        "cancelled_in_week": Status.CANCELLED,
        "key_then_completed": Status.IN_PROGRESS,
        "done_before_returned_after": Status.COMPLETED,
        "closed_in_week": Status.CLOSED,
        "sibling_completed_then_returned": Status.COMPLETED,
        "late_draft_approved_after": Status.DRAFT,  # late, but no commitment yet: it counts nowhere
    }
    return items, status_at_end


def expected_figures(rows) -> dict:
    """Planned, completed, overdue and rate of (item, status at the end) pairs, counted plainly."""
    planned = [item for item, status in rows if status in PLANNED]
    completed = [item for item, status in rows if status in COMPLETED]
    overdue = [item for item, status in rows if status in BEING_DELIVERED and item.deadline <= WEEK_END]
    rate = None
    if planned:
        rate = str((Decimal(100) * len(completed) / len(planned)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return {"planned": len(planned), "completed": len(completed), "overdue": len(overdue), "rate": rate}


def test_snapshot_of_a_past_period_describes_it_as_it_stood_at_its_end(
    late_story, staff, city, district, sibling_district, django_capture_on_commit_callbacks
):
    # given: the week's items have all moved on since
    items, status_at_end = late_story
    rows = [(items[name], status) for name, status in status_at_end.items()]

    # when: the week's report is produced a fortnight late
    with travel_to(PRODUCED_ON), django_capture_on_commit_callbacks(execute=True):
        report = report_request(kind=ReportKind.WEEKLY, day=WEEK_START, unit=city, by=staff)
    report = Report.objects.get(pk=report.pk)

    # then: the figures are those of the end of the week
    assert report.status == ReportStatus.COMPLETE
    data = report.data
    figures = ("planned", "completed", "overdue", "rate")
    assert {name: data["total"][name] for name in figures} == expected_figures(rows)
    by_owner_type = {row["owner_type"]: {name: row[name] for name in figures} for row in data["owner_types"]}
    for owner_type in (OwnerType.LEADERSHIP_TEAM, OwnerType.PARTY_MEMBER):
        assert by_owner_type[owner_type] == expected_figures([r for r in rows if r[0].owner_type == owner_type])
    by_child = {row["name"]: {name: row[name] for name in figures} for row in data["children"]}
    assert by_child == {
        "五华区": expected_figures([r for r in rows if r[0].unit_id != sibling_district.pk]),
        "盘龙区": expected_figures([r for r in rows if r[0].unit_id == sibling_district.pk]),
    }

    # the period's lists, from the moves made during the week, each item with its status at the end
    def listed(key: str) -> dict[str, str]:
        return {row["number"]: row["status"] for row in data[f"{key}_items"]}

    def at_end(*names: str) -> dict[str, str]:
        return {items[name].number: status_at_end[name] for name in names}

    assert listed("completed") == at_end("completed_then_returned", "returned_then_closed", "closed_in_week")
    assert listed("closed") == at_end("closed_in_week")
    assert listed("returned") == at_end("returned_then_closed")
    # overdue at the end but not at the start of the week: a deadline within the week, open at the end
    assert listed("newly_overdue") == at_end("overdue_then_completed")
    assert listed("key") == at_end("key_then_completed")
    assert data["key_items"][0]["completed"] is False
    assert data["key_items"][0]["progress"] == 0  # it reached 100% only when completed, after the week
    assert [data[f"{key}_count"] for key in ("completed", "closed", "returned", "newly_overdue", "key")] == [
        3,
        1,
        1,
        1,
        1,
    ]


def test_snapshot_takes_items_without_transitions_at_their_current_state(owner, district, city):
    # given: items written straight into the table, as the demo generator does, without a transition row
    with travel_to(D(2021, 6, 1)):
        done_in_week, done_after, still_open, _draft = (
            WorkItemFactory(unit=district, by=owner, deadline=D(2021, 6, 10)) for _ in range(4)
        )
    ItemTransition.objects.all().delete()
    WorkItem.objects.filter(pk=still_open.pk).update(status=Status.IN_PROGRESS)
    WorkItem.objects.filter(pk=done_in_week.pk).update(status=Status.CLOSED, completed_on=D(2021, 6, 9))
    WorkItem.objects.filter(pk=done_after.pk).update(status=Status.COMPLETED, completed_on=D(2021, 6, 20))

    # when
    with travel_to(PRODUCED_ON):
        reports_produce(kind=ReportKind.WEEKLY, period=period_containing(ReportKind.WEEKLY, WEEK_START))

    # then: their current status stands, but a completion dated after the week had not happened by its end;
    # the draft counts nowhere
    total = Report.objects.get(unit=city, kind=ReportKind.WEEKLY).data["total"]
    assert (total["planned"], total["completed"], total["overdue"]) == (3, 1, 2)


def test_snapshot_lists_items_in_the_order_of_their_last_move_in_the_period(
    owner, leader, supervisor, district, city, make_item
):
    # given: A completed on Tuesday, returned, completed again on Saturday; B completed on Thursday
    with travel_to(D(2021, 6, 1)):
        first = make_item(Status.IN_PROGRESS, deadline=D(2021, 6, 30))
        second = make_item(Status.IN_PROGRESS, deadline=D(2021, 6, 30))
    for day, item, actions, by in [
        (D(2021, 6, 8), first, ["complete"], owner),
        (D(2021, 6, 9), first, ["return"], supervisor),
        (D(2021, 6, 9), first, ["start"], owner),
        (D(2021, 6, 10), second, ["complete"], owner),
        (D(2021, 6, 12), first, ["complete"], owner),
    ]:
        with travel_to(day):
            for action in actions:
                item_apply_action(item=item, by=by, action=action, reason="核查")

    # when
    with travel_to(PRODUCED_ON):
        reports_produce(kind=ReportKind.WEEKLY, period=period_containing(ReportKind.WEEKLY, WEEK_START))

    # then: one row each, in the order of their last completion: B (Thursday), then A (Saturday)
    rows = Report.objects.get(unit=city, kind=ReportKind.WEEKLY).data["completed_items"]
    assert [(row["number"], row["at"][:10]) for row in rows] == [
        (second.number, "2021-06-10"),
        (first.number, "2021-06-12"),
    ]
