"""The public community summary in a browser with no session, as a private window opens it:
axe finds nothing at 390 px in English and Spanish, nothing scrolls sideways, `lang` is right,
the language switch works, and no request leaves the app's own server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from community import services
from tests.e2e.a11y import AxeAudit
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_reflow import (
    PHONE,
    expect_every_control_on_screen,
    expect_no_sideways_scrolling,
    screenshot,
)
from tests.factories import approve


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)  # a fresh context: no cookies, no session
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def published(complete_draft, state_law, preparer, command):
    approved = approve(complete_draft, preparer=preparer, command=command)
    return services.summary_publish(
        assessment=approved,
        user=command,
        membership=command.membership,
        statement_en="Questions: call the Public Information Office at (555) 010-0100.",
        statement_es="Preguntas: llame a la Oficina de Información Pública al (555) 010-0100.",
    )


def test_the_public_summary_in_both_languages_on_a_phone(phone: Page, live_server, published):
    audit = AxeAudit(phone)
    requested: list[str] = []
    phone.on("request", lambda request: requested.append(request.url))
    url = f"{live_server.url}/p/{published.summary.slug}/"

    phone.goto(url)
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Example County Sheriff's Office")
    expect(phone.get_by_role("heading", name="How to make a complaint")).to_be_visible()
    expect_no_sideways_scrolling(phone)
    expect_every_control_on_screen(phone)
    screenshot(phone, "390px", "community-summary-en")
    audit("community summary, English, 390 px")

    with phone.expect_navigation():
        phone.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    assert phone.url == f"{url}es/"
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", name="Cómo presentar una queja")).to_be_visible()
    expect(phone.get_by_role("link", name="English")).to_have_attribute("lang", "en")
    # The state-law summary exists in English only: marked so for screen readers.
    expect(phone.locator('p[lang="en"]', has_text="Sheriffs who operate a jail")).to_be_visible()
    expect_no_sideways_scrolling(phone)
    expect_every_control_on_screen(phone)
    screenshot(phone, "390px", "community-summary-es")
    audit("community summary, Spanish, 390 px")

    with phone.expect_download() as download:
        phone.evaluate("() => { const a = document.querySelector('.summary-download a'); "
                       "a.setAttribute('download', ''); a.click(); }")  # fmt: skip
    assert download.value.suggested_filename == "resumen-comunitario.pdf"

    audit.assert_clean()
    assert requested, "no request seen"
    elsewhere = [u for u in requested if not u.startswith(live_server.url) and u != "about:blank"]
    assert elsewhere == [], f"requests that left the app's server: {elsewhere}"
    assert phone.context.cookies() == []


def test_command_staff_publish_and_a_private_window_reads_it(
    page: Page, phone: Page, live_server, sign_in, complete_draft, state_law, preparer, command
):
    """The issue's "done when": the approved assessment published, its link opened in a private
    window in English and Spanish, then unpublished."""
    approve(complete_draft, preparer=preparer, command=command)
    audit = AxeAudit(page)
    sign_in("command", "a-long-test-password-1")
    page.goto(f"{live_server.url}/assessments/{complete_draft.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Public community summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public community summary")
    audit("community summary page, not published")
    page.get_by_label("Statement in English").fill("Complaint forms are at the front desk.")
    page.get_by_label("Statement in Spanish").fill("Los formularios de queja están en recepción.")
    with page.expect_navigation():
        page.get_by_role("button", name="Update the preview").click()
    preview = page.get_by_role("region", name="Español")
    expect(preview.get_by_text("Los formularios de queja están en recepción.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published: the public address shows this version.")).to_be_visible()
    audit("community summary page, published")
    english = page.get_by_role("link", name=f"{live_server.url}/p/").first.get_attribute("href")

    phone.goto(english)  # another browser context: a private window, nobody signed in
    expect(phone.get_by_text("Complaint forms are at the front desk.")).to_be_visible()
    phone.goto(f"{english}es/")
    expect(phone.get_by_text("Los formularios de queja están en recepción.")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Unpublish").click()
    expect(page.get_by_text("Not published")).to_be_visible()
    assert phone.goto(f"{english}es/").status == 404
    audit.assert_clean()
