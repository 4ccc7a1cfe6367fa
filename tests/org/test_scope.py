"""The one scoping rule (org.scope): who reaches which unit, and every visible_to reading it alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.models import Role, User
from apps.items.models import WorkItem
from apps.org.models import Unit
from apps.org.scope import user_reaches
from apps.reports.models import Report
from apps.reports.periods import ReportKind
from tests.factories import UserFactory, WorkItemFactory

# Written out, not derived from the code: who of the cast reaches which unit of the tree.
REACHES = {
    "owner": {"五华区", "华山街道"},
    "colleague": {"五华区", "华山街道"},
    "outsider": {"盘龙区"},
    "leader": {"昆明市", "五华区", "华山街道", "盘龙区"},
    "system_admin": {"昆明市", "五华区", "华山街道", "盘龙区"},
    "no_unit": set(),
    "anonymous": set(),
}


@pytest.fixture
def cast(owner, colleague, outsider, leader, system_admin, township) -> dict[str, User | AnonymousUser]:
    no_unit = UserFactory(username="no_unit", unit=None, roles=[Role.LEADER, Role.REPORTING_STAFF])
    return {
        "owner": owner,
        "colleague": colleague,
        "outsider": outsider,
        "leader": leader,
        "system_admin": system_admin,
        "no_unit": no_unit,
        "anonymous": AnonymousUser(),
    }


def test_user_reaches_their_unit_and_below_and_nothing_else(cast):
    for name, user in cast.items():
        reached = {unit.name for unit in Unit.objects.all() if user_reaches(user, unit)}
        assert reached == REACHES[name], name


def test_units_people_items_and_reports_visible_to_follow_the_same_rule(cast, system_admin):
    # given: one item owned by each unit, a report and a person in each unit
    for unit in Unit.objects.all():
        WorkItemFactory(unit=unit, by=system_admin, title=f"{unit.name}的事项")
        Report.objects.create(kind=ReportKind.WEEKLY, period_start="2021-06-07", period_end="2021-06-13", unit=unit)
        UserFactory(username=f"member-{unit.pk}", unit=unit)

    for name, user in cast.items():
        expected = REACHES[name]
        # then: every visible_to gives exactly the reached units' rows
        assert {unit.name for unit in Unit.objects.visible_to(user)} == expected, name
        assert {item.unit.name for item in WorkItem.objects.visible_to(user)} == expected, name
        people = User.objects.visible_to(user).exclude(unit=None)
        assert {person.unit.name for person in people} == expected, name
        reports = Report.objects.visible_to(user)
        if user.is_authenticated and user.has_role(Role.LEADER, Role.REPORTING_STAFF, Role.SYSTEM_ADMIN):
            assert {report.unit.name for report in reports} == expected, name
        else:
            assert not reports.exists(), name


def test_people_without_a_unit_are_seen_only_by_those_who_reach_everything(cast):
    without_unit = {"system_admin", "no_unit"}

    assert {p.username for p in User.objects.visible_to(cast["system_admin"]) if p.unit_id is None} == without_unit
    assert not User.objects.visible_to(cast["leader"]).filter(unit=None).exists()
    assert not User.objects.visible_to(cast["no_unit"]).exists()


def test_an_item_handled_by_a_reached_unit_is_visible_to_it(leader, outsider, district, sibling_district):
    # given: an item of 五华区 assigned to 盘龙区
    item = WorkItemFactory(unit=district, by=leader, responsible_unit=sibling_district)

    assert WorkItem.objects.visible_to(outsider).get() == item
    assert user_reaches(outsider, item.responsible_unit) and not user_reaches(outsider, item.unit)
