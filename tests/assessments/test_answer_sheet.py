"""The answer sheet: one read-only page of an assessment's answers (all steps or one), what each
question shows, its filters alone and combined, who may read it, and its fixed query count."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, Comment
from evidence import services as evidence_services
from tests.factories import AnswerFactory, AssessmentFactory, answer_questions, approve
from tests.pages import question, text_of
from tests.questionnaire_files import load_questionnaire_text, questionnaire_toml

# Measured on SQLite, the same for 5 questions and 50: the session, the signed-in member, the
# assessment (with its state-law profile), then the sheet's own five: the answers, the comments,
# the current evidence, the newest earlier approved assessment and its answers. The
# questionnaire's layouts are read once per process. A query per question would break it.
SHEET_QUERIES = 8

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


def sheet_url(assessment: Assessment, code: str | None = None) -> str:
    if code is None:
        return reverse("answer_sheet", args=[assessment.pk])
    return reverse("answer_sheet_section", args=[assessment.pk, code])


def get_sheet(client, assessment: Assessment, code: str | None = None, **filters):
    response = client.get(sheet_url(assessment, code), {name: "1" for name in filters})
    assert response.status_code == 200
    return response


def shown_codes(response) -> list[str]:
    return re.findall(r'<article[^>]*id="([A-Z]+-\d+)"', response.content.decode())


def words(fragment: str) -> str:
    """The visible text, without the space `text_of` leaves before punctuation after a tag."""
    return re.sub(r" ([,.:;])", r"\1", text_of(fragment))


def entry(response, code: str) -> str:
    """The visible text of one question on the sheet."""
    found = re.search(
        rf'<article[^>]*id="{re.escape(code)}".*?</article>', response.content.decode(), re.S
    )
    assert found, f"{code} is not on the sheet"
    return words(found.group(0))


def count_line(response) -> str:
    found = re.search(r'<p id="sheet-count">(.*?)</p>', response.content.decode(), re.S)
    assert found
    return words(found.group(1))


def asked_codes(assessment: Assessment, **conditions) -> list[str]:
    return list(
        assessment.applicable_questions()
        .filter(**conditions)
        .order_by("position")
        .values_list("code", flat=True)
    )


def comment(assessment, code, author, body, *, reply_to=None, resolved_by=None) -> Comment:
    return Comment.objects.create(
        assessment=assessment,
        question=question(assessment, code),
        author=author,
        body=body,
        reply_to=reply_to,
        resolved_by=resolved_by,
        resolved_at=timezone.now() if resolved_by else None,
    )


def attach_file(assessment, code, user, title="General Order 114"):
    return evidence_services.evidence_attach(
        assessment=assessment, question=question(assessment, code), user=user,
        membership=user.membership, title=title, upload=SimpleUploadedFile("go.pdf", PDF),
    )  # fmt: skip


def change(assessment, code, user, **content) -> None:
    """Save a new answer to `code` over the stored one, as from a page showing the stored one."""
    stored = Answer.objects.get(assessment=assessment, question__code=code)
    services.answers_save(
        assessment=assessment,
        user=user,
        data=[
            services.AnswerInput(
                question_id=stored.question_id, base_version=stored.version, **content
            )
        ],
    )


@pytest.fixture
def reopened(draft, preparer, command):
    """Revision 2 of the draft, fully answered "yes" and approved, with CAP-01 changed to No and
    ICE-01 marked not applicable since; everything else as approved."""
    answer_questions(draft, preparer)
    approved = approve(draft, preparer=preparer, command=command)
    revision = services.assessment_reopen(
        assessment=approved, user=command, membership=command.membership
    )
    change(revision, "CAP-01", preparer, value="no")
    change(revision, "ICE-01", preparer, not_applicable=True, na_reason="No jail of our own.")
    return revision


# What each question shows


def test_each_question_shows_its_answer_note_flag_and_last_change(
    client_for, answered_draft, preparer
):
    response = get_sheet(client_for(preparer), answered_draft)

    cap_01 = entry(response, "CAP-01")
    assert "Answer Yes" in cap_01
    assert "Note Memo." in cap_01
    assert re.search(r"Last change Preparer Tester, \d{4}-\d\d-\d\d \d\d:\d\d", cap_01)
    assert "Marked for review" not in cap_01
    assert "Marked for review" in entry(response, "CAP-02")
    assert "Answer 1200" in entry(response, "CAP-02")


def test_an_unanswered_question_says_so_and_shows_no_empty_fields(
    client_for, answered_draft, preparer
):
    response = get_sheet(client_for(preparer), answered_draft)

    cap_03 = entry(response, "CAP-03")
    assert "Answer Unanswered" in cap_03
    for absent in ("Note", "Reason not applicable", "Last change", "Evidence", "Comments"):
        assert absent not in cap_03
    questions = re.findall(r"<article.*?</article>", response.content.decode(), re.S)
    assert questions and not any(re.search(r"<(input|textarea)", html) for html in questions)


def test_a_not_applicable_answer_shows_its_reason(client_for, draft, preparer):
    AnswerFactory(
        assessment=draft,
        question=question(draft, "CAP-05"),
        user=preparer,
        value="",
        not_applicable=True,
        na_reason="No jail of our own.",
    )

    cap_05 = entry(get_sheet(client_for(preparer), draft), "CAP-05")

    assert "Answer Not applicable" in cap_05
    assert "Reason not applicable No jail of our own." in cap_05


def test_critical_questions_carry_a_badge(client_for, draft, preparer):
    critical = asked_codes(draft, critical=True)
    plain = asked_codes(draft, critical=False)

    response = get_sheet(client_for(preparer), draft)

    assert critical and all("Critical" in entry(response, code) for code in critical)
    assert all("Critical" not in entry(response, code) for code in plain)


def test_comments_show_with_author_date_replies_and_whether_they_are_open(
    client_for, answered_draft, preparer, command
):
    thread = comment(answered_draft, "CAP-01", command, "Which memo, and who signed it?")
    comment(answered_draft, "CAP-01", preparer, "The sheriff, on 2026-10-01.", reply_to=thread)
    comment(answered_draft, "ICE-01", command, "Name the contact.", resolved_by=preparer)

    response = get_sheet(client_for(preparer), answered_draft)

    cap_01 = entry(response, "CAP-01")
    assert re.search(
        r"Comments Open Command Tester, \d{4}-\d\d-\d\d \d\d:\d\d: Which memo, and who signed it\?"
        r" Preparer Tester, \d{4}-\d\d-\d\d \d\d:\d\d: The sheriff, on 2026-10-01\.",
        cap_01,
    )
    ice_01 = entry(response, "ICE-01")
    assert "Resolved Command Tester" in ice_01
    assert re.search(r"Resolved by Preparer Tester, \d{4}-\d\d-\d\d", ice_01)
    assert "Comments" not in entry(response, "CAP-02")


def test_evidence_titles_are_listed_where_there_is_evidence(client_for, answered_draft, preparer):
    item = attach_file(answered_draft, "CAP-01", preparer)
    evidence_services.evidence_attach(
        assessment=answered_draft, question=question(answered_draft, "CAP-01"), user=preparer,
        membership=preparer.membership, title="Staffing plan", reference="PowerDMS: Staffing/2027",
    )  # fmt: skip

    response = get_sheet(client_for(preparer), answered_draft)

    assert "Evidence General Order 114 Staffing plan (PowerDMS: Staffing/2027)" in entry(
        response, "CAP-01"
    )
    assert f'href="{reverse("evidence_download", args=[item.pk])}"' in response.content.decode()
    assert "Evidence" not in entry(response, "CAP-02")


def test_without_evidence_the_sheet_says_nothing_about_it(client_for, answered_draft, preparer):
    response = get_sheet(client_for(preparer), answered_draft)

    assert "Evidence" not in text_of(response.content.decode())


def test_headings_run_from_the_page_to_each_step_to_each_question(
    client_for, answered_draft, preparer
):
    page = get_sheet(client_for(preparer), answered_draft).content.decode()

    levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    steps = re.findall(r'<h2[^>]*id="step-([A-Z]+)"', page)
    assert steps == ["CAP", "ICE", "TRN", "POL", "COM"]


# Filters


def test_without_filters_every_asked_question_is_shown_in_order(
    client_for, answered_draft, preparer
):
    response = get_sheet(client_for(preparer), answered_draft)

    asked = asked_codes(answered_draft)
    assert shown_codes(response) == asked
    assert count_line(response) == f"{len(asked)} of {len(asked)} questions shown, no filter."


def test_the_flagged_filter_shows_questions_marked_for_review(client_for, answered_draft, preparer):
    response = get_sheet(client_for(preparer), answered_draft, flagged=True)

    assert shown_codes(response) == ["CAP-02"]
    total = len(asked_codes(answered_draft))
    assert count_line(response) == f"1 of {total} questions shown: only those marked for review."
    assert 'id="filter-flagged" checked' in response.content.decode()


def test_the_critical_filter_shows_critical_questions(client_for, answered_draft, preparer):
    response = get_sheet(client_for(preparer), answered_draft, critical=True)

    assert shown_codes(response) == asked_codes(answered_draft, critical=True)


def test_the_comment_filters_show_questions_with_comments_or_open_ones(
    client_for, answered_draft, preparer, command
):
    comment(answered_draft, "CAP-01", command, "Which memo?")
    comment(answered_draft, "ICE-01", command, "Name the contact.", resolved_by=preparer)
    client = client_for(preparer)

    assert shown_codes(get_sheet(client, answered_draft, comments=True)) == ["CAP-01", "ICE-01"]
    assert shown_codes(get_sheet(client, answered_draft, open=True)) == ["CAP-01"]


def test_the_changed_filter_shows_answers_changed_since_the_last_approval(
    client_for, reopened, preparer
):
    response = get_sheet(client_for(preparer), reopened, changed=True)

    assert shown_codes(response) == ["CAP-01", "ICE-01"]
    assert "Answer No (was Yes)" in entry(response, "CAP-01")
    assert "Changed since approved" in entry(response, "CAP-01")
    assert "Answer Not applicable (was Yes)" in entry(response, "ICE-01")
    assert "Changes are counted against “2027 readiness review” (rev. 1)" in text_of(
        response.content.decode()
    )


def test_an_approved_assessment_compares_with_the_one_approved_before_it(
    client_for, reopened, preparer, command
):
    approved = approve(reopened, preparer=preparer, command=command)

    response = get_sheet(client_for(preparer), approved, changed=True)

    assert shown_codes(response) == ["CAP-01", "ICE-01"]


def test_without_an_approved_baseline_the_changed_filter_is_off_and_says_why(
    client_for, answered_draft, preparer
):
    response = get_sheet(client_for(preparer), answered_draft, changed=True)

    page = response.content.decode()
    assert re.search(r'<input[^>]*name="changed"[^>]*disabled', page)
    assert "the agency has no approved assessment before this one" in text_of(page)
    assert "Not filtered by changes" in text_of(page)
    assert shown_codes(response) == asked_codes(answered_draft)


def test_filters_combine_every_one_must_match(client_for, answered_draft, preparer, command):
    critical = asked_codes(answered_draft, critical=True)
    AnswerFactory(
        assessment=answered_draft,
        question=question(answered_draft, critical[0]),
        user=preparer,
        flagged=True,
    )
    comment(answered_draft, "CAP-02", command, "Source of the number?")
    comment(answered_draft, "CAP-01", command, "Which memo?")
    client = client_for(preparer)

    both = get_sheet(client, answered_draft, flagged=True, critical=True)
    assert shown_codes(both) == [critical[0]]
    assert "only those marked for review and critical." in count_line(both)
    assert shown_codes(get_sheet(client, answered_draft, flagged=True, comments=True)) == ["CAP-02"]
    none = get_sheet(client, answered_draft, flagged=True, critical=True, comments=True)
    assert shown_codes(none) == []
    assert "No question meets the filters." in text_of(none.content.decode())


def test_changed_combines_with_the_other_filters(client_for, reopened, preparer, command):
    comment(reopened, "ICE-01", command, "Why not applicable now?")

    response = get_sheet(client_for(preparer), reopened, changed=True, comments=True)

    assert shown_codes(response) == ["ICE-01"]


def test_the_step_links_keep_the_filters(client_for, answered_draft, preparer):
    page = get_sheet(client_for(preparer), answered_draft, flagged=True, critical=True)

    ice = sheet_url(answered_draft, "ICE")
    assert f'href="{ice}?flagged=1&amp;critical=1"' in page.content.decode()


# One step


def test_one_step_shows_only_its_questions(client_for, answered_draft, preparer):
    response = get_sheet(client_for(preparer), answered_draft, "ICE")

    ice = [code for code in asked_codes(answered_draft) if code.startswith("ICE-")]
    assert shown_codes(response) == ice
    assert count_line(response).startswith(f"{len(ice)} of {len(ice)} questions shown")
    assert "<h1>Answer sheet: step 2, Engage with ICE</h1>" in response.content.decode()


def test_one_step_with_filters_says_when_none_of_its_questions_meet_them(
    client_for, answered_draft, preparer
):
    response = get_sheet(client_for(preparer), answered_draft, "ICE", flagged=True)

    assert shown_codes(response) == []
    assert "No question of this step meets the filters." in text_of(response.content.decode())


def test_an_unknown_step_is_not_found(client_for, draft, preparer):
    assert client_for(preparer).get(sheet_url(draft, "XYZ")).status_code == 404


# Who may read it


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
@pytest.mark.parametrize("persona", ["preparer", "command", "agency_admin"])
def test_every_member_reads_the_sheet_in_every_status(
    request, client_for, draft, preparer, command, persona, status
):
    answer_questions(draft, preparer, note="Kept in the binder.")
    if status == "submitted":
        services.assessment_submit(assessment=draft, user=preparer)
    elif status == "approved":
        approve(draft, preparer=preparer, command=command)

    response = get_sheet(client_for(request.getfixturevalue(persona)), draft)

    assert len(shown_codes(response)) == len(asked_codes(draft))
    assert "Note Kept in the binder." in entry(response, "CAP-01")


def test_another_agencys_member_gets_404(client_for, draft, outsider):
    client = client_for(outsider)

    assert client.get(sheet_url(draft)).status_code == 404
    assert client.get(sheet_url(draft, "CAP")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, draft):
    response = client.get(sheet_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_overview_links_to_the_answer_sheet(client_for, draft, preparer):
    response = client_for(preparer).get(reverse("assessment", args=[draft.pk]))

    assert f'<a href="{sheet_url(draft)}">Answer sheet</a>' in response.content.decode()


def test_the_sheet_has_a_print_stylesheet(client_for, draft, preparer):
    page = get_sheet(client_for(preparer), draft).content.decode()

    assert re.search(r'<link rel="stylesheet" href="[^"]*css/print\.css" media="print">', page)


# Queries do not grow with the number of questions


@pytest.fixture
def sized_sheet(request, db, tmp_path, agency, command, preparer):
    """A JEM draft of a questionnaire of `request.param` questions in two steps, reopened from an
    approved revision; every question answered with a note, commented on and replied to, and
    every fifth with evidence."""
    size = request.param
    load_questionnaire_text(
        tmp_path,
        questionnaire_toml(
            slug=f"sheet-{size}",
            version=50 + size,
            sections={"CAP": size // 2, "ICE": size - size // 2},
        ),
    )
    first = AssessmentFactory(agency=agency, created_by=command, models=["JEM"])
    answer_questions(first, preparer, note=lambda code: f"Binder {code}.")
    approved = approve(first, preparer=preparer, command=command)
    draft = services.assessment_reopen(
        assessment=approved, user=command, membership=command.membership
    )
    questions = list(draft.applicable_questions())
    assert len(questions) == size
    for number, asked in enumerate(questions):
        thread = comment(draft, asked.code, command, f"About {asked.code}?")
        comment(draft, asked.code, preparer, "Answered.", reply_to=thread)
        if number % 5 == 0:
            attach_file(draft, asked.code, preparer, title=f"Order {asked.code}")
    return draft


@pytest.mark.parametrize("sized_sheet", [5, 50], indirect=True)
@pytest.mark.parametrize("filters", [{}, {"changed": True}, {"comments": True, "open": True}])
def test_the_sheet_queries_do_not_grow_with_the_questions(
    client_for, sized_sheet, preparer, django_assert_max_num_queries, filters
):
    client = client_for(preparer)
    get_sheet(client, sized_sheet)  # the questionnaire's layout, once per process

    with django_assert_max_num_queries(SHEET_QUERIES):
        response = get_sheet(client, sized_sheet, **filters)

    size = len(sized_sheet.applicable_questions())
    shown = 0 if "changed" in filters else size  # nothing changed since the approval
    assert len(shown_codes(response)) == shown
    assert count_line(response).startswith(f"{shown} of {size} questions")
