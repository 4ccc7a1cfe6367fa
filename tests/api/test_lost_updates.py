"""No silent lost updates through the API: GET answers the item's version as its ETag, an edit sends it back in
If-Match, and an edit from an older version is refused with 412 naming what changed since."""

from __future__ import annotations

import datetime

import pytest

from apps.items.models import Status, WorkItem


def test_api_item_stale_write_is_refused_with_412_naming_what_changed(api, owner, colleague, make_item):
    # given: A and B read the item and hold its ETag
    item = make_item(Status.IN_PROGRESS)
    url = f"/api/v1/items/{item.pk}/"
    read_a, read_b = api(owner).get(url), api(colleague).get(url)
    assert read_a["ETag"] == read_b["ETag"] == f'"{item.version}"'

    # when: A changes the title; B then writes a deadline with the ETag B read, by PATCH and by PUT
    a_write = api(owner).patch(url, {"title": "A 改的标题"}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    b_patch = api(colleague).patch(url, {"deadline": "2030-03-31"}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    body = {
        "title": "B 的标题",
        "category": item.category_id,
        "deadline": "2030-03-31",
        "responsible_unit": item.responsible_unit_id,
    }
    b_put = api(colleague).put(url, body, format="json", HTTP_IF_MATCH=read_b["ETag"])

    # then: A's write answers the new ETag; B's are refused, say what changed, and hand out the current ETag
    assert a_write.status_code == 200
    assert a_write["ETag"] != read_a["ETag"]
    for refused in (b_patch, b_put):
        assert refused.status_code == 412
        assert "标题" in refused.json()["detail"] and "张敏" in refused.json()["detail"]
        assert refused["ETag"] == a_write["ETag"]
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.title, fresh.deadline) == ("A 改的标题", item.deadline)

    # when: B retries with the current ETag
    retried = api(colleague).patch(url, {"deadline": "2030-03-31"}, format="json", HTTP_IF_MATCH=b_patch["ETag"])

    # then
    assert retried.status_code == 200
    assert WorkItem.objects.get(pk=item.pk).deadline == datetime.date(2030, 3, 31)


@pytest.mark.parametrize(("header", "status_code"), [(None, 428), ('"12345"', 412), ("not-a-version", 412)])
def test_api_item_write_without_the_current_etag_changes_nothing(api, owner, make_item, header, status_code):
    item = make_item(Status.IN_PROGRESS)
    headers = {"HTTP_IF_MATCH": header} if header else {}

    response = api(owner).patch(f"/api/v1/items/{item.pk}/", {"title": "改名"}, format="json", **headers)

    assert response.status_code == status_code
    assert response.json()["detail"]
    assert WorkItem.objects.get(pk=item.pk).title == item.title


def test_api_item_write_with_if_match_star_overwrites_on_purpose(api, owner, make_item):
    item = make_item(Status.IN_PROGRESS)

    response = api(owner).patch(f"/api/v1/items/{item.pk}/", {"title": "改名"}, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 200
    assert WorkItem.objects.get(pk=item.pk).title == "改名"


def test_api_schema_documents_the_etag_and_if_match(api, owner):
    schema = api(owner).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for method in ("put", "patch"):
        operation = schema["paths"]["/api/v1/items/{id}/"][method]
        if_match = [parameter for parameter in operation["parameters"] if parameter["name"] == "If-Match"]
        assert if_match and if_match[0]["required"] and if_match[0]["in"] == "header"
        assert {"412", "428"} <= set(operation["responses"])
    assert "ETag" in schema["paths"]["/api/v1/items/{id}/"]["get"]["description"]
