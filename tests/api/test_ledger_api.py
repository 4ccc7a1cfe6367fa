"""The ledger import in the API: upload, the check (at once or by the worker), the preview with its problems,
commit, and following the job to the items it created; the caller's own jobs only, errors in the API's shape."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import Role
from apps.items.models import WorkItem
from apps.ledger.models import ImportJob
from tests.factories import UserFactory
from tests.ledger.test_ledger import ledger_row, ledger_xlsx

IMPORTS = "/api/v1/ledger/imports/"
PYTHON_NAMES = re.compile(r"Error\b|Exception|Traceback")


@pytest.fixture
def importer(unit_admin, owner):
    """The unit administrator of 五华区, whose ledgers name 张敏 (the owner) as responsible person."""
    return unit_admin


def post_ledger(client, unit, file):
    return client.post(IMPORTS, {"unit": unit.pk, "file": file}, format="multipart")


def test_ledger_import_api_upload_preview_commit_and_the_items_created(api, importer, district):
    client = api(importer)
    rows = [
        ledger_row(事项名称="老旧小区改造"),
        ledger_row(事项名称="便民服务点建设", 所属单位="五華區", 责任人="張敏"),
    ]

    uploaded = post_ledger(client, district, ledger_xlsx(rows))

    assert uploaded.status_code == 201, uploaded.content
    job = uploaded.json()
    assert uploaded["Location"].endswith(f"{IMPORTS}{job['id']}/")
    assert (job["status"], job["progress"], job["summary"]) == ("valid", 100, {"new": 2, "updated": 0, "unchanged": 0})
    assert [(row["row"], row["action"], row["title"]) for row in job["preview"]] == [
        (2, "new", "老旧小区改造"),
        (3, "new", "便民服务点建设"),
    ]
    assert job["preview"][1]["notes"] == ["“五華區”按简体“五华区”匹配。", "“張敏”按简体“张敏”匹配。"]
    assert not WorkItem.objects.exists()

    committed = client.post(f"{IMPORTS}{job['id']}/commit/")

    assert committed.status_code == 200, committed.content
    done = client.get(f"{IMPORTS}{job['id']}/").json()
    assert done["status"] == "done" and done["summary"]["new"] == 2
    assert sorted(done["item_ids"]) == sorted(WorkItem.objects.values_list("pk", flat=True))
    assert [row["number"] for row in done["preview"]] == list(
        WorkItem.objects.order_by("pk").values_list("number", flat=True)
    )


def test_ledger_import_api_problems_name_row_and_column_in_chinese(api, importer, district):
    client = api(importer)
    rows = [ledger_row(), ledger_row(完成时限="2030-13-45"), ledger_row(责任人="無此人")]

    job = post_ledger(client, district, ledger_xlsx(rows)).json()

    assert job["status"] == "invalid" and job["problem_count"] == 2
    assert [(problem["row"], problem["column"]) for problem in job["problems"]] == [(3, "完成时限"), (4, "责任人")]
    assert "2030-13-45" in job["problems"][0]["message"] and "日期" in job["problems"][0]["message"]
    assert "“無此人”" in job["problems"][1]["message"]
    refused = client.post(f"{IMPORTS}{job['id']}/commit/")
    assert refused.status_code == 400
    assert "问题" in refused.json()["detail"] and not PYTHON_NAMES.search(refused.json()["detail"])
    assert not WorkItem.objects.exists()


def test_ledger_import_api_big_file_is_checked_and_imported_by_the_worker(
    api, importer, district, settings, django_capture_on_commit_callbacks
):
    settings.LEDGER_INLINE_MAX_ROWS = 10
    client = api(importer)
    rows = [ledger_row(事项名称=f"民生实事第{n}项") for n in range(30)]

    with django_capture_on_commit_callbacks(execute=False) as check:
        uploaded = post_ledger(client, district, ledger_xlsx(rows))
    assert uploaded.status_code == 202 and uploaded.json()["status"] == "pending"
    job_url = uploaded["Location"]
    for callback in check:  # the worker runs the check
        callback()
    checked = client.get(job_url).json()
    assert (checked["status"], checked["progress"], checked["summary"]["new"]) == ("valid", 100, 30)
    assert len(checked["preview"]) == 20

    with django_capture_on_commit_callbacks(execute=False) as write:
        committed = client.post(f"{job_url}commit/")
    assert committed.status_code == 202 and committed.json()["status"] == "valid"
    for callback in write:
        callback()
    done = client.get(job_url).json()
    assert done["status"] == "done" and len(done["item_ids"]) == 30
    assert set(done["item_ids"]) == set(WorkItem.objects.values_list("pk", flat=True))


def test_ledger_import_api_refusals_in_the_error_shape(api, importer, owner, district, sibling_district):
    client = api(importer)

    not_a_ledger = post_ledger(client, district, SimpleUploadedFile("台账.docx", b"x"))
    no_file = client.post(IMPORTS, {"unit": district.pk}, format="multipart")
    out_of_reach = post_ledger(client, sibling_district, ledger_xlsx([ledger_row()]))
    not_an_admin = post_ledger(api(owner), district, ledger_xlsx([ledger_row()]))

    assert not_a_ledger.status_code == 400 and "XLSX" in not_a_ledger.json()["errors"]["file"][0]
    assert no_file.status_code == 400 and "file" in no_file.json()["errors"]
    assert out_of_reach.status_code == 400 and "unit" in out_of_reach.json()["errors"]
    assert not_an_admin.status_code == 403 and "管理员" in not_an_admin.json()["detail"]
    for response in (not_a_ledger, no_file, out_of_reach, not_an_admin):
        assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"]), response.json()
        assert not PYTHON_NAMES.search(json.dumps(response.json(), ensure_ascii=False))
    assert not ImportJob.objects.exists()


def test_ledger_import_api_damaged_file_is_refused_in_plain_words(api, importer, district):
    job = post_ledger(api(importer), district, SimpleUploadedFile("台账.xlsx", b"PK\x03\x04 not really")).json()

    assert job["status"] == "invalid"
    assert "Excel" in job["problems"][0]["message"] and not PYTHON_NAMES.search(job["problems"][0]["message"])


def test_ledger_import_api_jobs_are_seen_only_by_who_uploaded_them(api, importer, district):
    job = post_ledger(api(importer), district, ledger_xlsx([ledger_row()])).json()
    other_admin = UserFactory(username="other_admin", unit=district, roles=[Role.UNIT_ADMIN])
    other = api(other_admin)

    assert other.get(f"{IMPORTS}{job['id']}/").status_code == 404
    assert other.post(f"{IMPORTS}{job['id']}/commit/").status_code == 404
    assert other.get(IMPORTS).json()["results"] == []
    assert [row["id"] for row in api(importer).get(IMPORTS).json()["results"]] == [job["id"]]
    assert api().get(f"{IMPORTS}{job['id']}/").status_code == 401
    assert not WorkItem.objects.exists()


def test_ledger_import_api_is_in_the_openapi_schema(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)

    paths = schema["paths"]
    upload = paths["/api/v1/ledger/imports/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "202", "400", "403"} <= set(upload["responses"])
    assert "post" in paths["/api/v1/ledger/imports/{id}/commit/"]
    job = schema["components"]["schemas"]["ImportJob"]["properties"]
    assert {"status", "progress", "problems", "preview", "item_ids"} <= set(job)
