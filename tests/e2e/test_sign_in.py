"""Signing in and out in a real browser, with the mouse and with the keyboard alone."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD

LOGIN_PATH = "/accounts/login/"


def tab_to(page: Page, target: Locator, max_presses: int = 10) -> None:
    """Press Tab until `target` has the focus; fail if it is not reachable by keyboard."""
    for _ in range(max_presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def expect_styled(page: Page) -> None:
    """The stylesheets reached the browser: app.css colours the header, Bootstrap the button."""
    expect(page.locator("header.navbar")).to_have_css("background-color", "rgb(10, 61, 98)")
    expect(page.locator(".btn-primary").first).to_have_css("background-color", "rgb(13, 110, 253)")


def expect_dashboard(page: Page, agency, draft) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(agency.name)
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=draft.title)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_preparer_signs_in_sees_dashboard_and_signs_out(
    page: Page, live_server, sign_in, preparer, agency, draft
) -> None:
    sign_in("preparer", PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(re.compile(r"^Assessments"))
    expect_dashboard(page, agency, draft)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(
        f"Preparer Tester · {agency.name}"
    )

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect_styled(page)
    # Signed out for real: the dashboard sends the visitor back to the sign-in page.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH) + r"\?next=/$"))


def test_sign_in_with_the_keyboard_alone(page: Page, live_server, preparer, agency, draft) -> None:
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    username = page.get_by_label("Username")
    password = page.get_by_label("Password")
    submit = page.get_by_role("button", name="Sign in")

    tab_to(page, username)
    page.keyboard.type("preparer")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect_dashboard(page, agency, draft)


def test_wrong_password_shows_error(page: Page, live_server, sign_in, preparer) -> None:
    sign_in("preparer", "not-the-password")

    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_text("The username or password is not correct.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # The username is kept, the password is not.
    expect(page.get_by_label("Username")).to_have_value("preparer")
    expect(page.get_by_label("Password")).to_have_value("")
