"""A user of one district reads and writes nothing of another, through every endpoint of the API.

The outsider works in 盘龙区 and holds every role but system administrator; the objects belong to 五华区.
"""

from __future__ import annotations

import pytest

from apps.items.models import Status, WorkItem
from apps.items.services import item_post_progress
from apps.reports.models import Report
from tests.api.conftest import complete_report, if_match, png
from tests.factories import WorkItemFactory

# For each write, an item state in which the write would be allowed to the right person.
WRITES = {
    "submit": Status.DRAFT,
    "approve": Status.SUBMITTED,
    "publish": Status.APPROVED,
    "start": Status.APPROVED,
    "complete": Status.IN_PROGRESS,
    "close": Status.COMPLETED,
    "return": Status.COMPLETED,
    "suspend": Status.IN_PROGRESS,
    "resume": Status.SUSPENDED,
    "cancel": Status.IN_PROGRESS,
    "claim": Status.IN_PROGRESS,
    "assign": Status.IN_PROGRESS,
    "progress": Status.IN_PROGRESS,
    "update": Status.DRAFT,
    "partial_update": Status.DRAFT,
}


def write(client, item: WorkItem, name: str, district):
    """Send the write `name` for `item` with inputs that would be valid for someone in scope."""
    url = f"/api/v1/items/{item.pk}/"
    if name == "update":
        return client.put(
            url,
            {"title": "改名", "category": item.category_id, "deadline": "2030-01-01"},
            format="json",
            **if_match(item),
        )
    if name == "partial_update":
        return client.patch(url, {"title": "改名"}, format="json", **if_match(item))
    if name == "assign":
        return client.post(f"{url}assign/", {"responsible_unit": district.pk}, format="json")
    if name == "progress":
        return client.post(f"{url}progress/", {"note": "已完工", "percent": 90, "files": [png()]}, format="multipart")
    return client.post(f"{url}{name}/", {"reason": "核查不合格"}, format="json")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_api_lists_show_an_outsider_nothing_of_another_district(
    api, outsider, owner, make_item, district, township, sibling_district
):
    # given: 五华区's item, report and people; and one item of the outsider's own district
    item = make_item(Status.IN_PROGRESS)
    report = complete_report(district)
    own_item = WorkItemFactory(unit=sibling_district, by=outsider)
    client = api(outsider)

    # when / then
    assert ids(client.get("/api/v1/items/")) == {own_item.pk}
    assert item.pk not in ids(client.get("/api/v1/items/?q=老旧小区"))
    assert ids(client.get("/api/v1/units/")) == {sibling_district.pk}
    assert ids(client.get("/api/v1/people/")) == {outsider.pk}
    assert report.pk not in ids(client.get("/api/v1/reports/"))
    assert ids(client.get("/api/v1/reports/")) == set()


def test_api_filters_refuse_an_outsider_the_units_of_another_district(api, outsider, make_item, district):
    make_item(Status.IN_PROGRESS)
    client = api(outsider)

    for url in (
        f"/api/v1/items/?unit={district.pk}",
        f"/api/v1/items/?responsible_unit={district.pk}",
        f"/api/v1/units/?within={district.pk}",
        f"/api/v1/units/?parent={district.pk}",
        f"/api/v1/people/?unit={district.pk}",
        f"/api/v1/reports/?unit={district.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert set(response.json()) == {"detail", "errors"}


def test_api_objects_of_another_district_do_not_exist_for_an_outsider(
    api, outsider, owner, make_item, district, township
):
    # given: an item with an evidence file, a complete report, the people and the units of 五华区
    item = make_item(Status.IN_PROGRESS)
    update = item_post_progress(item=item, by=owner, note="已铺设管网", percent=40, files=[png()])
    evidence = update.evidence.get()
    report = complete_report(district)
    client = api(outsider)

    # when / then: every read answers 404 in JSON, the same as for an id that does not exist
    for url in (
        f"/api/v1/items/{item.pk}/",
        f"/api/v1/items/{item.pk}/evidence/{evidence.pk}/",
        f"/api/v1/units/{district.pk}/",
        f"/api/v1/units/{township.pk}/",
        f"/api/v1/people/{owner.pk}/",
        f"/api/v1/reports/{report.pk}/",
        f"/api/v1/reports/{report.pk}/download/xlsx/",
        f"/api/v1/reports/{report.pk}/download/csv/",
        f"/api/v1/reports/{report.pk}/download/pdf/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "未找到。"}, url


@pytest.mark.parametrize("name", list(WRITES))
def test_api_outsider_cannot_change_an_item_of_another_district(
    name, api, outsider, make_item, item_state, district, sibling_district, media_root
):
    # given: an item of 五华区 in a state where this write is allowed to the right person
    item = make_item(WRITES[name])
    before = item_state(item)
    files_before = sorted(media_root.rglob("*"))

    # when: the outsider, who holds every role, sends it with valid inputs for their own district
    response = write(api(outsider), item, name, sibling_district)

    # then: the item does not exist for them, and nothing changed or was stored
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    assert item_state(item) == before
    assert sorted(media_root.rglob("*")) == files_before


def test_api_outsider_cannot_create_into_another_district(api, outsider, district, sibling_district):
    # given
    client = api(outsider)
    own_item = WorkItemFactory(unit=sibling_district, by=outsider)
    count = WorkItem.objects.count()

    # when: an item in 五华区, their own item handed to 五华区, a report of 五华区
    created = client.post(
        "/api/v1/items/",
        {
            "kind": "livelihood_plan",
            "owner_type": "leadership_team",
            "unit": district.pk,
            "title": "越界立项",
            "category": own_item.category_id,
            "deadline": "2030-01-01",
        },
        format="json",
    )
    handed = client.post(f"/api/v1/items/{own_item.pk}/assign/", {"responsible_unit": district.pk}, format="json")
    reported = client.post("/api/v1/reports/", {"kind": "weekly", "day": "2021-06-09", "unit": district.pk})

    # then: the district is not a choice they have, and nothing was written
    assert created.status_code == 400
    assert created.json()["errors"] == {"unit": [f"无效主键 “{district.pk}” － 对象不存在。"]}
    assert handed.status_code == 400
    assert list(handed.json()["errors"]) == ["responsible_unit"]
    assert reported.status_code == 400
    assert list(reported.json()["errors"]) == ["unit"]
    assert WorkItem.objects.count() == count
    assert WorkItem.objects.get(pk=own_item.pk).responsible_unit == sibling_district
    assert not Report.objects.exists()


def test_api_leader_above_reads_the_subtree(api, leader, make_item, township, owner, district, sibling_district):
    # given: the same objects the outsider was refused, seen by a leader of the city above
    item = make_item(Status.IN_PROGRESS)
    township_item = WorkItemFactory(unit=township, by=owner)
    report = complete_report(district)
    client = api(leader)

    # then
    assert ids(client.get("/api/v1/items/")) == {item.pk, township_item.pk}
    assert client.get(f"/api/v1/items/{item.pk}/").status_code == 200
    assert {district.pk, township.pk, sibling_district.pk} <= ids(client.get("/api/v1/units/"))
    assert owner.pk in ids(client.get("/api/v1/people/"))
    assert ids(client.get("/api/v1/reports/")) == {report.pk}
    assert client.get(f"/api/v1/reports/{report.pk}/download/csv/").status_code == 200
