"""A notice keeps its item's owning unit's path (Notice.unit_path), which the dashboards, the ranking and the
reports count it by without reading the units or the items: set when the notice is issued or escalated."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from apps.dashboards.notice_figures import notice_tallies
from apps.items.models import Action, WorkItem
from apps.items.services import item_apply_action
from apps.supervision.models import Notice, NoticeColour
from apps.supervision.notices import notice_escalate, notice_issue
from tests.conftest import official_of, travel_to
from tests.factories import WorkItemFactory

D = datetime.date


@pytest.fixture
def handed_over(perform, leader, district, township) -> WorkItem:
    """An item of 五华区 handed to its township 华山街道, being delivered."""
    with travel_to(D(2026, 9, 30)):
        item = WorkItemFactory(unit=district, by=leader, responsible_unit=township, deadline=D(2026, 12, 31))
        for action in (Action.SUBMIT, Action.APPROVE):
            perform(action, item=item, by=leader)
        return item_apply_action(item=WorkItem.objects.get(pk=item.pk), by=official_of(township), action=Action.START)


def test_a_notice_takes_the_owning_units_path_not_the_responsible_ones(
    handed_over, supervisor, city, district, township
) -> None:
    item = handed_over
    # when a supervisor issues a notice through the service, and escalates it
    with travel_to(D(2026, 10, 12)):
        blue = notice_issue(
            item=item, by=supervisor, colour=NoticeColour.BLUE, requirements="请反馈进展", reply_by=D(2026, 10, 16)
        )
    with travel_to(D(2026, 10, 15)):
        orange = notice_escalate(notice=blue, by=supervisor, reply_by=D(2026, 10, 22))

    # then both carry 五华区's path, and are counted in its branch, not in the township's
    assert set(Notice.objects.filter(pk__in=[blue.pk, orange.pk]).values_list("unit_path", flat=True)) == {
        district.path
    }
    assert not Notice.objects.exclude(unit_path=F("unit__path")).exists()
    with travel_to(D(2026, 10, 15)):
        city_tallies = notice_tallies(unit=city, today=D(2026, 10, 15))
        district_tallies = notice_tallies(unit=district, today=D(2026, 10, 15))
        township_tallies = notice_tallies(unit=township, today=D(2026, 10, 15))
    assert city_tallies.of(district).issued == 2
    assert (district_tallies.of(None).issued, district_tallies.of(township).issued) == (2, 0)
    assert township_tallies.total.issued == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_path_of_the_notices_already_issued(handed_over, supervisor, district) -> None:
    # given a notice issued before the column existed
    with travel_to(D(2026, 10, 12)):
        notice = notice_issue(
            item=handed_over,
            by=supervisor,
            colour=NoticeColour.RED,
            requirements="请反馈进展",
            reply_by=D(2026, 10, 16),
        )
    executor = MigrationExecutor(connection)
    executor.migrate([("supervision", "0002_notice_unit_and_answered_at")])

    # when the migration adding it runs
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then the notice holds its owning unit's path
    assert Notice.objects.get(pk=notice.pk).unit_path == district.path
