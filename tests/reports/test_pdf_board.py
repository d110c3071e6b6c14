"""The readiness PDF as a county board reads it (issue 17), read back page by page with pypdf:
what a decision needs on pages 1–2, the steps with comments and authors, no half-empty page,
the letterhead, and MARKED FOR REVIEW never on an approved report."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from agencies import services as agency_services
from assessments import selectors
from assessments import services as assessment_services
from assessments.models import Answer, Assessment, Comment
from plans import services as plan_services
from questionnaires.models import Question
from reports.context import GAPS_IN_FULL
from tests.agencies.test_logo import png_bytes
from tests.factories import FULL_MARKS, answer_questions, approve, evidence_note
from tests.reports.test_pdf import download, pages_text

pytestmark = pytest.mark.slow  # every test renders a report

# Page geometry of static/css/report.css (@page margins 0.8in top, 0.7in bottom): the running
# header and footer lie outside this band and are not counted as content.
BODY_TOP = 792 - 0.8 * 72
BODY_BOTTOM = 0.7 * 72


def body_lines(page) -> int:
    """Lines of text on the page's body: the distinct baselines text is set on (a table row's
    cells share one), rounded to the point."""
    baselines: set[int] = set()

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            baselines.add(round(cm[5] + tm[5] * cm[3]))

    page.extract_text(visitor_text=visit)
    return sum(1 for y in baselines if BODY_BOTTOM <= y <= BODY_TOP)


def page_lines(content: bytes) -> list[int]:
    return [body_lines(page) for page in PdfReader(io.BytesIO(content)).pages]


def critical_no(draft: Assessment) -> dict[str, str]:
    """Every critical question answered No: more gaps than page 2 tells in full."""
    return {q.code: "no" for q in draft.applicable_questions().filter(critical=True)}


@pytest.fixture
def board_draft(draft, preparer, command):
    """A draft much as a sheriff's office leaves it before review: the preparer answered
    everything with notes but CAP-01, which command staff answered and flagged; every critical
    question is No; a plan gives the top action an owner and date; CAP-02 carries a resolved
    thread with a reply and ICE-01 an open comment."""
    answer_questions(
        draft,
        preparer,
        values=FULL_MARKS,
        note=evidence_note,
        overrides=critical_no(draft),
        not_applicable=["COM-03"],
    )
    by_code = {q.code: q for q in draft.applicable_questions()}
    current = {a.question_id: a for a in Answer.objects.filter(assessment=draft)}
    assessment_services.answers_save(
        assessment=draft,
        user=command,
        data=[
            assessment_services.AnswerInput(
                question_id=by_code["CAP-01"].pk,
                value="partial",
                flagged=True,
                note="Budget request goes to the commissioners in March.",
                base_version=current[by_code["CAP-01"].pk].version,
            )
        ],
    )
    codes = [a.code for a in selectors.assessment_result(draft).actions]
    assessment_services.plan_from_actions(
        assessment=draft, user=command, membership=command.membership, codes=codes
    )
    top = draft.plan_items.order_by("priority").first()
    plan_services.item_update(
        item=top, user=command, membership=command.membership,
        changes={"owner": preparer, "target_date": datetime.date(2027, 3, 1)},
    )  # fmt: skip
    thread = Comment.objects.create(
        assessment=draft,
        question=by_code["CAP-02"],
        author=command,
        body="Which order number is the staffing memo?",
    )
    Comment.objects.create(
        assessment=draft,
        question=by_code["CAP-02"],
        reply_to=thread,
        author=preparer,
        body="General Order 12, added to the note.",
    )
    Comment.objects.filter(pk=thread.pk).update(resolved_by=command, resolved_at=timezone.now())
    Comment.objects.create(
        assessment=draft,
        question=by_code["ICE-01"],
        author=command,
        body="Attach the field office's letter before submitting.",
    )
    return Assessment.objects.get(pk=draft.pk)


def test_the_first_two_pages_hold_the_level_scores_gaps_actions_and_signature(
    board_draft, command, client_for
):
    result = selectors.assessment_result(board_draft)
    pages = pages_text(download(client_for(command), board_draft).content)
    first_two = " ".join(pages[:2])

    assert f"Overall level: {result.overall_level.label}" in first_two
    for dimension in result.dimensions:
        # Once in the chart, once in the table: no other repetition.
        shown = re.findall(rf"{dimension.label} {dimension.score}\b", first_two)
        assert len(shown) == 2, (dimension.label, shown)
    gaps = [a for a in result.actions if a.critical]
    assert len(gaps) > GAPS_IN_FULL
    assert "Critical gaps" in first_two
    for gap in gaps[:GAPS_IN_FULL]:
        assert f"{gap.code} (No): {gap.recommendation[:60]}" in first_two, gap.code
    assert f"Also critical and below Yes: {', '.join(g.code for g in gaps[GAPS_IN_FULL:])}" in (
        first_two
    )
    assert "Top actions" in first_two
    top_others = [a for a in result.actions if not a.critical][:3]
    for action in top_others:
        assert f"{action.code} (" in first_two, action.code
    # The plan gives the first gap an owner and a date.
    assert f"{gaps[0].code} (No)" in first_two and "Owner Preparer Tester, target 2027-03-01" in (
        first_two
    )
    assert re.search(r"Approval and signature .*Signature Date Name Title", first_two)
    assert settings.READINESS_APPROVAL_STATEMENT in first_two.replace(" ", " ")
    # The cover's facts (pypdf reads the floated labels before their values).
    for label in ("Agency", "Assessment", "Status", "Approver"):
        assert label in pages[0]
    for value in ("Example County Sheriff's Office", "2027 readiness review, revision 1"):
        assert value in pages[0]
    assert "Draft Not approved" in pages[0]


def test_steps_show_titles_answers_notes_reasons_comments_and_unusual_authors(
    board_draft, command, client_for
):
    pages = pages_text(download(client_for(command), board_draft).content)
    steps = " ".join(pages[1:])
    cap01 = Question.objects.get(questionnaire=board_draft.questionnaire, code="CAP-01")

    assert f"CAP-01 {cap01.prompt[:50]}" in steps  # the code and the question itself
    assert "Answered by Preparer Tester unless another name is given" in steps
    # Only the answer command staff gave names its author.
    assert steps.count("answered by Command Tester") == 1
    assert re.search(
        r"Answer: Partial / in progress MARKED FOR REVIEW · answered by Command Tester", steps
    )
    assert "Note: Budget request goes to the commissioners in March." in steps
    assert "Reason not applicable: COM-03 does not apply: no such unit here." in steps
    today = timezone.localdate().isoformat()
    assert f"Comment thread resolved by Command Tester on {today}" in steps
    assert f"Command Tester, {today}: Which order number is the staffing memo?" in steps
    assert f"Preparer Tester, {today} (reply): General Order 12, added to the note." in steps
    assert f"Open comment thread Command Tester, {today}: Attach the field office's letter" in (
        steps
    )
    assert "Answered by Preparer Tester" in steps and steps.count("Answered by") <= 5


def test_no_page_but_the_cover_is_less_than_a_third_full(board_draft, command, client_for):
    """The rule: a page's lines are the baselines text is set on in its body (header and footer
    left out); the capacity is the most lines any page of the same render holds (a full page).
    Every page but the cover must hold at least a third of that. No part forces a page break,
    so a step or appendix never leaves the page before it short and needs no exemption."""
    content = download(client_for(command), board_draft).content

    lines = page_lines(content)

    capacity = max(lines)
    assert len(lines) >= 5 and capacity >= 30, lines
    short = [n for n, count in enumerate(lines, start=1) if n > 1 and count < capacity / 3]
    assert not short, f"pages {short} under a third full: {lines}"


def test_the_approved_report_has_the_approver_the_attestation_and_no_review_flag(
    draft, preparer, command, client_for
):
    answer_questions(draft, preparer, values=FULL_MARKS, note=evidence_note)
    approve(draft, preparer=preparer, command=command)
    statement = "I have reviewed this assessment and approve it as the agency's record."
    Assessment.objects.filter(pk=draft.pk).update(
        attestation=statement,
        approved_at=datetime.datetime(2027, 1, 15, 16, 0, tzinfo=datetime.UTC),
    )
    # A flag left on an answer (approval clears them; an import may not) is never printed.
    Answer.objects.filter(assessment=draft).update(flagged=True)
    approved = Assessment.objects.get(pk=draft.pk)

    response = download(client_for(command), approved)

    pages = pages_text(response.content)
    text = " ".join(pages).upper()
    assert "MARKED FOR REVIEW" not in text and "DRAFT" not in text
    first_two = " ".join(pages[:2])
    assert re.search(
        r"Approved in Readiness by Command Tester(, [^ ]+)? on 2027-01-15 \(revision 1\)\.",
        first_two,
    )
    assert f"The approver confirmed: “{statement}”" in first_two
    assert "Signature Date Name Title" not in first_two


def test_the_draft_report_shows_the_review_flag(board_draft, command, client_for):
    text = " ".join(pages_text(download(client_for(command), board_draft).content))

    assert "MARKED FOR REVIEW" in text.upper()


def test_the_letterhead_is_on_the_cover(draft, agency, agency_admin, preparer, client_for):
    answer_questions(draft, preparer, values=FULL_MARKS)
    without = PdfReader(io.BytesIO(download(client_for(preparer), draft).content))
    assert not without.pages[0].images  # the chart is drawn, not an image

    agency_services.agency_logo_set(
        agency=agency,
        actor_membership=agency_admin.membership,
        data=png_bytes(size=(400, 120)),
        ip_address=None,
    )
    reader = PdfReader(io.BytesIO(download(client_for(preparer), draft).content))

    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image.size == (400, 120)


def test_many_gaps_exceptions_and_a_letterhead_still_leave_the_signature_on_page_two(
    draft, agency, agency_admin, preparer, command, client_for
):
    critical = list(draft.applicable_questions().filter(critical=True).order_by("position"))
    excepted = [q.code for q in critical[1::2]]
    answer_questions(
        draft,
        preparer,
        values=FULL_MARKS,
        note=evidence_note,
        overrides=critical_no(draft),
        not_applicable=excepted,
    )
    agency_services.agency_logo_set(
        agency=agency,
        actor_membership=agency_admin.membership,
        data=png_bytes(size=(600, 270)),
        ip_address=None,
    )

    pages = pages_text(download(client_for(command), draft).content)

    first_two = " ".join(pages[:2])
    assert len(excepted) >= 3
    assert "Approval and signature" in first_two and "Signature Date Name Title" in first_two
    assert f"and {', '.join(excepted[2:])}." in first_two  # every exception named
