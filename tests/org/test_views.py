"""The unit picker's search: only units the user reaches, each with its path, at most `limit` of them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.org.models import Unit, UnitLevel
from tests.factories import UnitFactory

SEARCH = reverse("org:unit_search")


def search(user: User | None, **params: str) -> tuple[int, dict]:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(SEARCH, params)
    return response.status_code, response.json()


def names(answer: dict) -> list[str]:
    return [unit["name"] for unit in answer["results"]]


@pytest.fixture
def villages(township: Unit) -> list[Unit]:
    return [
        UnitFactory(name=f"华山社区{n}", code=f"HSC{n}", level=UnitLevel.VILLAGE, parent=township) for n in range(1, 4)
    ]


def test_unit_search_finds_a_unit_by_part_of_its_name_with_its_path(leader, township, villages, sibling_district):
    # when
    status, answer = search(leader, q="华山")

    # then: the street first (its name starts with the text and it lies higher), then its communities
    assert status == 200
    assert names(answer) == ["华山街道", "华山社区1", "华山社区2", "华山社区3"]
    assert answer["results"][0] == {
        "id": township.pk,
        "name": "华山街道",
        "code": "HS",
        "level": "township",
        "path": ["昆明市", "五华区", "华山街道"],
    }
    assert answer["more"] is False


def test_unit_search_finds_a_unit_by_its_code_and_by_full_width_text(leader, township, sibling_district):
    assert names(search(leader, q="pl")[1]) == ["盘龙区"]
    assert names(search(leader, q="ＨＳ")[1]) == ["华山街道"]


def test_unit_search_never_offers_an_outsider_a_unit_beyond_their_reach(outsider, township, villages):
    # given: the outsider works in 盘龙区, a sibling of 五华区

    # when: they look for 五华区's street, for 五华区, and for everything
    _status, street = search(outsider, q="华山")
    _status, district = search(outsider, q="WH")
    _status, everything = search(outsider)

    # then: nothing of 五华区, and their own district's path does not name the city above them
    assert names(street) == [] and names(district) == []
    assert everything["results"] == [
        {"id": outsider.unit_id, "name": "盘龙区", "code": "PL", "level": "county", "path": ["盘龙区"]}
    ]


def test_unit_search_paths_start_at_the_top_of_the_users_reach(owner, villages):
    _status, answer = search(owner, q="华山社区1")

    assert answer["results"][0]["path"] == ["五华区", "华山街道", "华山社区1"]


def test_unit_search_without_text_offers_the_top_of_the_reach_and_the_level_below(leader, township, sibling_district):
    # when: the box is empty (just focused)
    status, answer = search(leader, q="  ")

    # then: the city and its districts in tree order, not the street two levels down
    assert status == 200
    assert names(answer) == ["昆明市", "五华区", "盘龙区"]


def test_unit_search_gives_at_most_limit_units_and_says_more_matched(leader, villages):
    _status, answer = search(leader, q="华山", limit="2")

    assert names(answer) == ["华山街道", "华山社区1"]
    assert answer["more"] is True


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1"])
def test_unit_search_refuses_a_limit_it_does_not_take_in_the_users_language(leader, limit):
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(leader)

    response = client.get(SEARCH, {"q": "华山", "limit": limit})

    assert response.status_code == 400
    assert response.json() == {"detail": "limit 须为 1 到 50 之间的整数。"}


def test_unit_search_asks_an_anonymous_visitor_to_log_in(township):
    status, answer = search(None, q="华山")

    assert status == 401
    assert "detail" in answer and "results" not in answer


def test_unit_search_offers_a_system_administrator_every_unit(system_admin, township, sibling_district):
    assert names(search(system_admin, q="区")[1]) == ["五华区", "盘龙区"]
