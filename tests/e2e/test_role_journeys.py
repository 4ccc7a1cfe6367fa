"""One browser journey per role (DOMAIN.md "Who uses it"), each logging in through the login page and walking the
pages it uses, asserting what the person sees on the Chinese pages; a screenshot of each step goes to
test-results/<role>/."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.accounts.models import Role, User
from apps.items.models import Action, Status, WorkItem, today_local
from apps.items.services import item_apply_action, item_post_progress
from apps.org.models import Unit
from tests.e2e.conftest import csp_violations, put_categories_back, screenshot, wait_until_drawn
from tests.e2e.test_item_journey import PNG
from tests.factories import UserFactory, WorkItemFactory
from tests.reports.conftest import travel_to

PASSWORD = UserFactory.password  # the cast of tests/conftest.py is made by UserFactory
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def categories(transactional_db, django_db_blocker) -> None:
    """The categories of the data migration, which an earlier browser test's flush may have taken away."""
    put_categories_back(django_db_blocker)


def snap(page, role: str, step: str) -> None:
    screenshot(page, f"{role}/{step}")


def status_of(page) -> str:
    return page.inner_text("#item-status")


def press(page, action: str, reason: str = "", *, confirm: list[str] | None = None) -> None:
    """Press an action button of the item page, accepting its question if it asks one (kept in `confirm`)."""
    if reason:
        page.get_by_label("原因或备注").fill(reason)
    if confirm is not None:
        page.once("dialog", lambda dialog: (confirm.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.click(f"button[value={action}]")


def menu(page) -> list[str]:
    return page.locator("nav.mainnav a").all_inner_texts()


def offered_people(page) -> list[str]:
    return page.eval_on_selector_all(
        "#id_responsible_person option:not([hidden]):not([value=''])", "options => options.map(o => o.textContent)"
    )


def column(page, table: str, label: str) -> list[str]:
    """The cells of a list's column, by the column's label as the page writes it on each cell."""
    return page.locator(f"{table} tbody td[data-label='{label}']").all_inner_texts()


def test_role_journey_official_logs_submits_deletes_a_draft_and_reads_the_reason(
    page_as: Callable, owner: User, township: Unit, make_item: Callable, leader: User
):
    # given: a colleague in the township below, a never-submitted draft, and an item sent back for revision
    UserFactory(username="lihua", full_name="李华", unit=township, roles=[Role.OFFICIAL])
    draft = make_item(Status.DRAFT, title="更换文林街路灯")
    revised = make_item(Status.SUBMITTED, title="翠湖片区增设公厕")
    item_apply_action(item=revised, by=leader, action=Action.REVISE, reason="请写明服务对象的人数")

    # when: the official logs in
    page = page_as(owner.username, PASSWORD)

    # then: they land on their own items, and their role has no reports in the menu
    assert page.url.endswith("/items/mine/")
    assert page.inner_text("h1") == "我的事项"
    assert "报表" not in menu(page)
    snap(page, "official", "01-my-items")

    # when: they log a livelihood-plan item for the township
    page.get_by_role("link", name="新建民生实事项目").click()
    page.select_option("#id_owner_type", "leadership_team")
    page.fill("#id_title", "改造老旧小区供水管网")
    page.fill("#id_content", "更换新河村主供水管2.3公里")
    page.select_option("#id_category", label="供水")
    page.fill("#id_deadline", "2030-12-31")
    page.select_option("#id_responsible_unit", str(township.pk))

    # then: the person picker offers the township's people only, each with their unit
    assert offered_people(page) == ["李华 · 华山街道"]
    page.select_option("#id_responsible_person", label="李华 · 华山街道")
    snap(page, "official", "02-new-item")
    page.click(".item-form button[type=submit]")
    page.wait_for_selector("#item-status")
    assert status_of(page) == "草稿"
    assert "李华" in page.inner_text(".facts")

    # when: they submit it
    assert "primary" in page.get_attribute("button[value=submit]", "class")
    press(page, "submit")

    # then
    assert status_of(page) == "已提交"
    assert page.inner_text(".message.success") == "已提交，事项当前状态为“已提交”。"
    snap(page, "official", "03-submitted")

    # when: they delete their never-submitted draft, answering the question it asks
    page.goto(f"/items/{draft.pk}/")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name="删除草稿").click()

    # then: the question was asked in Chinese, the draft is gone from their list
    assert asked and "草稿" in asked[0]
    assert page.url.endswith("/items/mine/")
    assert page.inner_text(".message.success") == f"草稿 {draft.number} 已删除。"
    assert "更换文林街路灯" not in page.inner_text("table.items")
    assert not WorkItem.objects.filter(pk=draft.pk).exists()
    snap(page, "official", "04-draft-deleted")

    # when: they open the item the leader sent back for revision
    page.goto(f"/items/{revised.pk}/")

    # then: the latest reason stands on top of the page
    assert status_of(page) == "草稿"
    callout = page.locator("#reason-callout")
    assert callout.get_attribute("role") == "note"
    assert "退回修改" in callout.inner_text()
    assert "请写明服务对象的人数" in callout.inner_text()
    snap(page, "official", "05-sent-back")

    # when: they open a page their role does not allow (importing ledgers), and one that does not exist
    page.goto("/items/ledger/import/")

    # then: both pages are the portal's, in Chinese, with the way back
    assert page.inner_text("h1") == "无权访问"
    assert "您的角色无权进行此操作。" in page.inner_text(".error-page")
    assert page.locator("header .who").count() == 1
    assert page.get_by_role("link", name="返回首页").count() == 1
    snap(page, "official", "06-forbidden")
    page.goto("/items/99999999/")
    assert page.inner_text("h1") == "页面不存在"
    assert "没有这个页面，或者它属于您无权查看的单位。" in page.inner_text(".error-page")
    assert page.locator("header .who").count() == 1
    snap(page, "official", "07-not-found")
    assert csp_violations(page) == []


def test_role_journey_unit_administrator_assigns_and_opens_the_ledger_import(
    page_as: Callable, unit_admin: User, owner: User, township: Unit, make_item: Callable
):
    # given: an approved item of the district and a person of the township
    UserFactory(username="lihua", full_name="李华", unit=township, roles=[Role.OFFICIAL])
    item = make_item(Status.APPROVED, title="新建社区养老服务站")

    # when
    page = page_as(unit_admin.username, PASSWORD)
    page.goto(f"/items/{item.pk}/")
    assign = page.locator("form.assign-form")
    assign.locator("#id_responsible_unit").select_option(str(township.pk))

    # then: the picker offers the township's people with their unit
    assert offered_people(page) == ["李华 · 华山街道"]
    snap(page, "unit_admin", "01-assign-form")

    # when: a person of another unit is sent with the township all the same (as a stale page or a script would:
    # the page itself no longer offers them)
    assign.locator("#id_responsible_person").evaluate(
        "(select, pk) => { const o = select.querySelector(`option[value='${pk}']`);"
        " o.disabled = false; o.hidden = false; select.value = pk; }",
        str(owner.pk),
    )
    with page.expect_navigation():
        assign.get_by_role("button", name="交办").click()

    # then: refused, in Chinese, and nothing changed
    assert page.inner_text(".message.error") == "责任人须为责任单位人员。"
    assert WorkItem.objects.get(pk=item.pk).responsible_person is None
    snap(page, "unit_admin", "02-wrong-pair-refused")

    # when: the right pair
    assign = page.locator("form.assign-form")
    assign.locator("#id_responsible_unit").select_option(str(township.pk))
    assign.locator("#id_responsible_person").select_option(label="李华 · 华山街道")
    assign.get_by_label("交办函文号").fill("五华交办〔2021〕3号")
    with page.expect_navigation():
        assign.get_by_role("button", name="交办").click()

    # then
    assert page.inner_text(".message.success") == "事项已交办。"
    facts = page.inner_text(".facts")
    assert "华山街道" in facts and "李华" in facts and "五华交办〔2021〕3号" in facts
    snap(page, "unit_admin", "03-assigned")

    # when: they go to import a ledger from the item list
    page.goto("/items/")
    page.get_by_role("link", name="导入台账").click()

    # then
    page.wait_for_selector("form[enctype='multipart/form-data']")
    assert page.url.endswith("/items/ledger/import/")
    assert "台账" in page.inner_text("h1")
    snap(page, "unit_admin", "04-ledger-import")
    assert csp_violations(page) == []


def test_role_journey_leader_reads_the_dashboard_reviews_and_sorts_the_list(
    page_as: Callable, leader: User, district: Unit, sibling_district: Unit, make_item: Callable
):
    # given: 五华区 with one of its two planned items completed and two awaiting review; 盘龙区 with its one done
    today = today_local()
    make_item(Status.COMPLETED, title="修缮文林街人行道", deadline=today + datetime.timedelta(days=30))
    make_item(Status.IN_PROGRESS, title="翠湖片区增设停车位", deadline=today + datetime.timedelta(days=10))
    to_approve = make_item(Status.SUBMITTED, title="新建社区食堂", deadline=today + datetime.timedelta(days=60))
    to_revise = make_item(Status.SUBMITTED, title="改造背街小巷", deadline=today + datetime.timedelta(days=20))
    other = UserFactory(username="pl-admin", unit=sibling_district, roles=[Role.OFFICIAL, Role.UNIT_ADMIN])
    done = WorkItemFactory(
        unit=sibling_district, by=other, title="盘龙江沿岸绿化", deadline=today + datetime.timedelta(days=5)
    )
    for action in (Action.SUBMIT, Action.APPROVE, Action.START, Action.COMPLETE):
        done = item_apply_action(item=done, by=other, action=action)

    # when: the leader logs in
    page = page_as(leader.username, PASSWORD)

    # then: they land on the dashboard; drafts and items awaiting review count nowhere
    assert page.url.endswith("/dashboard/")
    page.wait_for_selector("#dashboard-charts[data-ready=true]")
    tiles = page.locator("#headline .figure").all_inner_texts()
    assert tiles == ["3", "2", "66.7%", "0"]
    rates = {
        row.get_attribute("data-unit"): row.locator("td.rate").inner_text()
        for row in page.locator("#child-table tbody tr").all()
    }
    assert rates == {str(district.pk): "50.0%", str(sibling_district.pk): "100.0%"}
    legend = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-statuses')).getOption().legend")
    assert legend[0]["type"] == "plain"  # every state in the legend, none behind a pager
    snap(page, "leader", "01-dashboard")

    # when: they sort the units by completion rate, lowest first, then highest first
    page.get_by_title("从低到高").click()
    lowest_first = page.locator("#child-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    page.get_by_title("从高到低").click()
    highest_first = page.locator("#child-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")

    # then
    assert lowest_first == [str(district.pk), str(sibling_district.pk)]
    assert highest_first == [str(sibling_district.pk), str(district.pk)]
    snap(page, "leader", "02-dashboard-sorted")

    # when: they approve one submitted item
    page.goto(f"/items/{to_approve.pk}/")
    assert "primary" in page.get_attribute("button[value=approve]", "class")
    press(page, "approve")

    # then
    assert status_of(page) == "已审核"
    snap(page, "leader", "03-approved")

    # when: they send the other back without a reason, then with one, answering the question it asks
    page.goto(f"/items/{to_revise.pk}/")
    revise = page.locator("button[value=revise]")
    assert "danger" in revise.get_attribute("class")
    asked: list[str] = []
    press(page, "revise", confirm=asked)
    refused = page.inner_text(".message.error")
    press(page, "revise", "请补充资金来源和实施步骤", confirm=asked)

    # then: a reason is required, the question was asked each time, and the reason stands on top of the page
    assert refused == "请填写“退回修改”的原因。"
    assert len(asked) == 2 and "退回修改" in asked[0]
    assert status_of(page) == "草稿"
    assert "请补充资金来源和实施步骤" in page.inner_text("#reason-callout")
    snap(page, "leader", "04-sent-back")

    # when: the item list, sorted by clicking 完成时限 once, then again
    page.goto("/items/")
    page.get_by_role("link", name="完成时限").click()
    page.wait_for_selector("a[data-sort=deadline][aria-sort=ascending]")
    ascending = column(page, "table.items", "完成时限")
    snap(page, "leader", "05-list-deadline-ascending")
    page.get_by_role("link", name="完成时限").click()
    page.wait_for_selector("a[data-sort=deadline][aria-sort=descending]")
    descending = column(page, "table.items", "完成时限")

    # then: the headers' arrows say so and the rows follow
    assert len(ascending) == 5
    assert ascending == sorted(ascending)
    assert descending == sorted(ascending, reverse=True)
    assert page.inner_text("a[data-sort=deadline]").endswith("▼")
    snap(page, "leader", "06-list-deadline-descending")
    assert csp_violations(page) == []


def test_role_journey_supervisor_closes_one_completed_item_and_returns_another(
    page_as: Callable, supervisor: User, owner: User, make_item: Callable, media_root
):
    # given: two completed items, the second with a photo as evidence
    first = make_item(Status.COMPLETED, title="修缮文林街人行道")
    second = make_item(Status.IN_PROGRESS, title="翠湖片区增设停车位")
    photo = SimpleUploadedFile("现场.png", PNG, "image/png")
    item_post_progress(item=second, by=owner, note="停车位已划线", percent=100, files=[photo])
    second = item_apply_action(item=second, by=owner, action=Action.COMPLETE)

    # when: the supervisor closes the first after checking it
    page = page_as(supervisor.username, PASSWORD)
    page.goto(f"/items/{first.pk}/")
    assert "primary" in page.get_attribute("button[value=close]", "class")
    press(page, "close", "现场核查通过")

    # then
    assert status_of(page) == "已销号"
    assert "现场核查通过" in page.inner_text("#timeline")
    snap(page, "supervisor", "01-closed")

    # when: they open the second
    page.goto(f"/items/{second.pk}/")

    # then: its photo is a thumbnail, its size in Chinese brackets
    # the thumbnail is lazy: it loads once it comes near the viewport, so bring it there, then see it drawn
    page.locator("img.thumb").first.scroll_into_view_if_needed()
    wait_until_drawn(page.locator("img.thumb").first)
    size = page.inner_text(".evidence .muted")
    assert size.startswith("（") and size.endswith("）") and "字节" in size

    # when: they return it, with a reason, answering the question it asks
    asked: list[str] = []
    press(page, "return", "佐证材料不全，请补充完工验收照片", confirm=asked)

    # then
    assert asked and "退回" in asked[0]
    assert status_of(page) == "已退回"
    assert "佐证材料不全，请补充完工验收照片" in page.inner_text("#reason-callout")
    snap(page, "supervisor", "02-returned")
    assert csp_violations(page) == []


def test_role_journey_reporting_staff_produce_a_report_and_download_it(
    page_as: Callable, city: Unit, district: Unit, owner: User, media_root
):
    # given: an item of 五华区 completed in the week of 2021-06-07, and reporting staff of the city
    UserFactory(username="reporting", full_name="陈晓燕", unit=city, roles=[Role.REPORTING_STAFF])
    approver = UserFactory(username="wh-admin", unit=district, roles=[Role.UNIT_ADMIN])
    with travel_to(datetime.date(2021, 6, 1)):
        item = WorkItemFactory(unit=district, by=owner, title="新建停车位3305个", deadline=datetime.date(2021, 6, 30))
    with travel_to(datetime.date(2021, 6, 9)):
        for action, by in [("submit", owner), ("approve", approver), ("start", owner), ("complete", owner)]:
            item = item_apply_action(item=item, by=by, action=action)

    # when: the staff member logs in
    page = page_as("reporting", PASSWORD)

    # then: they land on the reports
    assert page.url.endswith("/reports/")
    assert "报表" in menu(page)
    snap(page, "reporting", "01-reports")

    def ask_for_the_week() -> None:
        form = page.locator("#report-request-form")
        form.locator("[name=kind]").select_option("weekly")
        form.locator("[name=day]").fill("2021-06-09")
        form.locator("[name=unit]").select_option(str(city.pk))
        form.get_by_role("button", name="生成").click()

    # when: they produce the week's report
    ask_for_the_week()
    page.wait_for_selector("#report-table-1")

    # then: the report, its item numbers linking to the items
    assert "昆明市 周报（2021-06-07 至 2021-06-13）" in page.inner_text("h1")
    assert "本期办结事项（1）" in page.locator("section h2").all_inner_texts()
    link = page.locator(f"a[href='/items/{item.pk}/']").first
    assert link.inner_text() == item.number
    snap(page, "reporting", "02-report")

    # when: they ask for the same week again
    page.goto("/reports/")
    ask_for_the_week()
    page.wait_for_selector(".message.info")

    # then: told it exists, and shown it
    assert page.inner_text(".message.info") == "昆明市 2021-06-07 至 2021-06-13 的周报已经申请过，已为您打开。"
    assert page.locator("#report-table-1").count() == 1
    snap(page, "reporting", "03-already-there")

    # when: they download the XLSX
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 XLSX").click()
    download = download_info.value
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))

    # then
    assert download.suggested_filename == "昆明市_周报_2021-06-07_2021-06-13.xlsx"
    assert "汇总" in workbook.sheetnames

    # when: they follow an item number of the report
    link.click()
    page.wait_for_selector("#item-status")

    # then
    assert page.url.endswith(f"/items/{item.pk}/")
    assert status_of(page) == "已办结"
    snap(page, "reporting", "04-item-from-report")
    assert csp_violations(page) == []


def test_role_journey_system_administrator_reaches_the_admin_and_the_api_docs_lead_back(page_as: Callable, db):
    # given
    UserFactory(username="sysadmin", full_name="赵志刚", unit=None, roles=[Role.SYSTEM_ADMIN], is_staff=True)

    # when
    page = page_as("sysadmin", PASSWORD)

    # then: the administration is in the menu
    assert "系统管理" in menu(page)
    snap(page, "system_admin", "01-portal")

    # when: the API docs, then their way back
    page.get_by_role("link", name="API", exact=True).click()
    page.wait_for_selector("#swagger-ui .opblock")
    snap(page, "system_admin", "02-api-docs")
    page.get_by_role("link", name="返回首页").click()

    # then: back on the portal
    page.wait_for_selector("header .who")
    assert "/api/" not in page.url
    assert csp_violations(page) == []
