"""Every action of command staff and agency administrators, done with the keyboard alone: Tab to
the control, then Enter, Space or typing. (Answering sections by keyboard is in
test_checklist_journey.py and test_journey.py; the skip link and focus ring in test_keyboard.py.)
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from agencies.models import Membership, Role
from assessments import services
from assessments.models import Assessment
from tests.e2e.conftest import current_code
from tests.e2e.keyboard import tab_to
from tests.factories import PASSWORD, answer_questions, totp_device

MANY = 200  # Tab presses allowed to reach a control: enough for the longest page


def press(page: Page, target, key: str = "Enter") -> None:
    tab_to(page, target, max_presses=MANY)
    page.keyboard.press(key)


def activate(page: Page, target) -> None:
    """Tab to a link or button and press Enter, waiting for the page it leads to."""
    tab_to(page, target, max_presses=MANY)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page: Page, target, text: str) -> None:
    tab_to(page, target, max_presses=MANY)
    page.keyboard.type(text)


def sign_in_by_keyboard(page: Page, live_server, username: str) -> None:
    totp_device(get_user_model().objects.get(username=username))  # an authenticator set up
    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, page.get_by_label("Username"), username)
    type_into(page, page.get_by_label("Password"), PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    device = totp_device(get_user_model().objects.get(username=username))
    type_into(
        page,
        page.get_by_role("textbox", name="Code"),
        current_code(device.bin_key, after=device.last_t),
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_command_staff_do_everything_by_keyboard(
    page: Page, live_server, command, preparer, draft
) -> None:
    answer_questions(draft, preparer)
    services.assessment_submit(assessment=draft, user=preparer)
    sign_in_by_keyboard(page, live_server, "command")

    # Start an assessment.
    activate(page, page.get_by_role("link", name="Start an assessment"))
    type_into(page, page.get_by_label("Title"), "Keyboard review")
    press(page, page.get_by_label("Task Force Model"), "Space")
    activate(page, page.get_by_role("button", name="Start assessment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Keyboard review")
    assert set(Assessment.objects.get(title="Keyboard review").models) == {"TFM"}

    # Return the submitted one with a comment, then approve it once resubmitted.
    overview = f"{live_server.url}/assessments/{draft.pk}/"
    page.goto(overview)
    type_into(page, page.get_by_label("Comment for the preparers"), "Cite the MOA in ICE-03.")
    activate(page, page.get_by_role("button", name="Return to draft"))
    expect(page.get_by_text("Returned to draft with your comment.")).to_be_visible()
    services.assessment_submit(assessment=draft, user=preparer)
    page.goto(overview)
    activate(page, page.get_by_role("link", name="Review and approve"))
    press(page, page.get_by_label("I have reviewed this assessment"), "Space")
    activate(page, page.get_by_role("button", name=re.compile(r"^Approve as")))
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.APPROVED

    # Downloads: the report, the CSV and the JSON export.
    for name in ("Download the readiness report", "Download the answers", "Export the whole"):
        with page.expect_download() as download:
            press(page, page.get_by_role("link", name=name))
        assert download.value.suggested_filename
    for name, heading in (("Results", "Results"), ("Activity", "Activity")):
        activate(page, page.get_by_role("link", name=name).first)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        page.goto(overview)

    # Reopen as a new revision.
    activate(page, page.get_by_role("button", name="Reopen as a new revision"))
    assert Assessment.objects.filter(title=draft.title).count() == 2

    # The audit log, filtered by event with the keyboard.
    activate(page, page.get_by_role("link", name="Audit log"))
    press(page, page.get_by_label("Event"), "R")  # type-ahead in a closed select
    event = page.get_by_label("Event").input_value()
    assert event
    activate(page, page.get_by_role("button", name="Show"))
    assert f"kind={event}" in page.url

    # Own account: new recovery codes; then sign out.
    activate(page, page.get_by_role("link", name="Your account"))
    activate(page, page.get_by_role("button", name="Create new recovery codes"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    activate(page, page.get_by_role("button", name="Sign out"))
    assert "/accounts/login/" in page.url


def test_agency_administrators_manage_members_by_keyboard(
    page: Page, live_server, agency_admin, preparer
) -> None:
    sign_in_by_keyboard(page, live_server, "agencyadmin")
    activate(page, page.get_by_role("link", name="Members"))

    activate(page, page.get_by_role("link", name="Add a member"))
    type_into(page, page.get_by_label("Username"), "kbuser")
    type_into(page, page.get_by_label("First name"), "Kay")
    type_into(page, page.get_by_label("Last name"), "Board")
    activate(page, page.get_by_role("button", name="Add member"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kay Board")
    activate(page, page.get_by_role("link", name="Members").first)

    activate(page, page.get_by_role("link", name="Change role of Preparer Tester"))
    press(page, page.get_by_label("Role"), "C")  # type-ahead: Command
    activate(page, page.get_by_role("button", name="Change role"))
    assert Membership.objects.get(user=preparer).role == Role.COMMAND

    activate(page, page.get_by_role("button", name="Deactivate Preparer Tester"))
    preparer.refresh_from_db()
    assert not preparer.is_active
    activate(page, page.get_by_role("button", name="Reactivate Preparer Tester"))
    preparer.refresh_from_db()
    assert preparer.is_active
    activate(page, page.get_by_role("button", name="New invitation link for Kay Board"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kay Board")
