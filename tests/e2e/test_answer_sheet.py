"""The answer sheet in a browser on a 390-pixel phone, and at 320 pixels: no sideways scrolling,
no axe-core violation, filters that work without script, and a print view without navigation or
filters."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.models import Comment
from evidence import services as evidence_services
from tests.e2e.a11y import AxeAudit
from tests.e2e.conftest import ARTIFACTS_DIR, TIMEOUT_MS
from tests.e2e.test_reflow import expect_every_control_on_screen, expect_no_sideways_scrolling
from tests.factories import PASSWORD, answer_questions
from tests.pages import question


@pytest.fixture(params=[390, 320], ids=["390px", "320px"])
def phone(browser, request):
    """A phone's screen, and the narrowest WCAG 1.4.10 asks pages to reflow to."""
    context = browser.new_context(viewport={"width": request.param, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sheet_draft(draft, preparer, command):
    """Every question answered with a long note; a reason, a flag, comment threads and a
    reference with a long unbroken address, the content most likely to widen a phone's page."""
    answer_questions(
        draft,
        preparer,
        not_applicable=["CAP-05"],
        note=lambda code: f"Kept in binder {code.lower()} by the records unit, shelf 4, box 12.",
    )
    thread = Comment.objects.create(
        assessment=draft, question=question(draft, "CAP-01"), author=command, body="Which memo?"
    )
    Comment.objects.create(
        assessment=draft, question=question(draft, "CAP-01"), author=preparer, body="The one of "
        "2026-10-01.", reply_to=thread,
    )  # fmt: skip
    Comment.objects.create(
        assessment=draft, question=question(draft, "ICE-01"), author=command, body="Checked.",
        resolved_by=preparer, resolved_at=timezone.now(),
    )  # fmt: skip
    evidence_services.evidence_attach(
        assessment=draft, question=question(draft, "CAP-01"), user=preparer,
        membership=preparer.membership, title="Staffing plan",
        reference="https://records.example.gov/powerdms/documents/staffing/2027-plan-revision-2-final",
    )  # fmt: skip
    return draft


def test_the_answer_sheet_fits_a_phone_and_passes_axe(phone: Page, live_server, sheet_draft):
    audit = AxeAudit(phone)
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_label("Username").fill("preparer")
    phone.get_by_label("Password").fill(PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign in").click()

    phone.goto(f"{live_server.url}/assessments/{sheet_draft.pk}/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Answer sheet").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Answer sheet")
    expect_no_sideways_scrolling(phone)
    expect_every_control_on_screen(phone)
    audit("answer sheet, all steps")
    width = phone.viewport_size["width"]
    phone.screenshot(path=str(ARTIFACTS_DIR / f"answer-sheet-{width}px.png"))

    phone.get_by_label("With comments").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Show").click()
    expect(phone.locator("article")).to_have_count(2)
    expect(phone.locator("#sheet-count")).to_contain_text("only those with comments")
    with phone.expect_navigation():
        phone.get_by_role("link", name="2. Engage with ICE").click()
    expect(phone.locator("article")).to_have_count(1)
    expect_no_sideways_scrolling(phone)
    audit("answer sheet, one step, filtered")

    phone.emulate_media(media="print")
    expect(phone.locator("form.sheet-filters")).to_be_hidden()
    expect(phone.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(phone.locator("article").first).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS_DIR / f"answer-sheet-{width}px-print.png"), full_page=True)
    audit.assert_clean()
