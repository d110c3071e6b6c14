"""Keyboard use: the skip link, a visible focus ring, and focus on the error summary.

(Answering a whole section with the keyboard alone is in test_checklist_journey.py and
test_journey.py.)
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.keyboard import tab_to
from tests.factories import PASSWORD, answer_questions

REASON = re.compile(r"^Reason it is not applicable")


def focus_ring(target: Locator) -> dict:
    return target.evaluate(
        """element => {
            const style = getComputedStyle(element);
            return {outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                    color: style.outlineColor, focusVisible: element.matches(":focus-visible")};
        }"""
    )


def expect_focus_ring(target: Locator) -> None:
    ring = focus_ring(target)
    assert ring["focusVisible"], ring
    assert ring["outline"] != "none" and ring["width"] >= 2, ring


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # off-screen until it has the focus

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect_focus_ring(skip)
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_focus_is_visible_on_links_buttons_and_form_controls(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
    fieldset = page.locator("fieldset#CAP-01")
    targets = [
        page.get_by_role("link", name="Assessments", exact=True).first,  # on the dark header
        page.get_by_role("button", name="Sign out"),
        page.get_by_role("link", name="2. Engage with ICE"),  # a Bootstrap tab (.nav-link)
        fieldset.get_by_label("Yes", exact=True),  # .form-check-input
        fieldset.get_by_label("Note"),  # .form-control
        fieldset.get_by_label("Mark for review"),
        page.get_by_role("button", name="Save", exact=True),  # .btn
    ]
    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Shift+Tab")  # start from the top of the page, by keyboard
    for target in targets:
        tab_to(page, target, max_presses=120)
        expect_focus_ring(target)


def test_a_failed_save_puts_the_focus_on_the_error_summary(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
    number = page.locator("fieldset#CAP-02").get_by_label("Answer (a number)")
    tab_to(page, number, max_presses=60)
    page.keyboard.type("about forty")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a text field submits with the first button, Save

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("CAP-02: enter a number of 0 or more")
    # Its link leads to the question, still holding what was typed.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/#CAP-02")
    expect(number).to_have_value("about forty")


def test_choosing_not_applicable_by_keyboard_shows_the_reason_next_in_the_tab_order(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
    fieldset = page.locator("fieldset#CAP-01")  # answered with Yes, Partial, No or N/A
    reason = fieldset.get_by_label(REASON)
    not_applicable = fieldset.get_by_label("Not applicable", exact=True)
    expect(reason).to_be_hidden()
    expect(not_applicable).to_have_attribute("aria-controls", re.compile(r"-na_reason-box$"))

    tab_to(page, fieldset.get_by_label("Yes", exact=True), max_presses=60)
    for _ in range(3):  # the arrow keys choose Partial, No, then Not applicable
        page.keyboard.press("ArrowRight")

    expect(not_applicable).to_be_checked()
    expect(not_applicable).to_be_focused()
    expect(reason).to_be_visible()
    page.keyboard.press("Tab")
    expect(reason).to_be_focused()
    page.keyboard.type("The county runs no jail.")
    # Choosing another answer hides the reason again without losing the focus.
    page.keyboard.press("Shift+Tab")
    expect(not_applicable).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(fieldset.get_by_label("No", exact=True)).to_be_focused()
    expect(reason).to_be_hidden()
    page.keyboard.press("Tab")
    expect(fieldset.get_by_label("Note")).to_be_focused()

    # A number question marks Not applicable with a checkbox: Space shows its reason.
    number = page.locator("fieldset#CAP-02")
    tab_to(page, number.get_by_label("Not applicable", exact=True), max_presses=20)
    expect(number.get_by_label(REASON)).to_be_hidden()
    page.keyboard.press("Space")
    expect(number.get_by_label(REASON)).to_be_visible()
    page.keyboard.press("Tab")
    expect(number.get_by_label(REASON)).to_be_focused()


def test_the_next_unanswered_question_link_takes_the_keyboard_to_that_question(
    page: Page, live_server, sign_in, preparer, draft
) -> None:
    answer_questions(draft, preparer, limit=1)  # CAP-01
    sign_in("preparer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
    expect(page.locator("#step-progress")).to_contain_text("1 of ")
    link = page.get_by_role("link", name="Next unanswered question: CAP-02")

    tab_to(page, link, max_presses=60)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/sections/CAP/#CAP-02$"))
    expect(page.locator("fieldset#CAP-02")).to_be_in_viewport()
    page.keyboard.press("Tab")  # on from the question, not from the top of the page
    assert page.evaluate("() => document.getElementById('CAP-02').contains(document.activeElement)")
