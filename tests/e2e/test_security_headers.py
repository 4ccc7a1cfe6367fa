"""The Content-Security-Policy: sent on every page, it forbids inline script, and no page of the portal breaks it."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from apps.accounts.models import Role
from apps.accounts.services import user_create
from apps.items.models import Action
from apps.items.services import item_apply_action
from apps.ledger.models import ExportJob, ImportJob
from apps.org.models import UnitLevel
from apps.org.services import unit_create
from apps.reports.services import report_request
from tests.e2e.conftest import csp_violations, screenshot
from tests.factories import WorkItemFactory
from tests.reports.conftest import travel_to

PASSWORD = "csp-pass-123"


def directives(header: str) -> dict[str, list[str]]:
    """{"script-src": ["'self'"], …} from a Content-Security-Policy header."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize("url_name", ["accounts:login", "admin:login", "api:docs", "api:schema"])
def test_csp_header_forbids_inline_script(client, db, url_name):
    # when
    response = client.get(reverse(url_name))

    # then: script only from the portal's own files, no plugins, no framing, no other base or form target
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["default-src"]
    assert "'unsafe-eval'" not in policy["default-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_csp_without_a_violation(new_page, media_root):
    # given: a city, its district with items (one completed in the week of 2021-06-07, reported on), a system
    # administrator who may see every page, a ledger import and an export waiting for a worker
    city = unit_create(name="昆明市", code="KM", level=UnitLevel.CITY)
    district = unit_create(name="五华区", code="WH", level=UnitLevel.COUNTY, parent=city)
    roles = [Role.OFFICIAL, Role.UNIT_ADMIN, Role.LEADER, Role.REPORTING_STAFF, Role.SYSTEM_ADMIN]
    admin = user_create(
        username="admin",
        password=PASSWORD,
        full_name="系统管理员",
        unit=city,
        roles=roles,
        is_staff=True,
        is_superuser=True,
    )
    with travel_to(datetime.date(2021, 6, 1)):
        item = WorkItemFactory(unit=district, by=admin, deadline=datetime.date(2021, 6, 30))
    with travel_to(datetime.date(2021, 6, 9)):
        for action in (Action.SUBMIT, Action.APPROVE, Action.PUBLISH, Action.START, Action.COMPLETE):
            item = item_apply_action(item=item, by=admin, action=action)
    report = report_request(kind="weekly", day=datetime.date(2021, 6, 9), unit=city, by=admin)
    report.refresh_from_db()  # produced once the request's transaction committed
    assert report.is_complete
    import_job = ImportJob.objects.create(
        unit=district,
        requested_by=admin,
        file=ContentFile(b"", name="ledger.csv"),
        original_name="ledger.csv",
        row_count=5000,
    )
    export_job = ExportJob.objects.create(requested_by=admin, file_format="csv", query="", mine=False)

    page = new_page()  # it records what the CSP blocks
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations = {}

    def wait_for(selector: str, where: str) -> None:
        """Wait for what a page's script makes; a script the CSP blocked never makes it, so say what was blocked."""
        try:
            page.wait_for_selector(selector, timeout=10_000)
        except PlaywrightTimeoutError:
            pytest.fail(f"{where}: {selector} never appeared; blocked: {csp_violations(page)}")
        page.wait_for_timeout(200)  # reports of violations arrive as events, a moment after the fact
        violations[where] = csp_violations(page)

    def visit(path: str, works: str) -> None:
        response = page.goto(path)
        assert "content-security-policy" in response.headers, path
        wait_for(works, path)

    # when: the login page, then logging in through it
    visit("/accounts/login/", "#id_username")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("header .who")

    # and: the portal's pages, each with what its script does
    visit("/", "header .who")
    visit("/items/", "header .who")
    assert page.evaluate("typeof window.portal.escapeHtml") == "function"
    visit(f"/items/{item.pk}/", "header .who")
    visit("/items/new/", "form")
    visit("/dashboard/", "#dashboard-charts[data-ready=true]")
    assert page.locator("#dashboard-charts svg").count() >= 3
    visit(f"/reports/{report.pk}/", "#rate-chart canvas")
    visit("/dashboard/ranking/", "#ranking-table")
    visit("/inbox/", "header .who")
    visit("/inbox/notifications/", "#notifications")
    visit("/supervision/notices/", "header .who")
    visit(f"/supervision/settings/?unit={city.pk}", "form")
    # the public pages, as the public sees them (their own base page, the chart drawn by public.js)
    visit("/public/", "main")
    visit(f"/public/units/{city.pk}/", "#public-chart svg")
    visit(f"/public/items/{item.pk}/", "main h1")
    visit("/public/requests/new/", "img.captcha")  # the captcha is drawn by the portal, from this site
    visit("/public/requests/track/", "form")
    visit("/public/queue/", "header .who")
    visit("/items/ledger/import/", "form[enctype='multipart/form-data']")
    with page.expect_request(f"**/items/ledger/import/{import_job.pk}/status/"):
        visit(f"/items/ledger/import/{import_job.pk}/", "[data-job-status-url]")
    with page.expect_request(f"**/items/exports/{export_job.pk}/status/"):
        visit(f"/items/exports/{export_job.pk}/", "[data-job-status-url]")
    visit("/api/v1/docs/", "#swagger-ui .opblock")  # Swagger UI drew the operations from the schema
    screenshot(page, "api-docs-under-csp")
    visit("/admin/", "#content-main")
    visit("/admin/items/workitem/", "#result_list")
    visit("/admin/org/unit/add/", ".select2-container")  # the admin's autocomplete script ran

    # and: the language menu, a select that submits its form from portal.js
    visit("/items/", "html[lang=zh-hans]")
    page.select_option("header select[name=language]", "en")
    wait_for("html[lang=en]", "language menu")

    # then: nothing was blocked anywhere, and the console has no CSP complaint either
    assert {path: found for path, found in violations.items() if found} == {}
    assert [text for text in console if "Content Security Policy" in text] == []
