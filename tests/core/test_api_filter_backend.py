"""UserFilterBackend: a request that only pages builds no FilterSet; any other parameter goes through it."""

from __future__ import annotations

from unittest import mock

from apps.core.api import UserFilterBackend
from apps.items.models import Status


def test_filter_backend_builds_no_filterset_for_a_request_that_only_pages(api, leader, make_item):
    items = [make_item(Status.DRAFT) for _ in range(3)]
    client = api(leader)
    first = client.get("/api/v1/items/?page_size=2").json()

    with mock.patch.object(UserFilterBackend, "get_filterset", side_effect=AssertionError("built")):
        following = client.get(first["next"]).json()
        first_again = client.get("/api/v1/items/", {"page_size": 2, "format": "json"}).json()

    listed = [row["id"] for row in first["results"] + following["results"]]
    assert listed == sorted((item.pk for item in items), reverse=True)
    assert first_again["results"] == first["results"]


def test_filter_backend_still_filters_and_refuses_what_the_filterset_refuses(api, leader, outsider, make_item):
    draft, approved = make_item(Status.DRAFT), make_item(Status.APPROVED)
    client = api(leader)

    only_approved = client.get("/api/v1/items/", {"status": Status.APPROVED, "page_size": 10})
    empty_choice = client.get("/api/v1/items/?status=&page_size=10")
    unknown = client.get("/api/v1/items/?colour=red")

    assert [row["id"] for row in only_approved.json()["results"]] == [approved.pk]
    assert empty_choice.status_code == 400
    assert [row["id"] for row in unknown.json()["results"]] == [approved.pk, draft.pk]
    assert api(outsider).get("/api/v1/items/?page_size=10").json()["results"] == []
