"""Browser tests: the system Chromium driven by Playwright against pytest-django's live server.

Playwright's own browser download is not used; the tests launch the Chromium installed by the
system package manager (`apt-get install chromium`), or the one named by READINESS_CHROMIUM.
Without it the tests are skipped, unless READINESS_REQUIRE_BROWSER=1 (as in CI), where they fail.
Each test leaves a screenshot of its last page in tests/e2e/artifacts/ (git-ignored).
"""

from __future__ import annotations

import base64
import os
import re
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

# Playwright's sync API runs an event loop in the test thread; without this, Django's ORM
# (used by the fixtures that create users and assessments) raises SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = E2E_DIR / "artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach update and sync hosts, which are blocked here.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in tests/e2e with `e2e`, so `-m "not e2e"` leaves the browser out, and
    with `slow`, so `make test-fast` (`-m "not slow"`) does too."""
    for item in items:
        if E2E_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


_opened_connections: weakref.WeakSet = weakref.WeakSet()


@receiver(connection_created)
def _remember_connection(sender, connection, **kwargs) -> None:
    _opened_connections.add(connection)


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    chromium = os.environ.get("READINESS_CHROMIUM", "").strip() or DEFAULT_CHROMIUM
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        reason = f"Chromium not found at {chromium}: install it with apt-get install chromium"
        if os.environ.get("READINESS_REQUIRE_BROWSER", "").strip() == "1":
            pytest.fail(reason)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()
    # Once Playwright's sync API has run, tests in this thread reach Django's connections through
    # another context than the test database's teardown does, so it would not close what they
    # opened, and PostgreSQL refuses to drop a database in use. Close every one here, before it.
    with django_db_blocker.unblock():
        for wrapper in list(_opened_connections):
            if wrapper.connection is not None:  # the live server's threads closed theirs
                wrapper.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser context (no cookies) per test; a screenshot of the last page on teardown."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    try:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def sign_in(page, live_server) -> Callable[[str, str], None]:
    """sign_in(username, password): sign in through the form, as a person would, entering the
    authenticator code (or setting the authenticator up) where two-step sign-in applies."""

    def do_sign_in(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        if "/accounts/two-step/setup/" in page.url:
            key = page.locator("#setup-key").inner_text().replace(" ", "")
            page.get_by_role("textbox", name="Code").fill(
                current_code(base64.b32decode(key + "=" * (-len(key) % 8)))
            )
            with page.expect_navigation():
                page.get_by_role("button", name="Turn on two-step sign-in").click()
            with page.expect_navigation():
                page.get_by_role("link", name="Continue").click()
        elif "/accounts/two-step/" in page.url:
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            page.get_by_role("textbox", name="Code").fill(
                current_code(device.bin_key, after=device.last_t)
            )
            with page.expect_navigation():
                page.get_by_role("button", name="Verify").click()

    return do_sign_in


def current_code(key: bytes, after: int = -1) -> str:
    """The authenticator's code now; waits for the next 30-second step if this one was used."""
    while int(time.time()) // 30 <= after:
        time.sleep(1)
    return f"{totp(key):06d}"
