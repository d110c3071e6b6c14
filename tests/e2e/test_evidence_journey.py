"""Evidence in the browser: a preparer attaches a policy PDF to a critical question with the
keyboard alone; command staff see it on the read-only review page and download it."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from assessments import services
from assessments.management.commands.seed_demo import demo_pdf
from tests.e2e.a11y import AxeAudit
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT, current_code
from tests.e2e.keyboard import tab_to
from tests.factories import PASSWORD, answer_questions, totp_device

TITLE = "General Order 114: Staffing for 287(g) duties"


def test_a_preparer_attaches_a_policy_by_keyboard_and_command_downloads_it(
    page: Page, browser, live_server, draft, preparer, command, tmp_path
) -> None:
    answer_questions(draft, preparer)
    policy = tmp_path / "GO-114.pdf"
    policy.write_bytes(demo_pdf(TITLE, ["Four detention deputies assigned for two years."]))
    audit = AxeAudit(page)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("preparer")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
    link = page.get_by_role("link", name="Attach or manage evidence for CAP-04")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    audit("evidence page")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type(TITLE)
    file_input = page.get_by_label("File")
    tab_to(page, file_input)
    # The operating system's file dialog is outside the page: the file is handed to the input
    # the keyboard reached, as the dialog would.
    file_input.set_input_files(str(policy))
    tab_to(page, page.get_by_label("Document number"))
    page.keyboard.type("GO-114")
    tab_to(page, page.get_by_role("button", name="Attach"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Evidence attached to CAP-04.")).to_be_visible()
    audit("evidence attached")
    audit.assert_clean()
    services.assessment_submit(assessment=draft, user=preparer)

    other = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    other.set_default_timeout(TIMEOUT_MS)
    command_page = other.new_page()
    try:
        sign_in_page = command_page
        sign_in_page.goto(f"{live_server.url}/accounts/login/")
        # Command staff sign in with their second factor, in a browser of their own.
        device = totp_device(command)
        sign_in_page.get_by_label("Username").fill("command")
        sign_in_page.get_by_label("Password").fill(PASSWORD)
        with sign_in_page.expect_navigation():
            sign_in_page.get_by_role("button", name="Sign in").click()
        device = TOTPDevice.objects.get(pk=device.pk)
        sign_in_page.get_by_role("textbox", name="Code").fill(
            current_code(device.bin_key, after=device.last_t)
        )
        with sign_in_page.expect_navigation():
            sign_in_page.get_by_role("button", name="Verify").click()
        command_page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/CAP/")
        expect(
            command_page.get_by_text("submitted for review: answers are shown read-only")
        ).to_be_visible()
        with command_page.expect_download() as download:
            command_page.get_by_role("link", name=TITLE).click()
        saved = tmp_path / "downloaded.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes() == policy.read_bytes()
        assert download.value.suggested_filename == "GO-114.pdf"
    finally:
        other.close()
