"""A filter value the API does not take is refused (400, naming the parameter), never read as "no filter".

Django's yes/no field reads any unknown value as "unknown", and an empty choice means "all": `?overdue=yes-please`,
`?is_active=-1` or `?level=` used to answer the whole list, and an export the whole file. The schema lists the
values each yes/no and choice filter takes.
"""

from __future__ import annotations

import json

import pytest

from apps.accounts.models import Role
from apps.items.models import Status
from tests.factories import UserFactory, WorkItemFactory

LISTS = {
    "items": "/api/v1/items/",
    "items export": "/api/v1/items/export/csv/",
    "units": "/api/v1/units/",
    "units export": "/api/v1/units/export/xlsx/",
    "people": "/api/v1/people/",
    "people export": "/api/v1/people/export/csv/",
    "reports": "/api/v1/reports/",
    "reports export": "/api/v1/reports/export/xlsx/",
}
YES_NO = "true, false"
ITEM_KINDS = "livelihood_plan, service_list"
UNIT_LEVELS = "province, city, county, township, village, department, enterprise, party_org"

REPORT_STATUSES = "pending, running, complete, failed"

# (list, query, the refused parameter, its label (the `detail` starts with it), the message about it)
REFUSED = [
    ("items", "overdue=yes-please", "overdue", "逾期", f"参数 overdue 只能取以下值之一：{YES_NO}。"),
    ("items export", "overdue=yes-please", "overdue", "逾期", f"参数 overdue 只能取以下值之一：{YES_NO}。"),
    ("items", "is_key=-1", "is_key", "重点事项", f"参数 is_key 只能取以下值之一：{YES_NO}。"),
    ("items export", "is_key=1", "is_key", "重点事项", f"参数 is_key 只能取以下值之一：{YES_NO}。"),
    ("items", "overdue=", "overdue", "逾期", f"参数 overdue 为空：请取 {YES_NO} 之一，或不带这个参数。"),
    ("items export", "overdue=unknown", "overdue", "逾期", f"参数 overdue 为空：请取 {YES_NO} 之一，或不带这个参数。"),
    ("items", "kind=", "kind", "清单类型", f"参数 kind 为空：请取 {ITEM_KINDS} 之一，或不带这个参数。"),
    ("items export", "kind=plan", "kind", "清单类型", f"参数 kind 只能取以下值之一：{ITEM_KINDS}。"),
    (
        "items export",
        "stage=",
        "stage",
        "阶段",
        "参数 stage 为空：请取 counted, done, open, pending 之一，或不带这个参数。",
    ),
    ("items export", "unit=", "unit", "所属单位（含下级）", "参数 unit 为空：请给出一个值，或不带这个参数。"),
    ("items export", "status=", "status", "状态", None),
    ("people", "is_active=-1", "is_active", "已启用", f"参数 is_active 只能取以下值之一：{YES_NO}。"),
    ("people export", "is_active=-1", "is_active", "已启用", f"参数 is_active 只能取以下值之一：{YES_NO}。"),
    (
        "people export",
        "is_active=",
        "is_active",
        "已启用",
        f"参数 is_active 为空：请取 {YES_NO} 之一，或不带这个参数。",
    ),
    ("people export", "role=", "role", "角色", None),
    ("units", "level=", "level", "级别", f"参数 level 为空：请取 {UNIT_LEVELS} 之一，或不带这个参数。"),
    ("units export", "level=", "level", "级别", f"参数 level 为空：请取 {UNIT_LEVELS} 之一，或不带这个参数。"),
    ("units export", "level=town", "level", "级别", f"参数 level 只能取以下值之一：{UNIT_LEVELS}。"),
    ("units export", "parent=", "parent", "上级单位", "参数 parent 为空：请给出一个值，或不带这个参数。"),
    ("reports", "kind=", "kind", "类型", "参数 kind 为空：请取 weekly, half_monthly, monthly 之一，或不带这个参数。"),
    ("reports export", "status=", "status", "状态", f"参数 status 为空：请取 {REPORT_STATUSES} 之一，或不带这个参数。"),
    ("reports export", "status=done", "status", "状态", f"参数 status 只能取以下值之一：{REPORT_STATUSES}。"),
]


@pytest.fixture(autouse=True)
def rows(make_item, district, township) -> None:
    """Something in every list, so that a filter left out would show."""
    make_item(Status.IN_PROGRESS, is_key=True, key_level="city")
    UserFactory(unit=township, roles=[Role.OFFICIAL])


@pytest.mark.parametrize(("noun", "query", "parameter", "label", "message"), REFUSED)
def test_filter_value_not_taken_is_refused_naming_the_parameter(api, leader, noun, query, parameter, label, message):
    # when
    response = api(leader).get(f"{LISTS[noun]}?{query}")

    # then: 400 in the API's error shape, naming the parameter; nothing listed or exported
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == [parameter]
    assert body["detail"].startswith(f"{label}：")
    if message is not None:
        assert body["errors"][parameter] == [message]
        assert body["detail"] == f"{label}：{message}"


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("overdue=false", 1),
        ("overdue=true", 0),
        ("is_key=true", 1),
        ("is_key=false", 0),
        ("is_key=True", 1),  # as Python writes a bool
        ("kind=livelihood_plan&stage=open", 1),
    ],
)
def test_filter_values_taken_still_filter(api, leader, query, listed):
    response = api(leader).get(f"/api/v1/items/?{query}")

    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == listed


def test_people_filter_is_active_takes_true_and_false(api, leader):
    active = api(leader).get("/api/v1/people/?is_active=true&page_size=200").json()["results"]
    inactive = api(leader).get("/api/v1/people/?is_active=false&page_size=200").json()["results"]

    assert active and inactive == []


def test_export_refused_for_a_filter_value_is_no_file(api, leader, owner, district):
    WorkItemFactory(unit=district, by=owner)

    response = api(leader).get("/api/v1/items/export/xlsx/?overdue=yes-please")

    assert response.status_code == 400
    assert "Content-Disposition" not in response


# --- the schema says which values each filter takes -----------------------------------------------------------

OPERATIONS_WITH_FILTERS = [
    "/api/v1/items/",
    "/api/v1/items/export/{file_format}/",
    "/api/v1/people/",
    "/api/v1/people/export/{file_format}/",
    "/api/v1/units/",
    "/api/v1/units/export/{file_format}/",
    "/api/v1/reports/",
    "/api/v1/reports/export/{file_format}/",
]
YES_NO_PARAMETERS = {"overdue", "is_key", "is_active"}
CHOICE_PARAMETERS = {
    "kind": None,
    "owner_type": ["grassroots_org", "leadership_team", "party_member", "team_member"],
    "stage": ["counted", "done", "open", "pending"],
    "level": sorted(UNIT_LEVELS.split(", ")),
    "role": ["leader", "official", "reporting_staff", "supervisor", "system_admin", "unit_admin"],
}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def query_parameters(schema: dict, path: str) -> dict[str, dict]:
    return {
        parameter["name"]: parameter["schema"]
        for parameter in schema["paths"][path]["get"].get("parameters", [])
        if parameter["in"] == "query"
    }


@pytest.mark.parametrize("path", OPERATIONS_WITH_FILTERS)
def test_schema_lists_the_values_of_every_yes_no_and_choice_filter(schema, path):
    parameters = query_parameters(schema, path)

    assert parameters, f"{path} lists no filters"
    for name, parameter_schema in parameters.items():
        if name in YES_NO_PARAMETERS:
            assert parameter_schema == {"type": "boolean", "enum": [False, True]}, name
        elif name in CHOICE_PARAMETERS:
            assert parameter_schema["type"] == "string", name
            expected = CHOICE_PARAMETERS[name]
            assert parameter_schema["enum"] == expected if expected else parameter_schema["enum"], name
        elif name == "status":
            choices = parameter_schema["items"] if parameter_schema.get("type") == "array" else parameter_schema
            assert choices["enum"], path


def test_schema_item_export_takes_the_item_lists_filters(schema):
    listed = query_parameters(schema, "/api/v1/items/")
    exported = query_parameters(schema, "/api/v1/items/export/{file_format}/")

    # the export takes every filter of the list, and neither paging nor sorting
    assert set(exported) == set(listed) - {"cursor", "page_size"}
    assert exported["overdue"] == {"type": "boolean", "enum": [False, True]}
