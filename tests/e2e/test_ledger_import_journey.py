"""A unit administrator imports a ledger in the browser: names in traditional characters matched and said so in the
preview, the rows it will create listed, the import, and the page of exactly the items imported; screenshots go
to test-results/unit_admin/ledger-*.png."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apps.accounts.models import User
from apps.items.models import WorkItem
from apps.org.models import Unit
from tests.e2e.conftest import csp_violations, put_categories_back, screenshot
from tests.factories import UserFactory, WorkItemFactory
from tests.ledger.test_ledger import ledger_row, ledger_xlsx

PASSWORD = UserFactory.password
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def categories(django_db_blocker) -> None:
    put_categories_back(django_db_blocker)


def test_ledger_import_journey_traditional_names_preview_import_and_the_imported_items(
    page_as: Callable, unit_admin: User, owner: User, district: Unit, township: Unit
):
    # given: a ledger naming the district and the owner in traditional characters, and an item not in it
    WorkItemFactory(unit=district, title="不在台账里的事项")
    rows = [ledger_row(事项名称=f"便民服务第{n}项") for n in range(3)]
    rows.append(ledger_row(事项名称="老旧小区改造", 所属单位="五華區", 责任单位="華山街道", 责任人=""))
    rows[0]["责任人"] = "張敏"
    content = ledger_xlsx(rows, name="五华区台账.xlsx").read()

    # when: they upload it for 五华区
    page = page_as(unit_admin.username, PASSWORD)
    page.goto("/items/ledger/import/")
    page.locator("#id_unit").select_option(str(district.pk))
    page.locator("#id_file").set_input_files(
        files=[{"name": "五华区台账.xlsx", "mimeType": "application/octet-stream", "buffer": content}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="校验文件").click()

    # then: the preview lists the four rows to create and says which names it matched by their simplified form
    page.wait_for_selector("#ledger-preview")
    assert page.inner_text("#preview-count") == "以下为前 4 行（共新建 4 个事项，修改 0 个事项）。"
    preview = page.locator("#ledger-preview tbody tr")
    assert preview.count() == 4
    assert "“張敏”按简体“张敏”匹配。" in preview.nth(0).inner_text()
    last = preview.nth(3).inner_text()
    assert "“五華區”按简体“五华区”匹配。" in last and "“華山街道”按简体“华山街道”匹配。" in last
    screenshot(page, "unit_admin/ledger-01-preview")
    assert csp_violations(page) == []

    # when: they import it
    with page.expect_navigation():
        page.get_by_role("button", name="导入台账").click()

    # then: the page leads to exactly the four items imported
    link = page.locator("#imported-items-link")
    assert link.inner_text() == "查看导入的 4 个事项"
    screenshot(page, "unit_admin/ledger-02-imported")
    with page.expect_navigation():
        link.click()
    listed = page.locator("#imported-items tbody tr")
    assert listed.count() == 4
    titles = sorted(listed.locator("td.title").all_inner_texts())
    assert titles == sorted(["便民服务第0项", "便民服务第1项", "便民服务第2项", "老旧小区改造"])
    assert "华山街道" in page.inner_text("#imported-items")
    screenshot(page, "unit_admin/ledger-03-imported-items")
    assert csp_violations(page) == []
    with page.expect_navigation():
        listed.locator("td.title a", has_text="老旧小区改造").click()
    item = WorkItem.objects.get(title="老旧小区改造")
    assert page.url.endswith(f"/items/{item.pk}/")
    assert (item.unit, item.responsible_unit) == (district, township)
    assert csp_violations(page) == []
