"""The import's preview lists the rows it creates or changes (the first ones, with the counts), and once the
ledger is imported its page leads to exactly the items it created or changed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.items.models import WorkItem
from apps.ledger.models import JobStatus
from tests.factories import UserFactory, WorkItemFactory
from tests.ledger.test_ledger import commit, ledger_row, ledger_xlsx, upload


@pytest.fixture
def importer(unit_admin, owner):
    """The unit administrator of 五华区, whose ledgers name 张敏 (the owner) as responsible person."""
    return unit_admin


@pytest.fixture
def earlier_item(client, importer, district) -> WorkItem:
    """An item imported before, to be changed by the next ledger."""
    commit(client, upload(client, importer, district, ledger_xlsx([ledger_row(事项名称="背街小巷整治")])))
    return WorkItem.objects.get()


def preview_rows(page: str) -> list[str]:
    table = re.search(r'<table id="ledger-preview">.*?</table>', page, re.S)
    assert table, "the page has no preview table"
    return re.findall(r"<tr>.*?</tr>", table[0].split("<tbody>")[1], re.S)


def test_ledger_preview_lists_the_first_rows_with_the_counts_of_new_and_changed_items(
    client, importer, district, earlier_item
):
    rows = [ledger_row(事项名称=f"民生实事第{n}项") for n in range(24)]
    rows.insert(0, ledger_row(编号=earlier_item.number, 事项名称="背街小巷整治", 完成时限="2030-09-30"))

    job = upload(client, importer, district, ledger_xlsx(rows))

    assert job.status == JobStatus.VALID and job.summary == {"new": 24, "updated": 1, "unchanged": 0}
    assert len(job.preview) == 20
    assert job.preview[0] | {"notes": []} == {
        "sheet": "",
        "row": 2,
        "action": "update",
        "number": earlier_item.number,
        "title": "背街小巷整治",
        "unit": "五华区",
        "responsible_unit": "五华区",
        "deadline": "2030-09-30",
        "changes": ["完成时限"],
        "notes": [],
    }
    assert [entry["title"] for entry in job.preview[1:3]] == ["民生实事第0项", "民生实事第1项"]
    page = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert "以下为前 20 行（共新建 24 个事项，修改 1 个事项）。" in page
    shown = preview_rows(page)
    assert len(shown) == 20
    assert earlier_item.number in shown[0] and "修改：完成时限" in shown[0]
    assert "新建" in shown[1] and "民生实事第0项" in shown[1] and "民生实事第19项" not in page


def test_ledger_preview_of_a_ledger_with_problems_still_lists_its_right_rows(client, importer, district):
    rows = [ledger_row(事项名称="老旧小区改造"), ledger_row(完成时限="不详")]

    job = upload(client, importer, district, ledger_xlsx(rows))

    assert job.status == JobStatus.INVALID
    assert [(entry["row"], entry["title"]) for entry in job.preview] == [(2, "老旧小区改造")]


def test_ledger_imported_page_links_to_exactly_the_items_created_or_changed(client, importer, district, earlier_item):
    untouched = WorkItemFactory(unit=district, title="不在台账里的事项")
    rows = [ledger_row(编号=earlier_item.number, 完成时限="2030-09-30", 事项名称="背街小巷整治")]
    rows += [ledger_row(事项名称=f"便民服务第{n}项") for n in range(29)]

    job = commit(client, upload(client, importer, district, ledger_xlsx(rows)))

    assert job.status == JobStatus.DONE
    created = set(WorkItem.objects.filter(title__startswith="便民服务").values_list("pk", flat=True))
    assert set(job.item_ids) == created | {earlier_item.pk}
    job_page = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    link = reverse("ledger:import_items", args=[job.pk])
    assert f'href="{link}"' in job_page and "查看导入的 30 个事项" in job_page
    listed = []
    for page_number in (1, 2):
        page = client.get(link, {"page": page_number}).content.decode()
        listed += [int(pk) for pk in re.findall(r'href="/items/(\d+)/"', page)]
    assert "30 个事项" in page
    assert set(listed) == set(job.item_ids) and untouched.pk not in listed


def test_ledger_imported_items_are_listed_only_for_who_imported_and_only_once_done(client, importer, district):
    job = upload(client, importer, district, ledger_xlsx([ledger_row()]))
    link = reverse("ledger:import_items", args=[job.pk])

    assert client.get(link).status_code == 404  # checked, not imported yet
    commit(client, job)
    assert client.get(link).status_code == 200
    client.force_login(UserFactory(username="other_admin", unit=district, roles=[Role.UNIT_ADMIN]))
    assert client.get(link).status_code == 404
