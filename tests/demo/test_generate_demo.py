"""generate_demo: the plan it writes reproduces Kunming's figures exactly, and a small run writes that plan."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.core.rates import completion_rate
from apps.dashboards.selectors import dashboard_build
from apps.demo.generator import KUNMING_2021, kunming_plan, synthetic_fanout, synthetic_plan
from apps.items.counters.writes import counters_rebuild
from apps.items.models import DONE_STATUSES, KIND_OF_OWNER_TYPE, OwnerType, Status, WorkItem, overdue_q
from apps.org.models import Unit, UnitLevel
from tests.dashboards.counting import COMPLETED, PLANNED

pytestmark = pytest.mark.django_db


def planned_and_completed(counts: dict[str, int]) -> tuple[int, int]:
    return (
        sum(count for status, count in counts.items() if status in PLANNED),
        sum(count for status, count in counts.items() if status in COMPLETED),
    )


def test_kunming_plan_is_exactly_the_four_figures_of_domain_md():
    plan = kunming_plan()

    figures = {owner_type: planned_and_completed(counts) for owner_type, counts in plan.items()}

    assert figures == {
        OwnerType.LEADERSHIP_TEAM: (1_248, 432),
        OwnerType.TEAM_MEMBER: (2_410, 902),
        OwnerType.GRASSROOTS_ORGANISATION: (21_776, 12_471),
        OwnerType.PARTY_MEMBER: (291_528, 168_288),
    }
    rates = [str(completion_rate(completed=done, planned=planned)) for planned, done in figures.values()]
    assert rates == ["34.6", "37.4", "57.3", "57.7"]
    # every status is used: cancelled items, drafts and items awaiting approval come on top of the planned ones
    assert all(counts[status] > 0 for counts in plan.values() for status in Status)


def test_synthetic_plan_and_tree_have_the_size_asked_for():
    plan = synthetic_plan(2_000_000)

    assert sum(sum(counts.values()) for counts in plan.values()) == 2_000_000
    party = planned_and_completed(plan[OwnerType.PARTY_MEMBER])
    assert abs(party[1] / party[0] - 168_288 / 291_528) < 0.001
    fanout = synthetic_fanout(15_000, levels=5)
    assert len(fanout) == 4
    sizes = [1]
    for children in fanout:
        sizes.append(sizes[-1] * children)
    assert 14_000 <= sum(sizes) <= 16_000


def test_generate_demo_kunming_profile_writes_its_plan_under_a_fresh_root(leader, city):
    # given: a database that already holds a tree (the fixtures' city)
    output = StringIO()

    # when: a small run of the profile
    call_command("generate_demo", "--profile=kunming-2021", "--scale=0.002", "--as-of=2021-07-15", stdout=output)

    # then: a new root with the Kunming districts, and exactly the planned items per owner type and status
    root = Unit.objects.filter(parent=None).exclude(pk=city.pk).get()
    assert root.name == "昆明市" and root.code in output.getvalue()
    assert set(root.children.filter(level=UnitLevel.COUNTY).values_list("name", flat=True)) >= {"五华区", "安宁市"}
    items = WorkItem.objects.in_subtree(root.path)
    written = Counter(items.values_list("owner_type", "status"))
    plan = kunming_plan(0.002)
    assert written == Counter({(o, s): n for o, counts in plan.items() for s, n in counts.items() if n})

    # the items are what the services would accept, dated around the day of the story
    for item in items.select_related("unit")[:300]:
        item.full_clean(exclude=["number"], validate_unique=False, validate_constraints=False)
        assert item.kind == KIND_OF_OWNER_TYPE[item.owner_type]
        assert item.completed_on is None or item.completed_on <= datetime.date(2021, 7, 15)
    assert items.filter(status__in=DONE_STATUSES, completed_on__isnull=True).count() == 0
    assert User.objects.filter(unit__path__startswith=root.path).exists()

    # and the counters were adjusted in bulk: no drift, and the dashboard equals a direct count
    assert counters_rebuild(write=False) == []
    superuser = User(is_superuser=True)
    dashboard = dashboard_build(user=superuser, unit=root)
    by_owner_type = {row.owner_type: (row.figures.planned, row.figures.completed) for row in dashboard.owner_type_rows}
    assert by_owner_type == {owner_type: planned_and_completed(counts) for owner_type, counts in plan.items()}
    assert dashboard.total.overdue == items.filter(overdue_q()).count()


def test_generate_demo_synthetic_tree(db):
    call_command("generate_demo", items=3_000, units=60, levels=4, stdout=StringIO())

    root = Unit.objects.get(parent=None)
    assert WorkItem.objects.in_subtree(root.path).count() == 3_000
    assert set(Unit.objects.values_list("depth", flat=True)) == {0, 1, 2, 3}
    assert 40 <= Unit.objects.count() <= 90
    assert counters_rebuild(write=False) == []


def test_generate_demo_needs_one_shape(db):
    with pytest.raises(CommandError):
        call_command("generate_demo", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("generate_demo", profile="kunming-2021", items=10, stdout=StringIO())
    assert KUNMING_2021[OwnerType.PARTY_MEMBER] == (291_528, 168_288)
