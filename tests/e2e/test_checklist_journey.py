"""A preparer answers a whole section with the keyboard alone; command approves the assessment."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from assessments import services
from assessments.models import Answer, Assessment
from tests.factories import PASSWORD

KEYBOARD_SECTION = "ICE"


def answer_other_sections(assessment, user) -> None:
    data = []
    for question in assessment.applicable_questions().select_related("section"):
        if question.section.code == KEYBOARD_SECTION:
            continue
        value = {"scale": "3", "number": "4", "text": "County Attorney memo"}.get(
            question.answer_type, "yes"
        )
        data.append(services.AnswerInput(question_id=question.pk, value=value))
    services.answers_save(assessment=assessment, user=user, data=data)


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, type: el.type || "", name: el.name || "",
                    text: (el.innerText || el.value || "").trim()};
        }"""
    )


def test_preparer_answers_a_section_by_keyboard_and_command_approves(
    page: Page, live_server, sign_in, preparer, command, draft
) -> None:
    answer_other_sections(draft, preparer)
    questions = list(draft.applicable_questions().filter(section__code=KEYBOARD_SECTION))
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/{KEYBOARD_SECTION}/")

    answered: set[str] = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["type"] == "radio" and element["name"] not in answered:
            # The first radio of an unanswered group takes the focus; Space chooses it (Yes).
            page.keyboard.press("Space")
            answered.add(element["name"])
        elif element["tag"] == "BUTTON" and element["text"] == "Save":
            break
    else:
        raise AssertionError("The Save button was never reached with Tab.")
    assert len(answered) == len(questions)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Saved:")).to_be_visible()
    stored = Answer.objects.filter(assessment=draft, question__in=questions)
    assert sorted(stored.values_list("value", flat=True)) == ["yes"] * len(questions)

    page.goto(f"{live_server.url}/assessments/{draft.pk}/")
    expect(page.get_by_text(f"{draft.applicable_questions().count()} of")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Review and submit").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in("command", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Review and approve").click()
    page.get_by_label("I have reviewed this assessment").check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Approve as")).click()
    expect(page.get_by_text("Approved. The assessment is locked")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.APPROVED
    assert draft.approved_by == command
