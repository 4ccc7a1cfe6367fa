"""Schemathesis drives every operation of the OpenAPI schema: no server error, no answer off-schema.

Twice: every operation in-process (WSGI) inside the test's transaction, and every read over HTTP against a
live test server. The fuzzer is a user with every role but system administrator in 昆明市, so 五华区's items in every state, its people, evidence and a complete report are in
scope, and 曲靖市's are not. Generated ids are often steered to these rows so the fuzzer reaches real objects
rather than only 404s; in-process, each example runs in a savepoint that is rolled back, so every example
meets the same data. API_FUZZ_EXAMPLES sets the examples per operation and generation mode (default 20, about a minute);
API_FUZZ_SEED=N makes another, seeded run instead of the repeatable default that CI makes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.models import Role, User
from apps.items.models import Category, Evidence, Status, WorkItem
from apps.items.services import item_post_progress
from apps.ledger.models import ExportJob, ImportJob, JobStatus
from apps.org.models import Unit, UnitLevel
from tests.api.conftest import complete_report, png
from tests.factories import UnitFactory, UserFactory, WorkItemFactory

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))
SEED = os.environ.get("API_FUZZ_SEED")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ITEM_ACTIONS = [
    "submit",
    "approve",
    "publish",
    "start",
    "complete",
    "close",
    "return",
    "suspend",
    "resume",
    "cancel",
    "claim",
    "assign",
    "progress",
    "revise",
    "acknowledge",
    "decline",
    "request-extension",
    "grant-extension",
    "refuse-extension",
]
# Every operation of the API, written out so that an endpoint dropped from the schema fails the test.
OPERATIONS = {
    "POST /api/v1/auth/token/",
    "DELETE /api/v1/auth/token/",
    "GET /api/v1/dashboards/",
    "GET /api/v1/dashboards/{unit_id}/",
    "GET /api/v1/exports/{id}/",
    "GET /api/v1/exports/{id}/download/",
    "GET /api/v1/items/",
    "POST /api/v1/items/",
    "GET /api/v1/items/{id}/",
    "PUT /api/v1/items/{id}/",
    "PATCH /api/v1/items/{id}/",
    "DELETE /api/v1/items/{id}/",
    *(f"POST /api/v1/items/{{id}}/{action}/" for action in ITEM_ACTIONS),
    "GET /api/v1/items/{id}/evidence/{evidence_id}/",
    "GET /api/v1/items/export/{file_format}/",
    "GET /api/v1/ledger/imports/",
    "POST /api/v1/ledger/imports/",
    "GET /api/v1/ledger/imports/{id}/",
    "POST /api/v1/ledger/imports/{id}/commit/",
    "GET /api/v1/people/",
    "GET /api/v1/people/{id}/",
    "GET /api/v1/people/export/{file_format}/",
    "GET /api/v1/public/units/{unit_id}/",
    "GET /api/v1/public/items/{item_id}/",
    "GET /api/v1/requests/",
    "GET /api/v1/requests/{id}/",
    *(
        f"POST /api/v1/requests/{{id}}/{step}/"
        for step in ("accept", "forward", "turn-into-item", "link-item", "answer", "decline", "follow-up")
    ),
    "GET /api/v1/reports/",
    "POST /api/v1/reports/",
    "GET /api/v1/reports/{id}/",
    "GET /api/v1/reports/{id}/download/{extension}/",
    "GET /api/v1/reports/export/{file_format}/",
    "GET /api/v1/units/",
    "GET /api/v1/units/{id}/",
    "GET /api/v1/units/export/{file_format}/",
}
# Three times in four, a generated id is replaced by a known one.
STEER = st.integers(min_value=0, max_value=3).map(bool)
# Which known rows a generated id of each name may be steered to.
KNOWN_BY_FIELD = {
    "unit": "units",
    "unit_id": "units",
    "responsible_unit": "units",
    "parent": "units",
    "within": "units",
    "category": "categories",
    "owner_person": "people",
    "responsible_person": "people",
    "evidence_id": "evidence",
}


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The app as a server runs it, minus closing connections per request, which would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzzer(city: Unit) -> User:
    roles = [Role.OFFICIAL, Role.UNIT_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.REPORTING_STAFF]
    return UserFactory(username="fuzzer", full_name="模糊测试", unit=city, roles=roles, phone="13800000000")


@pytest.fixture
def known(make_item, owner, fuzzer, city, township, colleague, unit_admin) -> dict[str, list[int]]:
    """Rows in the fuzzer's scope and out of it, by kind, for steering generated ids."""
    items = [make_item(status) for status in Status]
    items.append(make_item(Status.DRAFT, unit=township))
    in_progress = WorkItem.objects.get(pk=next(item.pk for item in items if item.status == Status.IN_PROGRESS))
    item_post_progress(item=in_progress, by=owner, note="已铺设管网", percent=40, files=[png()])

    elsewhere = UnitFactory(name="曲靖市", code="QJ", level=UnitLevel.CITY)
    stranger = UserFactory(username="stranger", unit=elsewhere, roles=[Role.OFFICIAL])
    items.append(WorkItemFactory(unit=elsewhere, by=stranger))

    reports = [complete_report(city), complete_report(elsewhere)]
    done = ExportJob.objects.create(requested_by=fuzzer, file_format="csv", status=JobStatus.DONE, progress=100)
    done.file.save("export.csv", ContentFile("\ufeff编号\r\n".encode()))
    running = ExportJob.objects.create(requested_by=fuzzer, file_format="xlsx", status=JobStatus.RUNNING)
    someone_elses = ExportJob.objects.create(requested_by=stranger, file_format="csv")
    problem = {"sheet": "", "row": 2, "column": "完成时限", "message": "不是日期", "warning": False}
    checked = ImportJob.objects.create(
        unit=city, requested_by=fuzzer, original_name="台账.xlsx", status=JobStatus.INVALID, problems=[problem]
    )
    imports = [
        checked.pk,
        ImportJob.objects.create(unit=elsewhere, requested_by=stranger, original_name="台账.xlsx").pk,
    ]
    return {
        "items": [item.pk for item in items],
        "units": list(Unit.objects.values_list("pk", flat=True)),
        "people": list(User.objects.values_list("pk", flat=True)),
        "reports": [report.pk for report in reports],
        "categories": list(Category.objects.values_list("pk", flat=True)[:3]),
        "evidence": list(Evidence.objects.values_list("pk", flat=True)),
        "exports": [done.pk, running.pk, someone_elses.pk],
        "ledger": imports,  # /api/v1/ledger/imports/{id}/
    }


def _steer(case: schemathesis.Case, data: st.DataObject, known: dict[str, list[int]]) -> None:
    """Point some generated ids at real rows, so operations get past 404 and the validation of ids."""
    resource = case.operation.path.split("/")[3]  # /api/v1/<resource>/…
    for name in list(case.path_parameters or {}):
        pool = known.get(resource) if name == "id" else known.get(KNOWN_BY_FIELD.get(name, ""))
        if pool and data.draw(STEER):
            case.path_parameters[name] = data.draw(st.sampled_from(pool))
    for values in (case.query, case.body):
        if not isinstance(values, dict):
            continue
        for name in list(values):
            pool = known.get(KNOWN_BY_FIELD.get(name, ""))
            if pool and data.draw(STEER):
                values[name] = data.draw(st.sampled_from(pool))


def _fuzz(operation: Any, *, headers: dict[str, str], known: dict[str, list[int]], rolled_back: bool = True) -> None:
    strategy = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        _steer(case, data, known)
        if rolled_back:
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
        else:
            response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    if SEED is not None:
        run = seed(int(SEED))(run)
    run()


def _fuzz_all(operations: list, **options: Any) -> list[str]:
    """Fuzz each operation; every operation's failures, reported together."""
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, **options)
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.label}:\n{error}")
    return failures


@pytest.mark.django_db
def test_schema_fuzz_finds_no_server_error_and_no_answer_off_schema(wsgi_app, fuzzer, known):
    # given
    token = Token.objects.create(user=fuzzer)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.label for operation in operations} == OPERATIONS

    # when
    failures = _fuzz_all(operations, headers=headers, known=known)

    # then
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schema_fuzz_over_http_against_a_live_server(live_server, fuzzer, known):
    """Every read over real HTTP to a running server: its headers, its streaming downloads, its encoding.

    Writes are fuzzed in-process above, where each example is rolled back; here the server commits
    what it is sent, so only the reads (GET) are fuzzed, against the same data every time.
    """
    # given
    token = Token.objects.create(user=fuzzer)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 15

    # when
    failures = _fuzz_all(operations, headers=headers, known=known, rolled_back=False)

    # then
    assert not failures, "\n\n".join(failures)
