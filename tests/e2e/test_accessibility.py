"""axe-core finds no WCAG 2.0/2.1 A or AA violation on any page state.

Each test walks one persona's pages, including error states, the conflict view, the two-step
sign-in pages and the session-timeout warning, and checks each state with axe-core
(`tests.e2e.a11y`; the rules switched off, if any, are listed there with their reasons).
"""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from agencies.models import Agency
from assessments import services
from assessments.models import Assessment
from questionnaires.models import Question
from reports import pdf
from tests.e2e.a11y import DISABLED_RULES, AxeAudit, axe_violations
from tests.e2e.conftest import current_code
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    AssessmentFactory,
    MemberFactory,
    answer_questions,
    approve,
)
from tests.reports import renderers


@pytest.fixture
def audit(page: Page) -> AxeAudit:
    return AxeAudit(page)


# What a preparer typically answers, each answer with a note.
TYPICAL = {"choice": "yes", "scale": "3", "number": "4", "text": "County Attorney memo"}


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def fill_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_two_step_pages(page: Page, live_server, audit, command, agency) -> None:
    page.goto(f"{live_server.url}/accounts/password/reset/")
    audit("password reset")
    page.get_by_label("Email").fill("nobody@example.gov")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the link").click()
    audit("password reset sent")
    page.goto(f"{live_server.url}/accounts/password/set/MQ/not-a-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    audit("password set, link no longer valid")

    page.goto(f"{live_server.url}/accounts/login/")
    audit("sign-in")
    fill_sign_in(page, "command", "not-the-password")
    expect(page.get_by_text("The username or password is not correct.")).to_be_visible()
    audit("sign-in with an error")

    fill_sign_in(page, "command", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-step/setup/"))
    audit("two-step set-up")
    page.get_by_role("textbox", name="Code").fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code does not match.")).to_be_visible()
    audit("two-step set-up with an error")
    page.wait_for_timeout(1_100)  # django-otp refuses another try within a second of a miss
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_role("textbox", name="Code").fill(
        current_code(base64.b32decode(key + "=" * (-len(key) % 8)))
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    audit("recovery codes")
    recovery_code = page.locator("#recovery-codes li").first.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Continue").click()
    audit("dashboard without assessments")

    page.goto(f"{live_server.url}/accounts/password/change/")
    audit("password change")
    page.locator("#id_old_password").fill("wrong")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("different")
    with page.expect_navigation():
        page.get_by_role("button", name="Change password").click()
    audit("password change with errors")

    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    audit("404")

    page.goto(f"{live_server.url}/")
    sign_out(page)
    fill_sign_in(page, "command", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-step/(\?|$)"))
    audit("two-step verify")
    page.get_by_role("textbox", name="Code").fill("123456")
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not valid.")).to_be_visible()
    audit("two-step verify with an error")
    page.wait_for_timeout(1_100)  # django-otp refuses another try within a second of a miss
    page.get_by_role("textbox", name="Code").fill(recovery_code)
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(agency.name)
    audit.assert_clean()


def test_command_pages(
    page: Page, live_server, sign_in, audit, settings, command, preparer, questionnaire
) -> None:
    sign_in("command", PASSWORD)
    audit("dashboard, empty")
    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_text("On: you sign in with your password and a code")).to_be_visible()
    audit("account, two-step sign-in on")
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Start an assessment").click()
    audit("start an assessment")
    page.get_by_label("Title").fill("2027 readiness review")
    with page.expect_navigation():
        page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_text("Choose at least one 287(g) model")).to_be_visible()
    audit("start an assessment with an error")
    page.get_by_label("Jail Enforcement Model").check()
    page.get_by_label("Warrant Service Officer").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2027 readiness review")
    audit("overview, draft, just started")
    overview = page.url
    assessment = command.membership.agency.assessments.get()

    answer_questions(assessment, preparer, values=TYPICAL, note="Binder 4")
    services.assessment_submit(assessment=assessment, user=preparer)
    page.goto(f"{live_server.url}/")
    audit("dashboard with an assessment")
    page.goto(overview)
    expect(page.get_by_role("link", name="Review and approve")).to_be_visible()
    audit("overview, submitted, with the approve link and the return form")
    page.get_by_label("Comment for the preparers").fill("Attach the budget memo to CAP-04.")
    with page.expect_navigation():
        page.get_by_role("button", name="Return to draft").click()
    expect(page.get_by_text("Returned to draft with your comment.")).to_be_visible()
    audit("overview, returned with a comment")

    services.assessment_submit(assessment=assessment, user=preparer)
    page.goto(overview)
    with page.expect_navigation():
        page.get_by_role("link", name="Review and approve").click()
    audit("approve screen")
    page.get_by_label("I have reviewed this assessment").check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Approve as")).click()
    expect(page.get_by_text("Approved. The assessment is locked")).to_be_visible()
    audit("overview, approved")
    page.goto(f"{overview}results/")
    expect(page.locator(".dimension-chart")).to_be_visible()
    audit("results, approved, with the chart")
    page.goto(f"{overview}sections/CAP/")
    audit("section, read-only")
    page.goto(f"{overview}activity/")
    audit("activity")
    page.goto(f"{live_server.url}/method/")
    audit("method")
    page.goto(f"{live_server.url}/agency/audit/")
    audit("audit log")
    page.get_by_label("Event").select_option(index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    audit("audit log, filtered")
    audit.assert_clean()


def test_agency_administrator_pages(
    page: Page, live_server, sign_in, audit, agency_admin, preparer
) -> None:
    sign_in("agencyadmin", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Members").click()
    audit("members")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a member").click()
    audit("add a member")
    page.get_by_label("Username").fill("bad name!")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Smith")
    with page.expect_navigation():
        page.get_by_role("button", name="Add member").click()
    audit("add a member with an error")
    page.get_by_label("Username").fill("jsmith")
    with page.expect_navigation():
        page.get_by_role("button", name="Add member").click()
    expect(page.get_by_label("Invitation link")).to_be_visible()
    audit("invitation link")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to members").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Change role of Preparer Tester").click()
    audit("change a member's role")
    with page.expect_navigation():
        page.get_by_role("link", name="Members").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Report letterhead").click()
    audit("report letterhead")
    page.get_by_label("Logo file").set_input_files(
        files=[{"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": b"<svg/>"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload logo").click()
    expect(
        page.get_by_text("SVG logos are not accepted because an SVG can carry scripts; upload")
    ).to_be_visible()
    audit("report letterhead with an error")
    audit.assert_clean()


def test_state_reviewer_pages(
    page: Page,
    live_server,
    sign_in,
    audit,
    questionnaire,
    state_reviewer,
    agency,
    preparer,
    command,
) -> None:
    """The state table (sorted and filtered, with its chart) and an agency's comparison."""
    for title in ("2025 readiness review", "2026 readiness review"):
        assessment = AssessmentFactory(agency=agency, created_by=command, title=title)
        answer_questions(assessment, preparer, overrides={"CAP-04": "no"} if "25" in title else {})
        approve(assessment, preparer=preparer, command=command)
    Agency.objects.filter(pk=agency.pk).update(shares_with_state=True)
    sign_in("txreviewer", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("that share their readiness")
    audit("state view")
    with page.expect_navigation():
        page.get_by_role("link", name="Capacity", exact=True).click()
    audit("state view sorted by capacity")
    page.get_by_label("Overall level").select_option("ready")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    audit("state view filtered")
    page.goto(f"{live_server.url}/state/")
    with page.expect_navigation():
        page.get_by_role("link", name="Compare with previous for Example County").click()
    audit("state view comparison")
    audit.assert_clean()


def test_a_user_without_an_agency(page: Page, live_server, audit) -> None:
    get_user_model().objects.create_user(username="loner", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    fill_sign_in(page, "loner", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not a member of any agency")
    audit("no agency")
    audit.assert_clean()


def test_preparer_pages(
    page: Page, live_server, sign_in, audit, settings, preparer, command, draft
) -> None:
    answer_questions(draft, preparer, values=TYPICAL, note="Binder 4", skip=["CAP"])
    sign_in("preparer", PASSWORD)
    audit("dashboard, preparer")
    page.goto(f"{live_server.url}/assessments/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not allowed to do this")
    audit("403")
    overview = f"{live_server.url}/assessments/{draft.pk}/"
    page.goto(overview)
    audit("overview, draft")
    with page.expect_navigation():
        page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("heading", name=re.compile(r"unanswered"))).to_be_visible()
    audit("submit screen with the missing questions")
    page.goto(f"{overview}?show=unanswered#filtered")
    audit("overview, filter: unanswered")
    page.goto(f"{overview}?show=notes#filtered")
    audit("overview, filter: notes")
    page.goto(f"{overview}results/")
    expect(page.get_by_text("Provisional:", exact=True)).to_be_visible()
    audit("results, provisional, with the chart")

    section = f"{overview}sections/CAP/"
    page.goto(section)
    audit("section")
    cap01 = page.locator("fieldset#CAP-01")
    reason = cap01.get_by_label(re.compile(r"^Reason it is not applicable"))
    expect(reason).to_be_hidden()
    cap01.get_by_label("Not applicable", exact=True).check()
    expect(reason).to_be_visible()
    audit("section with Not applicable chosen and its reason shown")
    cap02 = page.locator("fieldset#CAP-02")
    cap02.get_by_label("Answer (a number)").fill("lots")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#error-summary")).to_be_focused()
    # N/A without a reason: the field with its error stays shown, whatever is chosen.
    expect(reason).to_be_visible()
    expect(reason).to_have_attribute("aria-invalid", "true")
    cap01.get_by_label("Yes", exact=True).check()
    expect(reason).to_be_visible()
    audit("section with a validation error")
    # That change is kept in this tab (kept-input.js) and would come back on the next visit.
    page.evaluate("() => window.sessionStorage.clear()")

    page.goto(section)
    page.locator("fieldset#CAP-01").get_by_label("No", exact=True).check()
    question = Question.objects.get(questionnaire=draft.questionnaire, code="CAP-01")
    services.answers_save(
        assessment=draft,
        user=command,
        data=[services.AnswerInput(question_id=question.pk, value="yes")],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#conflict-summary")).to_be_focused()
    audit("section with a conflict")

    page.goto(section)
    page.locator("fieldset#CAP-01").get_by_label("No", exact=True).check()
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.SUBMITTED)
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your answers are shown below as you sent them")).to_be_visible()
    audit("section, save refused: submitted meanwhile")
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.DRAFT)

    settings.SESSION_IDLE_SECONDS = 62  # the warning shows 60 s before the end: after 2 s
    page.goto(section)
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    expect(dialog).to_be_visible()
    audit("section with the session-timeout warning")
    audit.assert_clean()


def test_without_script_every_reason_field_is_shown_and_says_when_it_is_needed(
    browser, live_server, preparer, draft
) -> None:
    # (axe-core needs script, so this state is not audited; the label is checked instead.)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        fill_sign_in(page, "preparer", PASSWORD)
        page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
        reasons = page.get_by_label(
            "Reason it is not applicable (only if you choose Not applicable; required then)"
        )
        assert reasons.count() == page.locator("fieldset.question").count() > 1
        for index in range(reasons.count()):
            expect(reasons.nth(index)).to_be_visible()
    finally:
        context.close()


def test_an_expired_form_page_keeps_what_was_typed(
    page: Page, live_server, sign_in, audit, preparer, draft
) -> None:
    sign_in("preparer", PASSWORD)
    section = f"{live_server.url}/assessments/{draft.pk}/sections/CAP/"
    page.goto(section)
    page.locator("fieldset#CAP-04").get_by_label("Note").fill("Draft roster, not final.")
    page.context.clear_cookies(name="csrftoken")  # the token the page holds no longer matches
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This form had expired")
    audit("expired form (CSRF)")
    page.go_back()
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.locator("fieldset#CAP-04").get_by_label("Note")).to_have_value(
        "Draft roster, not final."
    )
    audit.assert_clean()


def test_invitation_password_and_account_pages(page: Page, live_server, audit, agency) -> None:
    # Invited: no password yet, set through the link.
    newcomer = MemberFactory(username="newcomer", agency=agency, password=None)
    uid = urlsafe_base64_encode(force_bytes(newcomer.pk))
    token = default_token_generator.make_token(newcomer)
    page.goto(f"{live_server.url}/accounts/password/set/{uid}/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    audit("set a password from an invitation")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("different")
    with page.expect_navigation():
        page.get_by_role("button", name="Set password").click()
    audit("set a password, with errors")
    page.locator("#id_new_password1").fill("a long enough pass phrase 7")
    page.locator("#id_new_password2").fill("a long enough pass phrase 7")
    with page.expect_navigation():
        page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password set")
    audit("password set")

    page.goto(f"{live_server.url}/accounts/login/")
    fill_sign_in(page, "newcomer", "a long enough pass phrase 7")
    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    audit("account, two-step sign-in off")
    page.goto(f"{live_server.url}/accounts/password/change/")
    page.locator("#id_old_password").fill("a long enough pass phrase 7")
    page.locator("#id_new_password1").fill("another long pass phrase 8")
    page.locator("#id_new_password2").fill("another long pass phrase 8")
    with page.expect_navigation():
        page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    audit("password changed")
    audit.assert_clean()


@pytest.mark.parametrize("template", ["400", "403_csrf", "429", "500", "503"])
def test_error_pages(page: Page, live_server, audit, template) -> None:
    # Served at an address of the live server so that the page's styles load as they would.
    html = render_to_string(f"{template}.html")
    address = f"{live_server.url}/error-page/{template}/"
    page.route(address, lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(address)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(f"{template} page")
    audit.assert_clean()


def test_report_status_pages(
    page: Page, live_server, sign_in, audit, monkeypatch, settings, preparer, draft
) -> None:
    """The report's status page as failed, being prepared (a worker's queue) and ready."""
    sign_in("preparer", PASSWORD)
    report = f"{live_server.url}/assessments/{draft.pk}/report.pdf"
    monkeypatch.setattr(pdf, "write_pdf", renderers.broken)
    page.goto(report)
    expect(page.get_by_role("heading", level=1)).to_have_text("The report could not be produced")
    audit("report failed")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing your report")
    audit("report being prepared")
    monkeypatch.setattr(pdf, "write_pdf", renderers.quick)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    # The page's script notices the change and shows the ready page by itself.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your report is ready", timeout=15_000
    )
    audit("report ready")
    audit.assert_clean()


def test_the_checker_finds_violations_and_every_switched_off_rule_has_a_reason(page) -> None:
    """Guards the guard: a page with known faults must fail, or zero violations means nothing."""
    page.set_content(
        '<html lang="en"><head><title>Faulty</title></head><body><main>'
        '<img src="chart.png"><input type="text"><p style="color:#aaa">Faint</p>'
        "</main></body></html>"
    )
    found = " ".join(axe_violations(page))
    for rule in ("image-alt", "label", "color-contrast"):
        assert rule in found, found
    assert all(reason.strip() for reason in DISABLED_RULES.values())


def test_state_law_and_phase_pages(
    page: Page, live_server, sign_in, audit, command, preparer, duty_questionnaire, state_law
) -> None:
    """The state-law panel in each of its forms, a duty question, the applicant's wording and a
    critical question marked not applicable, checked by axe."""
    texas_draft = AssessmentFactory(agency=command.membership.agency, created_by=command)
    answer_questions(texas_draft, preparer, values=TYPICAL, not_applicable=["CAP-01"])
    golden = AgencyFactory(name="Golden County Sheriff's Office", state="CA", county="Golden")
    MemberFactory(agency=golden, username="golden-preparer")
    golden_chief = MemberFactory(agency=golden, username="golden-chief", role="command")
    golden_draft = AssessmentFactory(agency=golden, created_by=golden_chief)

    sign_in("preparer", PASSWORD)
    expect(page.get_by_text("Texas law requires an agreement")).to_be_visible()
    audit("dashboard, a state mandate with its deadline")
    overview = f"{live_server.url}/assessments/{texas_draft.pk}/"
    page.goto(overview)
    expect(page.get_by_text("Awaiting command staff's acceptance.")).to_be_visible()
    audit("overview, a critical question marked not applicable")
    page.goto(f"{overview}sections/ICE/")
    expect(page.get_by_text("State law: Request or enter an agreement")).to_be_visible()
    audit("section, a question state law adds")
    page.goto(f"{overview}sections/POL/")
    audit("section, an applicant's wording and a recommended practice")
    page.goto(f"{overview}results/")
    audit("results, a critical question marked not applicable")
    sign_out(page)

    sign_in("golden-preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{golden_draft.pk}/results/")
    expect(
        page.get_by_role("heading", name=re.compile("State law bars this agreement"))
    ).to_be_visible()
    audit("results, state law bars the agreement")
    audit.assert_clean()
