"""The review in a browser, at desktop width and on a 390 px phone: command staff comment on a
question and return the assessment; the preparer is told, replies, resolves and resubmits;
command staff approve with the attestation. Each state is checked with axe and for sideways
scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessments import services
from assessments.models import Answer, Assessment, Comment
from tests.e2e.a11y import AxeAudit
from tests.factories import PASSWORD, answer_questions

pytestmark = pytest.mark.slow

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
COMMENT = "Which written policy does POL-02 rest on? Cite its number."


def expect_no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, (page.url, widths)


def check(page: Page, audit: AxeAudit, state: str) -> None:
    expect_no_sideways_scrolling(page)
    audit(state)


def sign_in_as(page: Page, sign_in, username: str) -> None:
    page.context.clear_cookies()
    sign_in(username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_comment_return_resolve_resubmit_and_approve(
    page, sign_in, live_server, preparer, command, agency_admin, draft, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    audit = AxeAudit(page)
    answer_questions(draft, preparer)
    services.assessment_submit(assessment=draft, user=preparer)
    overview = f"{live_server.url}/assessments/{draft.pk}/"

    # Command staff comment on POL-02 from the answer sheet, then return the assessment.
    sign_in_as(page, sign_in, "command")
    page.goto(f"{overview}answers/")
    check(page, audit, "answer sheet, submitted")
    pol_02 = draft.questionnaire.questions.get(code="POL-02")
    page.goto(f"{overview}questions/{pol_02.pk}/comments/")
    page.get_by_label("New comment").fill(COMMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()
    check(page, audit, "comments, one open")
    page.goto(overview)
    expect(page.get_by_text("Returning with 1 open comment")).to_be_visible()
    page.get_by_label("Comment for the preparers").fill("See the comment on POL-02.")
    with page.expect_navigation():
        page.get_by_role("button", name="Return to draft").click()
    expect(page.get_by_text("Returned to draft with your comment.")).to_be_visible()
    check(page, audit, "overview, returned")

    # The preparer is told, replies and resolves, and resubmits from the submit screen.
    sign_in_as(page, sign_in, "preparer")
    expect(page.get_by_text("Returned for changes").first).to_be_visible()
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_contain_text("2")
    check(page, audit, "dashboard, returned, two notifications")
    with page.expect_navigation():
        bell.click()
    expect(page.get_by_text("Command Tester returned")).to_be_visible()
    check(page, audit, "notifications")
    page.goto(overview)
    with page.expect_navigation():
        page.get_by_role("link", name="POL-02", exact=True).first.click()
    page.get_by_label("Reply").fill("Policy 4.12, adopted 2026-03-01.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post reply").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_text("Marked resolved.")).to_be_visible()
    check(page, audit, "comments, resolved")
    page.goto(overview)
    with page.expect_navigation():
        page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_text("Open comments (0)")).to_be_visible()
    check(page, audit, "submit screen")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()

    # Command staff approve (an agency administrator: the first command officer would wait for
    # the authenticator's next code), not without the attestation, then with it.
    sign_in_as(page, sign_in, "agencyadmin")
    expect(page.get_by_text("1 awaiting your review")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"2027 readiness review \(rev\. 1\)")).click()
    expect(page.get_by_text("Scores that will be frozen")).to_be_visible()
    check(page, audit, "approve screen")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Approve as")).click()
    expect(page.get_by_text("Confirm the statement to approve.")).to_be_visible()
    check(page, audit, "approve screen, attestation missing")
    page.get_by_label("I have reviewed this assessment").check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Approve as")).click()
    expect(page.get_by_text("Approved. The assessment is locked")).to_be_visible()
    check(page, audit, "overview, approved")

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.APPROVED
    assert draft.attestation.startswith("I have reviewed this assessment")
    thread = Comment.objects.get(assessment=draft, reply_to=None)
    assert thread.resolved_by == preparer
    assert Answer.objects.filter(assessment=draft, flagged=True).count() == 0
    audit.assert_clean()
