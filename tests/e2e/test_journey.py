"""The whole journey a new agency takes, in the browser and through the UI alone.

Command signs in with two-step sign-in and starts an assessment → a preparer answers every
section (one with the keyboard alone), sees provisional then full results and submits → command
returns it with a comment → the preparer fixes an answer and submits again → command approves
and downloads the PDF, whose text is read back. Every step leaves a screenshot in
tests/e2e/artifacts/journey-NN-*.png and is checked with axe-core.
"""

from __future__ import annotations

import base64
import io
import re
import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from assessments.models import Answer, Assessment
from questionnaires.models import Question
from tests.e2e.a11y import AxeAudit
from tests.e2e.conftest import ARTIFACTS_DIR, current_code
from tests.factories import PASSWORD

TITLE = "2027 readiness review"
KEYBOARD_SECTION = "ICE"
SECTION_ORDER = ["CAP", "ICE", "TRN", "POL", "COM"]
PARTIAL = {"CAP-05", "TRN-03", "COM-04"}  # a realistic mix, so the results say something
RETURN_COMMENT = "POL-02: the bias-free policing policy is still a draft. Answer Partial."
FIXED_NOTE = "Draft policy 4.12 goes to the Sheriff for signature in March."


class Journey:
    """Numbered screenshots of each step, each step also checked with axe-core."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0
        self.audit = AxeAudit(page)
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS_DIR.glob("journey-*"):
            old.unlink()

    def step(self, name: str) -> None:
        self.count += 1
        path = ARTIFACTS_DIR / f"journey-{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.audit(f"step {self.count}: {name}")


def authenticator_code(username: str) -> str:
    """The code an authenticator app shows for the first 30-second step not yet used.

    Each code works once, so signing in twice within one step would mean waiting up to 30 s for
    the next; django-otp accepts a code one step ahead of its clock (its default tolerance),
    which is the code the app shows a few seconds later.
    """
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = int(time.time()) // 30
    step = max(now, device.last_t + 1)
    return f"{totp(device.bin_key, drift=step - now):06d}"


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def verify_two_step(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    page.get_by_role("textbox", name="Code").fill(authenticator_code(username))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def open_assessment(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def section_questions(assessment: Assessment, code: str) -> list[Question]:
    return list(assessment.applicable_questions().filter(section__code=code).order_by("position"))


def answer_by_clicking(page: Page, questions: list[Question]) -> None:
    for question in questions:
        fieldset = page.locator(f"fieldset#{question.code}")
        if question.answer_type == "choice":
            label = "Partial / in progress" if question.code in PARTIAL else "Yes"
            fieldset.get_by_label(label, exact=True).check()
        elif question.answer_type == "scale":
            fieldset.get_by_label("3 – Established", exact=True).check()
        elif question.answer_type == "number":
            fieldset.get_by_label("Answer (a number)").fill("24")
        else:
            fieldset.get_by_label("Answer", exact=True).fill("Jail records unit, per the MOA.")


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, type: el.type || "", name: el.name || "",
                    text: (el.innerText || el.value || "").trim()};
        }"""
    )


def answer_with_the_keyboard(page: Page, questions: list[Question], save_label: str) -> None:
    """Tab through the section: the first question is answered Partial (arrow key) with a typed
    note, every other one Yes (Space), up to the save button, which is left with the focus."""
    first = questions[0]
    answered: set[str] = set()
    for _ in range(80 * len(questions)):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["type"] == "radio" and element["name"] not in answered:
            # The focus lands on the first radio (Yes) of a group with nothing chosen.
            if element["name"] == f"q{first.pk}-value":
                page.keyboard.press("ArrowRight")  # moves to Partial and chooses it
            else:
                page.keyboard.press("Space")
            answered.add(element["name"])
        elif element["name"] == f"q{first.pk}-note":
            page.keyboard.type("Letter of request drafted; counsel is reviewing the MOA.")
        elif element["tag"] == "BUTTON" and element["text"] == save_label:
            break
    else:
        raise AssertionError(f"Tab never reached the button {save_label!r}.")
    assert len(answered) == len(questions)


def test_the_whole_journey(page: Page, live_server, command, preparer, agency, questionnaire):
    url = live_server.url
    journey = Journey(page)

    # Command signs in for the first time: two-step sign-in is required, so it is set up.
    sign_in(page, url, "command")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    journey.step("command-sets-up-two-step-sign-in")
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_role("textbox", name="Code").fill(
        current_code(base64.b32decode(key + "=" * (-len(key) % 8)))
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    journey.step("command-sees-recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(agency.name)
    journey.step("command-dashboard")

    # Command starts an assessment of two models.
    with page.expect_navigation():
        page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Jail Enforcement Model").check()
    page.get_by_label("Warrant Service Officer").check()
    journey.step("command-starts-an-assessment")
    with page.expect_navigation():
        page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_text(f"Assessment “{TITLE}” started.")).to_be_visible()
    assessment = Assessment.objects.get(agency=agency)
    assert sorted(assessment.models) == ["JEM", "WSO"]
    journey.step("assessment-started")
    sign_out(page)

    # The preparer answers every section, one of them with the keyboard alone.
    sign_in(page, url, "preparer")
    open_assessment(page)
    expect(page.get_by_text("Overall: 0 of")).to_be_visible()
    journey.step("preparer-opens-the-assessment")
    with page.expect_navigation():
        page.get_by_role("link", name="1. Assess the agency's needs and capacity").click()
    for code in SECTION_ORDER:
        questions = section_questions(assessment, code)
        position = SECTION_ORDER.index(code) + 1
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Step {position}:")
        save_label = (
            f"Save and go to step {position + 1}"
            if position < len(SECTION_ORDER)
            else "Save and return to the overview"
        )
        if code == KEYBOARD_SECTION:
            answer_with_the_keyboard(page, questions, save_label)
            journey.step(f"section-{code.lower()}-answered-by-keyboard")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            stored = Answer.objects.filter(assessment=assessment, question__in=questions)
            assert sorted(stored.values_list("value", flat=True)) == sorted(
                ["partial"] + ["yes"] * (len(questions) - 1)
            )
            assert "counsel is reviewing" in stored.get(question=questions[0]).note
        else:
            answer_by_clicking(page, questions)
            journey.step(f"section-{code.lower()}-answered")
            with page.expect_navigation():
                page.get_by_role("button", name=save_label).click()
        expect(page.get_by_text("Saved:")).to_be_visible()
        if code == KEYBOARD_SECTION:
            # Halfway: the results are there, marked provisional.
            page.goto(f"{url}/assessments/{assessment.pk}/")
            with page.expect_navigation():
                page.get_by_role("link", name=re.compile(r"^Results")).click()
            expect(page.get_by_text("Provisional:", exact=True)).to_be_visible()
            journey.step("provisional-results")
            with page.expect_navigation():
                page.get_by_role("link", name="3. Train officers").click()

    # Back on the overview with everything answered: full results, then submit.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    total = assessment.applicable_questions().count()
    expect(page.get_by_text(f"Overall: {total} of {total}")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Results")).click()
    expect(page.get_by_text("Provisional:", exact=True)).to_have_count(0)
    expect(page.locator(".dimension-chart")).to_be_visible()
    journey.step("full-results")
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("link", name="Review and submit").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    journey.step("preparer-submits")
    sign_out(page)

    # Command returns it with a comment.
    sign_in(page, url, "command")
    verify_two_step(page, "command")
    open_assessment(page)
    page.get_by_label("Comment for the preparers").fill(RETURN_COMMENT)
    journey.step("command-writes-a-return-comment")
    with page.expect_navigation():
        page.get_by_role("button", name="Return to draft").click()
    expect(page.get_by_text("Returned to draft with your comment.")).to_be_visible()
    journey.step("command-returns-it")
    sign_out(page)

    # The preparer reads the comment, fixes the answer and submits again.
    sign_in(page, url, "preparer")
    open_assessment(page)
    returned = page.get_by_role("note").filter(has_text="Returned for changes by")
    expect(returned).to_contain_text("Returned for changes by Command Tester")
    expect(returned).to_contain_text(RETURN_COMMENT)
    journey.step("preparer-sees-the-comment")
    with page.expect_navigation():
        page.get_by_role("link", name="4. Develop policies").click()
    fieldset = page.locator("fieldset#POL-02")
    expect(fieldset.get_by_label("Yes", exact=True)).to_be_checked()
    fieldset.get_by_label("Partial / in progress", exact=True).check()
    fieldset.get_by_label("Note").fill(FIXED_NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: 1 answer(s) changed")).to_be_visible()
    journey.step("preparer-fixes-pol-02")
    fixed = Answer.objects.get(assessment=assessment, question__code="POL-02")
    assert (fixed.value, fixed.note) == ("partial", FIXED_NOTE)
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the overview").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Review and submit").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()
    journey.step("preparer-submits-again")
    sign_out(page)

    # Command approves and downloads the report.
    sign_in(page, url, "command")
    verify_two_step(page, "command")
    open_assessment(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Review and approve").click()
    page.get_by_label("I have reviewed this assessment").check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Approve as")).click()
    expect(page.get_by_text("Approved. The assessment is locked")).to_be_visible()
    journey.step("command-approves")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download the readiness report")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    report = ARTIFACTS_DIR / "journey-report.pdf"
    download.save_as(report)
    pages = PdfReader(io.BytesIO(report.read_bytes())).pages
    text = " ".join(pdf_page.extract_text() for pdf_page in pages)
    text = re.sub(r"\s+", " ", text)
    assert agency.name in text
    assert TITLE in text
    assert "Approved" in text and "Command Tester" in text
    assert "DRAFT" not in text
    assert re.sub(r"\s+", "", FIXED_NOTE) in re.sub(r"\s+", "", text)

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    journey.audit.assert_clean()
