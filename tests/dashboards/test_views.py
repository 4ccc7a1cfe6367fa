"""The leader's dashboard: the right figures, scoped to the leader's subtree, each a link to its items."""

import datetime
import re

from django.urls import reverse

from apps.dashboards.selectors import dashboard_build
from apps.items.counters.writes import counters_add_items
from apps.items.models import Action, ItemKind, OwnerType, Status, WorkItem, today_local
from tests.conftest import official_of
from tests.dashboards.counting import SPREAD_FIGURES, direct_counts
from tests.factories import UnitFactory, WorkItemFactory

ALL_STATUSES = list(Status)


def test_dashboard_totals_equal_a_direct_count(spread, leader, city, district, township):
    dashboard = dashboard_build(user=leader, unit=city)

    total = dashboard.total
    assert (total.planned, total.completed, total.overdue) == direct_counts(city)
    assert (total.planned, total.completed, total.overdue) == SPREAD_FIGURES["district"]
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
    assert (own.figures.planned, own.figures.completed, own.figures.overdue) == SPREAD_FIGURES["district_own"]
    assert (below.figures.planned, below.figures.completed, below.figures.overdue) == SPREAD_FIGURES["township"]


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
    counters_add_items(items)  # every bulk write tells the rollup counters, as the bulk services do

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


# The JSON endpoint, the charts' source and the API's to be.


def page_figures(page: str) -> dict[str, tuple[int, ...]]:
    """The numbers of each row of the page's owner-type and child-unit tables, keyed by the row's data-*."""
    rows = re.findall(r'<tr data-(?:owner-type|unit)="([^"]+)">(.*?)</tr>', page, re.S)
    return {
        key: tuple(int(number) for number in re.findall(r'<td class="num">(?:<a href="[^"]*">)?(\d+)', cells))
        for key, cells in rows
    }


def test_dashboard_data_gives_the_same_figures_and_links_as_the_page(client, spread, leader, city, district):
    client.force_login(leader)

    page = client.get(reverse("dashboards:dashboard"), {"unit": city.pk}).content.decode().replace("&amp;", "&")
    data = client.get(reverse("dashboards:data"), {"unit": city.pk}).json()

    shown = page_figures(page)
    for row in data["owner_types"]:
        assert shown[row["owner_type"]] == (row["planned"], row["completed"], row["overdue"])
        assert f'<a href="{row["links"]["planned"]}">{row["planned"]}</a>' in page
    total = data["total"]
    assert shown["total"] == (total["planned"], total["completed"], total["overdue"])
    for row in data["children"]:
        assert shown[str(row["unit"]["id"])] == (row["planned"], row["completed"], row["overdue"])
        assert f'<a href="{row["links"]["overdue"]}">{row["overdue"]}</a>' in page
    assert [row["unit"]["id"] for row in data["children"]] == [district.pk]
    for row in data["categories"]:
        assert f'<a href="{row["links"]["completed"]}">{row["completed"]}</a>' in page
    assert {row["status"]: row["count"] for row in data["statuses"]} == {
        status: WorkItem.objects.filter(status=status).count() for status in Status
    }
    assert total["rate_text"] == "25.0%" and total["rate"] == 25.0  # 2 done of 8 planned


def test_dashboard_data_numbers_lead_to_lists_of_exactly_that_many_items(client, spread, leader, city):
    client.force_login(leader)
    data = client.get(reverse("dashboards:data"), {"unit": city.pk}).json()

    links = [(row["links"][name], row[name]) for row in data["owner_types"] for name in ("planned", "completed")]
    links += [(data["total"]["links"]["overdue"], data["total"]["overdue"])]
    links += [(point["link"], point["completed"]) for point in data["trend"] if point["completed"]]
    links += [(row["link"], row["count"]) for row in data["statuses"]]
    for link, count in links:
        assert client.get(link).context["page_obj"].paginator.count == count, link


def test_dashboard_data_outside_the_subtree_does_not_exist(client, owner, outsider, city, district):
    assert client.get(reverse("dashboards:data"), {"unit": district.pk}).status_code == 401
    client.force_login(owner)
    assert client.get(reverse("dashboards:data"), {"unit": city.pk}).status_code == 404
    assert client.get(reverse("dashboards:data"), {"unit": district.pk}).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("dashboards:data"), {"unit": district.pk}).status_code == 404
    assert client.get(reverse("dashboards:dashboard"), {"unit": district.pk}).status_code == 404


def test_dashboard_sorts_child_units_by_rate_and_by_overdue(client, make_item, perform, leader, city, district):
    # given: three districts: all done, a third done with two overdue, and nothing planned
    late_district = UnitFactory(name="官渡区", code="GD", parent=city)
    UnitFactory(name="晋宁区", code="JN", parent=city)
    make_item(Status.CLOSED)
    late = today_local() - datetime.timedelta(days=5)
    for deadline in (late, late, today_local()):
        item = WorkItemFactory(unit=late_district, by=leader, deadline=deadline)
        for action in (Action.SUBMIT, Action.APPROVE):
            perform(action, item=item, by=leader)
        perform(Action.START, item=item, by=official_of(late_district))
    perform(Action.COMPLETE, item=item, by=official_of(late_district))
    client.force_login(leader)

    def order(sort: str) -> list[str]:
        data = client.get(reverse("dashboards:data"), {"unit": city.pk, "sort": sort}).json()
        page = client.get(reverse("dashboards:dashboard"), {"unit": city.pk, "sort": sort}).content.decode()
        names = [row["unit"]["name"] for row in data["children"]]
        assert [int(pk) for pk in re.findall(r'<tr data-unit="(\d+)">', page)] == [
            row["unit"]["id"] for row in data["children"]
        ]
        return names

    # then: a unit with nothing planned ("—") comes last whichever way rates are sorted
    assert order("-rate") == ["五华区", "官渡区", "晋宁区"]
    assert order("rate") == ["官渡区", "五华区", "晋宁区"]
    assert order("-overdue")[0] == "官渡区"
    assert order("overdue")[-1] == "官渡区"
    assert order("unit") == order("nonsense") == [unit.name for unit in city.children.order_by("path")]
    assert district.name == "五华区"


def test_dashboard_lists_overdue_items_key_items_with_their_leaders_and_weekly_completions(
    client, make_item, perform, leader, city
):
    # given
    oldest = make_item(Status.RETURNED, deadline=today_local() - datetime.timedelta(days=30))
    make_item(Status.IN_PROGRESS, deadline=today_local() - datetime.timedelta(days=2))
    # Later than both, but a draft and an item awaiting approval are no commitments yet: not on the list.
    for status in (Status.DRAFT, Status.SUBMITTED):
        make_item(status, deadline=today_local() - datetime.timedelta(days=60))
    key = make_item(Status.APPROVED, is_key=True, key_level="city")
    perform(Action.CLAIM, item=key, by=leader)
    make_item(Status.COMPLETED)
    client.force_login(leader)

    # when
    data = client.get(reverse("dashboards:data"), {"unit": city.pk}).json()
    page = client.get(reverse("dashboards:dashboard"), {"unit": city.pk}).content.decode()

    # then
    assert [item["id"] for item in data["overdue_items"]][:1] == [oldest.pk]
    assert len(data["overdue_items"]) == 2
    assert data["overdue_items"][0]["days_overdue"] == 30
    assert [(item["id"], item["lead_leader"]) for item in data["key_items"]] == [(key.pk, "赵书记")]
    assert "赵书记" in page and oldest.number in page
    assert data["trend"][-1]["completed"] == 1 and len(data["trend"]) == 12
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page
    assert f'data-url="/dashboard/data/?unit={city.pk}&amp;sort=unit"' in page
