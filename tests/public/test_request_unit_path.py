"""A request keeps its handling unit's path (CitizenRequest.unit_path), which the dashboards, the ranking and the
reports count it by without reading the units: it is set on sending and moves with the request when forwarded."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.urls import reverse

from apps.accounts.models import Role
from apps.dashboards.request_figures import request_tallies
from apps.public.models import CitizenRequest
from apps.public.request_services import request_accept, request_forward, request_submit
from tests.conftest import travel_to
from tests.factories import UserFactory, other_category

FRIDAY = datetime.date(2026, 11, 27)


def test_forwarding_moves_the_request_to_the_new_units_branch(
    client, leader, city, district, sibling_district, township
) -> None:
    # given a request sent to 五华区, taken on there
    city_admin = UserFactory(username="city_admin", unit=city, roles=[Role.UNIT_ADMIN])
    with travel_to(FRIDAY):
        sent = request_submit(category=other_category(), unit=district, text="小区路灯坏了")
        request_accept(request=sent, by=city_admin)
    assert CitizenRequest.objects.get(pk=sent.pk).unit_path == district.path
    assert request_tallies(unit=city).of(district).received == 1

    # when the city forwards it to 盘龙区
    with travel_to(FRIDAY):
        request_forward(request=sent, by=city_admin, unit=sibling_district, note="请盘龙区处理")

    # then it is counted there, and no longer in 五华区's subtree
    assert CitizenRequest.objects.get(pk=sent.pk).unit_path == sibling_district.path
    city_tallies = request_tallies(unit=city)
    assert (city_tallies.of(district).received, city_tallies.of(sibling_district).received) == (0, 1)
    assert request_tallies(unit=district).total.received == 0
    client.force_login(leader)
    with travel_to(FRIDAY):
        data = client.get(reverse("dashboards:data"), {"unit": city.pk}).json()
    received = {child["unit"]["id"]: child["requests"]["received"] for child in data["children"]}
    assert (received[district.pk], received[sibling_district.pk]) == (0, 1)

    # and forwarded again, down into 五华区's township: counted in that branch of 五华区
    with travel_to(FRIDAY):
        request_forward(request=sent, by=city_admin, unit=township, note="请街道核实并修复")
    assert request_tallies(unit=district).of(township).received == 1
    assert request_tallies(unit=city).of(district).received == 1
    assert not CitizenRequest.objects.exclude(unit_path=F("unit__path")).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_path_of_the_requests_already_sent(district, township) -> None:
    # given requests sent before the column existed
    sent = [request_submit(category=other_category(), unit=unit, text="噪音扰民") for unit in (district, township)]
    executor = MigrationExecutor(connection)
    executor.migrate([("public", "0004_satisfaction")])

    # when the migration adding it runs
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then each holds its handling unit's path
    assert [CitizenRequest.objects.get(pk=request.pk).unit_path for request in sent] == [district.path, township.path]
