"""A real headless Chromium (Debian's package) driven by Playwright against the live test server."""

import importlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.services import service_missing

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

# Each violation the browser reports lands in window.__cspViolations, from the first script of the page on;
# every page `new_page` opens records them, and `csp_violations` reads them.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " +
                              event.sourceFile + ":" + event.lineNumber);
});
"""

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen in
# its own thread, and the test's own ORM calls are sequential, so Django's guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        service_missing(f"Chromium not found at {CHROMIUM}; run 'make system-deps'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser session (its own cookies) on the live server."""
    contexts = []

    def open_page(language: str = "zh-hans"):
        context = browser.new_context(
            base_url=live_server.url, locale=language, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page_as(new_page) -> Callable:
    """A fresh browser session of `username`, logged in through the portal's login page."""

    def open_as(username: str, password: str, language: str = "zh-hans"):
        page = new_page(language)
        log_in(page, username, password)
        return page

    return open_as


@pytest.fixture(scope="module", autouse=True)
def categories_put_back(django_db_blocker) -> Iterator[None]:
    """Put the categories (a data migration) back once a module's browser tests have flushed the database.

    A transactional test ends with a flush, and the tests that run after it pick categories by name, as the
    migrations left them.
    """
    yield
    put_categories_back(django_db_blocker)


def put_categories_back(django_db_blocker) -> None:
    from django.apps import apps

    categories = importlib.import_module("apps.items.migrations.0002_categories")
    with django_db_blocker.unblock():
        categories.add_categories(apps, None)


def log_in(page, username: str, password: str) -> None:
    """Log in through the login page as a person does, and wait for the portal's header to greet them."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("header .who", state="attached")  # a narrow screen folds the header away


def wait_until_drawn(image, timeout_s: float = 10.0) -> None:
    """Wait until the image (a locator or an element handle) has loaded and has a width: a lazy thumbnail loads
    once it comes near the viewport. Polled from here: the page's Content-Security-Policy refuses the string
    evaluation Playwright's wait_for_function polls with."""
    deadline = time.monotonic() + timeout_s
    while not image.evaluate("image => image.complete && image.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the image was not drawn"
        time.sleep(0.05)


def csp_violations(page) -> list[str]:
    """What the Content-Security-Policy has blocked on the page so far (directive, address, file:line)."""
    return page.evaluate("window.__cspViolations || []")


def screenshot(page, name: str) -> None:
    """A full-page screenshot at test-results/<name>.png; a name may hold folders ("leader/01-dashboard")."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
