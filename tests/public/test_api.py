"""The public pages' data in the API: anonymous, the same published items and figures, nothing private."""

from __future__ import annotations

import json

from rest_framework.test import APIClient

from apps.items.models import ItemKind, Status
from apps.items.services import item_post_progress
from tests.public.conftest import EMAIL, PHONE, SUSPEND_REASON


def test_a_unit_s_published_items_and_figures_for_anyone(make_public_item, district, responsible):
    make_public_item(Status.COMPLETED, title="公开且已办结")
    working = make_public_item(Status.IN_PROGRESS, title="公开在办")
    make_public_item(Status.SUSPENDED, title="公开暂停")
    make_public_item(Status.IN_PROGRESS, publish=False, title="未公开事项")
    item_post_progress(item=working, by=responsible, note="内部进展", percent=90)

    answer = APIClient().get(f"/api/v1/public/units/{district.pk}/")

    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert sorted(item["title"] for item in data["items"]) == sorted(["公开在办", "公开暂停", "公开且已办结"])
    assert data["count"] == 3
    # planned 3 (the suspended one counts as planned), completed 1: as the public page and the dashboard count
    [plan] = [row for row in data["figures"] if row["kind"] == ItemKind.LIVELIHOOD_PLAN]
    assert (plan["planned"], plan["completed"], plan["rate"]) == (3, 1, 33.3)
    assert {item["responsible_person"] for item in data["items"]} == {"周浩"}
    # nothing private in the whole answer
    text = json.dumps(data, ensure_ascii=False)
    for secret in (PHONE, EMAIL, SUSPEND_REASON, "内部进展", "未公开事项"):
        assert secret not in text


def test_filters_and_their_errors(make_public_item, district):
    make_public_item(Status.COMPLETED, title="已办结")
    make_public_item(Status.IN_PROGRESS, title="在办")
    client = APIClient()
    completed = client.get(f"/api/v1/public/units/{district.pk}/", {"status": Status.COMPLETED}).json()
    assert [item["title"] for item in completed["items"]] == ["已办结"]
    refused = client.get(f"/api/v1/public/units/{district.pk}/", {"status": Status.DRAFT})
    assert refused.status_code == 400
    assert "状态" in refused.content.decode()


def test_one_published_item_with_its_public_notes_only(make_public_item, responsible):
    item = make_public_item(Status.IN_PROGRESS, title="雨污分流")
    item_post_progress(item=item, by=responsible, note="已完成管网铺设", percent=60, is_public=True)
    item_post_progress(item=item, by=responsible, note="等待财政拨款", percent=60)
    client = APIClient()

    data = client.get(f"/api/v1/public/items/{item.pk}/").json()

    assert [note["note"] for note in data["notes"]] == ["已完成管网铺设"]
    hidden = make_public_item(Status.IN_PROGRESS, publish=False)
    assert client.get(f"/api/v1/public/items/{hidden.pk}/").status_code == 404
    assert client.get("/api/v1/public/items/999999/").status_code == 404


def test_the_public_endpoints_are_in_the_schema(client):
    paths = json.loads(client.get("/api/v1/schema/?format=json").content)["paths"]
    for path in ("/api/v1/public/units/{unit_id}/", "/api/v1/public/items/{item_id}/"):
        assert paths[path]["get"]["security"] == [{}], path  # anonymous
