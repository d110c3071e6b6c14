"""The PDF's first page says what state law says: a bar, a deadline. Read back with pypdf."""

from __future__ import annotations

import pytest

from reports import services as report_services
from tests.assessments.test_state_law_pages import start
from tests.factories import AgencyFactory, MemberFactory, answer_questions
from tests.reports.test_pdf import download, pages_text
from tests.state_law_files import in_days, load_state_law_text, prohibition

pytestmark = pytest.mark.slow


def test_a_prohibition_is_on_the_first_page(duty_questionnaire, state_law, client_for):
    golden = AgencyFactory(name="Golden County Sheriff's Office", state="CA", county="Golden")
    chief = MemberFactory(agency=golden, role="command", username="golden-chief")
    draft = start(golden, chief)
    answer_questions(draft, chief)

    response = download(client_for(chief), draft)

    first = pages_text(response.content)[0]
    assert "State law bars this agreement (Cal. Gov. Code 7284.6(a)(1)(G) (2017))." in first
    assert "Overall level: Not permitted under state law, whatever the answers." in first


def test_a_mandates_deadline_and_duties_are_on_the_first_page(
    duty_questionnaire,
    state_law,
    agency,
    command,
    preparer,
    client_for,
):
    draft = start(agency, command)
    answer_questions(draft, preparer, not_applicable=["CAP-01"])

    pages = pages_text(download(client_for(command), draft).content)

    first = pages[0]
    assert "Texas law requires an agreement (Tex. S.B. 8, 89th Leg., R.S. (2025))." in first
    assert f"Deadline {in_days(30).strftime('%B %-d, %Y')}: 30 days left." in first
    assert "Request or enter an agreement by a deadline; Report to a state body." in first
    assert "Operating under an agreement" in first  # the phase
    text = " ".join(pages).lower()  # the tags are set in capitals
    assert "ice-02 has the agency requested an agreement by the date state law sets? state law" in (
        text
    )
    assert "recommended practice" in text  # POL-01
    # The critical N/A is named in the executive summary, within the first pages.
    summary = " ".join(pages[:3])
    assert "CAP-01: marked not applicable by Preparer Tester" in summary
    assert "not accepted by command staff, so it counts as No." in summary


def test_the_report_is_rendered_again_when_the_state_law_changes(
    duty_questionnaire,
    state_law,
    agency,
    command,
    tmp_path,
):
    draft = start(agency, command)
    before = report_services.report_fingerprint(draft)

    load_state_law_text(tmp_path, prohibition("TX", "Texas"), version=2)
    draft.refresh_from_db()

    assert report_services.report_fingerprint(draft) != before
