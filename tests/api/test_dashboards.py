"""The dashboard in the API: the page's figures, equal to a direct count, scoped like every endpoint."""

from __future__ import annotations

from apps.items.models import Status
from tests.dashboards.counting import SPREAD_FIGURES, direct_counts


def figures(row: dict) -> tuple[int, int, int]:
    return row["planned"], row["completed"], row["overdue"]


def test_dashboard_api_gives_the_figures_of_a_direct_count(api, spread, leader, city, district, township):
    # when
    response = api(leader).get(f"/api/v1/dashboards/{city.pk}/")

    # then
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["unit"]["id"] == city.pk
    assert figures(data["total"]) == direct_counts(city) == SPREAD_FIGURES["district"]
    for row in data["owner_types"]:
        assert figures(row) == direct_counts(city, owner_type=row["owner_type"])
    (child,) = data["children"]
    assert child["unit"]["id"] == district.pk
    assert child["has_children"] is True
    assert figures(child) == direct_counts(district)
    assert child["rate_text"] == "25.0%"  # 2 completed of 8 planned
    assert {row["status"]: row["count"] for row in data["statuses"]} == {status.value: 1 for status in Status} | {
        Status.DRAFT.value: 2,
        Status.SUSPENDED.value: 2,
        Status.IN_PROGRESS.value: 2,
    }
    assert [item["id"] for item in data["overdue_items"]] == [spread[-1].pk]


def test_dashboard_api_is_the_json_the_page_charts_read(api, client, spread, leader, district):
    client.force_login(leader)

    page = client.get(f"/dashboard/data/?unit={district.pk}&sort=-rate").json()
    served = api(leader).get(f"/api/v1/dashboards/{district.pk}/?sort=-rate").json()

    assert served == page


def test_dashboard_api_without_a_unit_is_the_callers_own(api, spread, owner, district):
    data = api(owner).get("/api/v1/dashboards/").json()

    assert data["unit"]["id"] == district.pk
    assert figures(data["total"]) == direct_counts(district) == SPREAD_FIGURES["district"]


def test_dashboard_api_refuses_the_outsider_and_the_anonymous(api, spread, outsider, district, city):
    for unit in (district, city):
        response = api(outsider).get(f"/api/v1/dashboards/{unit.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}
    assert api().get(f"/api/v1/dashboards/{district.pk}/").status_code == 401


def test_dashboard_api_names_a_wrong_sort(api, leader, city):
    response = api(leader).get(f"/api/v1/dashboards/{city.pk}/?sort=fastest")

    assert response.status_code == 400
    assert response.json()["errors"]["sort"] == ["请按以下之一排序：unit, rate, -rate, overdue, -overdue。"]


def test_dashboard_of_an_id_no_database_holds_is_not_found(api, client, leader):
    too_big = 2**64

    assert api(leader).get(f"/api/v1/dashboards/{too_big}/").status_code == 404
    client.force_login(leader)
    assert client.get(f"/dashboard/data/?unit={too_big}").status_code == 404
