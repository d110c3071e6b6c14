"""The readiness plan in the browser: command staff turn an approved assessment's actions into
a plan and assign an item to a preparer; the preparer records progress from "My actions";
command staff see it. Each page is checked with axe-core."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments import selectors, services
from tests.e2e.a11y import AxeAudit
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT
from tests.factories import PASSWORD, answer_questions, approve

NOTE = "Staffing study sent to the jail commander."


def test_command_plans_the_preparer_reports_progress_command_sees_it(
    page: Page, browser, live_server, sign_in, draft, preparer, command
) -> None:
    answer_questions(
        draft, preparer, overrides={"CAP-04": "no", "CAP-09": "partial", "COM-01": "no"}
    )
    approved = approve(draft, preparer=preparer, command=command)
    actions = selectors.assessment_result(approved).actions
    audit = AxeAudit(page)

    sign_in("command", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{approved.pk}/results/")
    with page.expect_navigation():
        page.get_by_role(
            "link", name=f"Create plan items from these {len(actions)} actions"
        ).click()
    audit("create plan items")
    with page.expect_navigation():
        page.get_by_role(
            "button", name=f"Create plan items from these {len(actions)} actions"
        ).click()
    expect(page.get_by_text(f"{len(actions)} plan items created.")).to_be_visible()
    audit("plan page")
    first = actions[0]
    with page.expect_navigation():
        page.get_by_role("link", name=first.recommendation).click()
    page.get_by_label("Owner").select_option(label="Preparer Tester")
    target = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Target date").fill(target.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Plan item saved.")).to_be_visible()
    audit("plan item, as command staff")
    item_url = page.url

    other = browser.new_context(viewport=VIEWPORT)
    other.set_default_timeout(TIMEOUT_MS)
    preparer_page = other.new_page()
    preparer_audit = AxeAudit(preparer_page)
    try:
        preparer_page.goto(f"{live_server.url}/accounts/login/")
        preparer_page.get_by_label("Username").fill("preparer")
        preparer_page.get_by_label("Password").fill(PASSWORD)
        with preparer_page.expect_navigation():
            preparer_page.get_by_role("button", name="Sign in").click()
        mine = preparer_page.get_by_role("region", name="My actions")
        expect(mine.get_by_role("link", name=first.recommendation[:60])).to_be_visible()
        preparer_audit("dashboard with my actions")
        with preparer_page.expect_navigation():
            mine.get_by_role("link", name=first.recommendation[:60]).click()
        expect(preparer_page.get_by_label("Owner")).to_have_count(0)  # command staff's field
        preparer_page.get_by_label("Status").select_option(label="In progress")
        preparer_page.get_by_label("Progress note").fill(NOTE)
        with preparer_page.expect_navigation():
            preparer_page.get_by_role("button", name="Save").click()
        expect(preparer_page.get_by_text("Plan item saved.")).to_be_visible()
        preparer_audit("plan item, as its owner")
        preparer_audit.assert_clean()
    finally:
        other.close()

    page.goto(item_url)
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_text("Open → In progress")).to_be_visible()
    page.goto(f"{live_server.url}/plan/")
    expect(page.get_by_role("cell", name="In progress")).to_be_visible()

    # A second revision compares itself with the first; approved, the dashboard draws the trend.
    revision = services.assessment_reopen(
        assessment=approved, user=command, membership=command.membership
    )
    page.goto(f"{live_server.url}/assessments/{revision.pk}/compare/")
    expect(page.get_by_role("heading", name="By dimension")).to_be_visible()
    audit("compare page")
    approve(revision, preparer=preparer, command=command)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Trend across approved assessments")).to_be_visible()
    audit("dashboard with the trend")
    audit.assert_clean()
