"""The idle-session warning, and input kept across a session that ended."""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from playwright.sync_api import Page, expect

from assessments import services
from tests.factories import PASSWORD, answer_questions

REASON = re.compile(r"^Reason it is not applicable")


def test_the_warning_offers_to_stay_signed_in(
    page: Page, live_server, sign_in, settings, preparer, draft
) -> None:
    settings.SESSION_IDLE_SECONDS = 75  # the warning comes 60 s before the end: after 15 s
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/")
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=25_000)
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(draft.title)


def test_typed_input_comes_back_after_the_session_ends(
    page: Page, live_server, sign_in, settings, preparer, draft
) -> None:
    settings.SESSION_IDLE_SECONDS = 4
    sign_in("preparer", PASSWORD)
    section = f"{live_server.url}/assessments/{draft.pk}/sections/CAP/"
    page.goto(section)
    note = page.locator("fieldset#CAP-04").get_by_label("Note")
    note.fill("Two deputies named in the staffing memo of March.")
    page.locator("fieldset#CAP-01").get_by_label("Not applicable", exact=True).check()
    page.locator("fieldset#CAP-01").get_by_label(REASON).fill("No jail in the county.")
    # The page signs itself out when the idle time is over and keeps what was typed.
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    settings.SESSION_IDLE_SECONDS = 1800
    page.get_by_label("Username").fill("preparer")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == section
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.locator("fieldset#CAP-04").get_by_label("Note")).to_have_value(
        "Two deputies named in the staffing memo of March."
    )
    # The restored N/A shows its restored reason (na-reason.js runs after kept-input.js).
    restored_reason = page.locator("fieldset#CAP-01").get_by_label(REASON)
    expect(restored_reason).to_be_visible()
    expect(restored_reason).to_have_value("No jail in the county.")


def test_input_saved_after_the_session_ended_unnoticed_comes_back_after_signing_in(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    # The page still believes it is signed in (a laptop woke from sleep, the cookie expired):
    # the save is refused and sent to the sign-in page, and nothing typed is lost.
    sign_in("preparer", PASSWORD)
    section = f"{live_server.url}/assessments/{draft.pk}/sections/CAP/"
    page.goto(section)
    page.locator("fieldset#CAP-04").get_by_label("Note").fill("Roster attached to the memo.")
    page.context.clear_cookies(name="sessionid")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("preparer")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == section
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.locator("fieldset#CAP-04").get_by_label("Note")).to_have_value(
        "Roster attached to the memo."
    )
    # Saved this time: the kept copy is gone, so the next visit shows what is stored.
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.goto(section)
    expect(page.locator("#restored-notice")).to_have_count(0)
    expect(page.locator("fieldset#CAP-04").get_by_label("Note")).to_have_value(
        "Roster attached to the memo."
    )


def test_the_warning_before_the_absolute_limit_says_staying_cannot_help(
    page: Page, live_server, sign_in, settings, preparer, draft
) -> None:
    settings.SESSION_ABSOLUTE_SECONDS = 3600 + 90  # reached 90 s after signing in
    sign_in("preparer", PASSWORD)
    settings.SESSION_ABSOLUTE_SECONDS = 90  # now 90 s from the end, however active
    page.goto(f"{live_server.url}/assessments/{draft.pk}/")
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=5_000)
    expect(dialog).to_be_focused()
    expect(dialog).to_contain_text("Save your work now")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_hidden()


def test_a_return_comment_comes_back_after_the_session_ends(
    page: Page, live_server, sign_in, settings, command, preparer, draft
) -> None:
    answer_questions(draft, preparer)
    services.assessment_submit(assessment=draft, user=preparer)
    sign_in("command", PASSWORD)
    settings.SESSION_IDLE_SECONDS = 4
    overview = f"{live_server.url}/assessments/{draft.pk}/"
    page.goto(overview)
    page.get_by_label("Comment for the preparers").fill("POL-02 needs the county counsel memo.")
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    settings.SESSION_IDLE_SECONDS = 1800
    sign_in("command", PASSWORD)
    page.goto(overview)
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.get_by_label("Comment for the preparers")).to_have_value(
        "POL-02 needs the county counsel memo."
    )


def test_input_sent_when_the_database_was_down_comes_back(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    sign_in("preparer", PASSWORD)
    section = f"{live_server.url}/assessments/{draft.pk}/sections/CAP/"
    page.goto(section)
    page.locator("fieldset#CAP-04").get_by_label("Note").fill("Typed while the server was down.")
    # The save meets the "temporarily unavailable" page, as when PostgreSQL has gone away.
    unavailable = render_to_string("503.html")
    page.route(
        section,
        lambda route: (
            route.fulfill(status=503, body=unavailable, content_type="text/html")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("")
    page.unroute(section)
    page.goto(section)
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.locator("fieldset#CAP-04").get_by_label("Note")).to_have_value(
        "Typed while the server was down."
    )
