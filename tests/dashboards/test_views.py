"""The leader's dashboard: the right figures, scoped to the leader's subtree, each a link to its items."""

import datetime
import re

import pytest
from django.urls import reverse

from apps.dashboards.selectors import dashboard_build
from apps.items.models import DONE_STATUSES, ItemKind, OwnerType, Status, WorkItem, overdue_q, today_local
from apps.org.models import subtree_q
from tests.factories import WorkItemFactory

ALL_STATUSES = list(Status)


@pytest.fixture
def spread(make_item, township, owner):
    """Items in every state in the district, plus an overdue draft in the township below it."""
    items = [make_item(status) for status in ALL_STATUSES]
    items.append(WorkItemFactory(unit=township, by=owner, deadline=today_local() - datetime.timedelta(days=1)))
    return items


def direct_counts(unit, **filters) -> tuple[int, int, int]:
    items = WorkItem.objects.filter(subtree_q(unit.path, "unit__path"), **filters)
    return (
        items.exclude(status=Status.CANCELLED).count(),
        items.filter(status__in=DONE_STATUSES).count(),
        items.filter(overdue_q()).count(),
    )


def test_dashboard_totals_equal_a_direct_count(spread, leader, city, district, township):
    dashboard = dashboard_build(user=leader, unit=city)

    total = dashboard.total
    assert (total.planned, total.completed, total.overdue) == direct_counts(city)
    assert (total.planned, total.completed, total.overdue) == (len(spread) - 1, 2, 1)
    for row in dashboard.owner_type_rows:
        figures = row.figures
        assert (figures.planned, figures.completed, figures.overdue) == direct_counts(city, owner_type=row.owner_type)
    by_unit = {row.unit: row.figures for row in dashboard.child_rows}
    assert (by_unit[district].planned, by_unit[district].completed, by_unit[district].overdue) == direct_counts(
        district
    )


def test_dashboard_counts_the_units_own_items_in_a_row_of_their_own(spread, leader, district, township):
    dashboard = dashboard_build(user=leader, unit=district)

    own = next(row for row in dashboard.child_rows if row.unit is None)
    below = next(row for row in dashboard.child_rows if row.unit == township)
    assert own.figures.planned == direct_counts(district)[0] - direct_counts(township)[0]
    assert (below.figures.planned, below.figures.overdue) == (1, 1)


def test_dashboard_reproduces_the_kunming_leadership_figures(leader, city, district, owner):
    # given: raw items in the proportions Kunming reported (DOMAIN.md), plus cancelled ones that must not count
    from apps.items.models import Category

    category = Category.objects.get(code="other")
    deadline = today_local() + datetime.timedelta(days=30)
    rows = [
        (OwnerType.LEADERSHIP_TEAM, ItemKind.LIVELIHOOD_PLAN, 1248, 432),
        (OwnerType.TEAM_MEMBER, ItemKind.SERVICE_LIST, 2410, 902),
    ]
    items = []
    for owner_type, kind, planned, completed in rows:
        for n in range(planned + 7):
            status = Status.CANCELLED if n >= planned else (Status.CLOSED if n < completed else Status.IN_PROGRESS)
            items.append(
                WorkItem(
                    number=f"{owner_type}-{n}",
                    year=2021,
                    sequence=len(items) + 1,
                    kind=kind,
                    owner_type=owner_type,
                    unit=district,
                    owner_person=owner if kind == ItemKind.SERVICE_LIST else None,
                    responsible_unit=district,
                    title="民生实事",
                    category=category,
                    deadline=deadline,
                    status=status,
                )
            )
    WorkItem.objects.bulk_create(items, batch_size=500)

    # when
    dashboard = dashboard_build(user=leader, unit=city)

    # then
    rates = {
        row.owner_type: (row.figures.planned, row.figures.completed, str(row.figures.rate))
        for row in dashboard.owner_type_rows
    }
    assert rates[OwnerType.LEADERSHIP_TEAM] == (1248, 432, "34.6")
    assert rates[OwnerType.TEAM_MEMBER] == (2410, 902, "37.4")
    assert dashboard.owner_type_rows[2].figures.rate is None


def test_dashboard_page_shows_a_dash_where_nothing_is_planned(client, leader, city):
    client.force_login(leader)

    page = client.get(reverse("dashboards:dashboard")).content.decode()

    rates = re.findall(r'class="num rate">([^<]*)<', page)
    assert rates and set(rates) == {"—"}


def test_dashboard_numbers_link_to_the_same_items(client, spread, leader, district):
    client.force_login(leader)
    page = client.get(reverse("dashboards:dashboard"), {"unit": district.pk}).content.decode()

    link = re.search(r'<a href="(/items/\?[^"]*stage=done[^"]*)">(\d+)</a>', page.replace("&amp;", "&"))
    listed = client.get(link.group(1)).context["page_obj"].paginator.count

    assert listed == int(link.group(2)) == direct_counts(district)[1]


def test_dashboard_of_a_unit_outside_the_subtree_does_not_exist(client, owner, city, sibling_district, leader):
    client.force_login(owner)
    assert client.get(reverse("dashboards:dashboard"), {"unit": city.pk}).status_code == 404
    client.force_login(leader)
    assert client.get(reverse("dashboards:dashboard"), {"unit": sibling_district.pk}).status_code == 200
    assert client.get(reverse("dashboards:dashboard"), {"unit": "abc"}).status_code == 404
