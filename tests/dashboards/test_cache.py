"""The dashboard's JSON is cached under the generations of what it reads (apps/core/generations.py): a second read
costs no figure query, and every change — an item's step, a notice, a citizen's request, a unit's new name —
shows on the next read, whoever reads it; only the breadcrumbs are drawn for each reader."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.generations import ITEMS, generation_bump, generations
from apps.items.models import Action, Status
from apps.org.services import unit_update
from apps.public.request_services import request_submit
from apps.supervision.models import NoticeColour
from apps.supervision.notices import notice_issue
from tests.conftest import travel_to
from tests.factories import UserFactory, other_category

TODAY = datetime.date(2026, 11, 6)


def _read(client, unit) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        payload = client.get(reverse("dashboards:data"), {"unit": unit.pk}).json()
    return payload, [query["sql"] for query in queries]


def _child(payload: dict, unit) -> dict:
    return next(child for child in payload["children"] if child["unit"]["id"] == unit.pk)


def test_a_second_read_costs_no_figure_query_and_every_change_shows_at_once(
    client, make_item, perform, actor_for, leader, supervisor, city, district
):
    item = make_item(Status.IN_PROGRESS)
    client.force_login(leader)
    with travel_to(TODAY):
        first, _queries = _read(client, city)
        again, queries = _read(client, city)
        assert again == first
        # the session, the user and the two units asked about: no counter, notice, request or item read
        assert not [sql for sql in queries if "dashboards_" in sql or "supervision_notice" in sql]
        assert not [sql for sql in queries if "public_citizenrequest" in sql or "items_workitem" in sql]

        # an item is completed: the counters move, and so does the JSON
        perform(Action.COMPLETE, item=item, by=actor_for(Action.COMPLETE, item))
        payload, _queries = _read(client, city)
        assert (payload["total"]["completed"], first["total"]["completed"]) == (1, 0)

        # a notice is issued on another item
        other = make_item(Status.IN_PROGRESS)
        notice_issue(item=other, by=supervisor, colour=NoticeColour.RED, requirements="限期整改", reply_by=TODAY)
        payload, _queries = _read(client, city)
        assert payload["notices"]["red"] == 1 and _child(payload, district)["notices"]["issued"] == 1

        # a citizen sends a request
        request_submit(category=other_category(), unit=district, text="路灯不亮")
        payload, _queries = _read(client, city)
        assert payload["requests"]["received"] == 1

        # the district is renamed
        unit_update(unit=district, name="五华区（新）", code=district.code, level=district.level)
        payload, _queries = _read(client, city)
        assert _child(payload, district)["unit"]["name"] == "五华区（新）"


def test_each_reader_gets_the_breadcrumbs_of_their_own_reach(client, leader, city, district, township):
    district_leader = UserFactory(username="district_leader", unit=district, roles=[Role.LEADER])
    with travel_to(TODAY):
        client.force_login(leader)
        for_city_leader = client.get(reverse("dashboards:data"), {"unit": township.pk}).json()
        client.force_login(district_leader)
        for_district_leader = client.get(reverse("dashboards:data"), {"unit": township.pk}).json()
    assert [unit["name"] for unit in for_city_leader["breadcrumbs"]] == ["昆明市", "五华区", "华山街道"]
    assert [unit["name"] for unit in for_district_leader["breadcrumbs"]] == ["五华区", "华山街道"]
    assert {**for_city_leader, "breadcrumbs": []} == {**for_district_leader, "breadcrumbs": []}


def test_a_generation_moves_on_when_bumped_and_again_when_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    (before,) = generations(ITEMS)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        generation_bump(ITEMS)
        (inside,) = generations(ITEMS)
    (after,) = generations(ITEMS)
    assert len(callbacks) == 1
    assert before < inside < after


@pytest.mark.parametrize("cache_seconds", [300, 0])
def test_the_page_json_and_the_api_give_the_same_dashboard_read_fresh_or_from_the_cache(
    client, api, make_item, leader, city, district, settings, cache_seconds
):
    settings.DASHBOARD_CACHE_SECONDS = cache_seconds  # 0: no shared cache, every read builds the dashboard
    make_item(Status.IN_PROGRESS)
    client.force_login(leader)
    with travel_to(TODAY):
        for _read_again in range(2):
            page = client.get(reverse("dashboards:data"), {"unit": district.pk, "sort": "rate"})
            from_api = api(leader).get(f"/api/v1/dashboards/{district.pk}/", {"sort": "rate"})
            assert page["Content-Type"] == "application/json"
            assert page.json() == from_api.json()
            assert list(page.json()) == list(from_api.json())  # the same keys in the same order
            assert [unit["name"] for unit in page.json()["breadcrumbs"]] == ["昆明市", "五华区"]
