"""Starting an assessment and answering its checklist through the pages a user sees."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment
from audit.models import Event
from tests.factories import AssessmentFactory, answer_questions
from tests.pages import fieldset, form_fields, question, section_url, text_of
from tests.questionnaire_files import load_questionnaire_text, questionnaire_toml
from tests.quick_run import quick_first

# Measured on SQLite, the same for a section of 5 questions and one of 50. The page reads the
# session, user, membership, assessment, sections, questions, answers and the header's agency;
# a save reads the same less the answers and header, then locks the assessment and answers and
# writes one bulk update of answers, one bulk insert of events and the assessment's time stamp,
# inside a savepoint. A query per question would break these bounds.
# Each signed-in request also reads its session, user, membership and second factor and
# saves the session (idle timeout): a fixed cost, whatever the page.
# A section page: the session, the member (with agency and two-step devices), the assessment
# (with its state-law profile), the step's answers, open plan items and evidence. The
# questionnaire's steps and questions are read once per process.
SECTION_PAGE_QUERIES = 6
SECTION_SAVE_QUERIES = 10
# The overview: the session, the member, the assessment, all its answers (progress, filters and
# critical questions come from them), the last return, the evidence's questions, and an
# earlier assessment's answered codes when it was carried over.
OVERVIEW_QUERIES = 7
# The dashboard also lists the member's plan items and the plan's counts.
DASHBOARD_QUERIES = 13


def prefix(assessment: Assessment, code: str) -> str:
    return f"q{question(assessment, code).pk}"


def stored(assessment: Assessment, code: str) -> Answer:
    return Answer.objects.select_related("updated_by").get(
        assessment=assessment, question__code=code
    )


def answered_cell(response, assessment: Assessment, section_code: str) -> str:
    """The "Answered" cell of the overview's progress row for one section."""
    href = section_url(assessment, section_code)
    rows = re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
    matching = [row for row in rows if f'href="{href}"' in row]
    assert len(matching) == 1, f"expected one row for {section_code}"
    return text_of(re.findall(r"<td>(.*?)</td>", matching[0], re.S)[0])


def filtered_codes(response) -> list[str]:
    block = re.search(r'<div id="filtered">(.*?)</div>', response.content.decode(), re.S)
    assert block, "the overview shows no filtered list"
    return re.findall(r'#([A-Z]+-\d+)">', block.group(1))


@pytest.fixture
def small_questionnaire(db, tmp_path):
    """CAP: 4 questions (CAP-02 WSO only, CAP-03 TFM only); ICE: 2 (ICE-02 JEM and TFM)."""
    text = questionnaire_toml(
        slug="small",
        version=2,
        sections={"CAP": 4, "ICE": 2},
        question_overrides={
            "CAP-02": {"models": ["WSO"]},
            "CAP-03": {"models": ["TFM"]},
            "ICE-02": {"models": ["JEM", "TFM"]},
        },
    )
    return load_questionnaire_text(tmp_path, text)


# Starting an assessment


@pytest.mark.parametrize("persona", quick_first("command", "agency_admin"))
def test_command_staff_start_an_assessment(request, persona, client_for, questionnaire, agency):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    response = client.post(
        reverse("assessment_start"),
        {"title": "2027 readiness review", "models": ["JEM", "WSO"]},
    )

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("assessment", args=[assessment.pk])
    assert assessment.agency == agency
    assert assessment.title == "2027 readiness review"
    assert assessment.models == {"JEM", "WSO"}
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.created_by == user
    assert assessment.questionnaire == questionnaire
    page = client.get(response.url).content.decode()
    assert "Assessment “2027 readiness review” started." in page


def test_a_preparer_cannot_start_an_assessment(client_for, questionnaire, preparer):
    client = client_for(preparer)

    page = client.get(reverse("assessment_start"))
    posted = client.post(
        reverse("assessment_start"), {"title": "2027 readiness review", "models": ["JEM"]}
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert not Assessment.objects.exists()


def test_starting_without_a_model_asks_for_one_and_keeps_the_title(
    client_for, questionnaire, command
):
    response = client_for(command).post(
        reverse("assessment_start"), {"title": "2027 readiness review"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one 287(g) model: JEM, TFM or WSO." in content
    assert re.search(r'<input[^>]*name="title"[^>]*value="2027 readiness review"', content)
    assert not Assessment.objects.exists()


def test_starting_without_a_published_questionnaire_says_what_to_do(client_for, db, command):
    response = client_for(command).post(
        reverse("assessment_start"), {"title": "2027 readiness review", "models": ["JEM"]}
    )

    assert response.status_code == 200
    assert "No published questionnaire is loaded." in response.content.decode()
    assert not Assessment.objects.exists()


# Answering


def test_it_saves_every_answer_type_with_who_saved_it(client_for, draft, preparer):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    choice, number, na_number, scale, text = (
        prefix(draft, code) for code in ("CAP-01", "CAP-02", "CAP-03", "CAP-06", "CAP-10")
    )
    assert {q.answer_type for q in (question(draft, "CAP-01"), question(draft, "CAP-06"))} == {
        "choice",
        "scale",
    }
    assert question(draft, "CAP-02").answer_type == "number"
    assert question(draft, "CAP-10").answer_type == "text"
    fields.update(
        {
            f"{choice}-value": "partial",
            f"{choice}-note": "Budget request drafted; owner: Chief Deputy.",
            f"{choice}-flagged": "on",
            f"{number}-value": "1200",
            f"{na_number}-na": "on",
            f"{na_number}-na_reason": "No officers are represented by a union.",
            f"{scale}-value": "3",
            f"{text}-value": "Records unit keeps the list.",
        }
    )

    response = client.post(section_url(draft, "CAP"), fields)

    assert response.status_code == 302
    assert response.url == section_url(draft, "CAP")
    answers = {a.question.code: a for a in Answer.objects.filter(assessment=draft)}
    assert set(answers) == {"CAP-01", "CAP-02", "CAP-03", "CAP-06", "CAP-10"}
    assert answers["CAP-01"].value == "partial"
    assert answers["CAP-01"].note == "Budget request drafted; owner: Chief Deputy."
    assert answers["CAP-01"].flagged is True
    assert answers["CAP-02"].value == "1200"
    assert answers["CAP-03"].not_applicable is True
    assert answers["CAP-03"].value == ""
    assert answers["CAP-03"].na_reason == "No officers are represented by a union."
    assert answers["CAP-06"].value == "3"
    assert answers["CAP-10"].value == "Records unit keeps the list."
    assert {a.updated_by for a in answers.values()} == {preparer}
    page = client.get(response.url).content.decode()
    assert "Saved: 5 answer(s) changed" in page


def test_a_saved_answer_is_shown_on_the_page_again(client_for, draft, preparer):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    scale = prefix(draft, "CAP-06")
    fields.update({f"{scale}-value": "0", f"{scale}-note": "No plan yet & no owner."})
    client.post(section_url(draft, "CAP"), fields)

    response = client.get(section_url(draft, "CAP"))

    shown = form_fields(response)
    assert shown[f"{scale}-value"] == "0"
    assert shown[f"{scale}-note"] == "No plan yet & no owner."
    assert shown[f"{scale}-version"] == "1"
    assert "Last changed by Preparer Tester" in fieldset(response, "CAP-06")


@pytest.mark.parametrize(
    ("code", "marks_na"),
    quick_first(("CAP-01", {"-value": "na"}), ("CAP-03", {"-na": "on"})),
    ids=["choice", "number"],
)
def test_not_applicable_without_a_reason_is_refused_next_to_the_question(
    client_for, draft, preparer, code, marks_na
):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    target = prefix(draft, code)
    fields.update({f"{target}{suffix}": value for suffix, value in marks_na.items()})
    fields[f"{prefix(draft, 'CAP-04')}-value"] = "yes"

    response = client.post(section_url(draft, "CAP"), fields)

    message = f"Question {code}: say why it is not applicable."
    assert response.status_code == 400
    own_errors = re.search(rf'id="{target}-errors">(.*?)</ul>', fieldset(response, code), re.S)
    assert own_errors and message in html.unescape(own_errors.group(1))
    assert message not in fieldset(response, "CAP-04")
    assert "Nothing was saved" in response.content.decode()
    assert not Answer.objects.filter(assessment=draft).exists()
    assert not Event.objects.filter(kind=Event.Kind.ANSWER_CHANGED).exists()


def test_a_validation_error_keeps_everything_typed_on_the_page(client_for, draft, preparer):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    typed = {
        f"{prefix(draft, 'CAP-01')}-value": "na",
        f"{prefix(draft, 'CAP-01')}-note": "Ask county counsel.",
        f"{prefix(draft, 'CAP-02')}-value": "twelve hundred",
        f"{prefix(draft, 'CAP-04')}-value": "partial",
        f"{prefix(draft, 'CAP-04')}-note": "Draft budget request <v2> in the shared drive",
        f"{prefix(draft, 'CAP-04')}-flagged": "on",
        f"{prefix(draft, 'CAP-06')}-value": "2",
        f"{prefix(draft, 'CAP-10')}-value": "Records unit keeps the list.",
        f"{prefix(draft, 'CAP-10')}-note": "Confirmed by Lt. O'Hara",
    }
    fields.update(typed)

    response = client.post(section_url(draft, "CAP"), fields)

    assert response.status_code == 400
    content = response.content.decode()
    assert "Question CAP-01: say why it is not applicable." in content
    assert "Question CAP-02: enter a number of 0 or more, e.g. 1200." in content
    shown = form_fields(response)
    for name, value in typed.items():
        assert shown.get(name) == value, name
    content_fields = ("-value", "-na", "-na_reason", "-note", "-flagged")
    assert {k: v for k, v in shown.items() if k.endswith(content_fields)} == {
        k: v for k, v in fields.items() if k.endswith(content_fields)
    }
    assert "Draft budget request &lt;v2&gt; in the shared drive" in content
    assert not Answer.objects.filter(assessment=draft).exists()


def test_correcting_the_error_and_saving_again_stores_everything_typed(client_for, draft, preparer):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    choice, text = prefix(draft, "CAP-01"), prefix(draft, "CAP-10")
    fields.update(
        {
            f"{choice}-value": "na",
            f"{text}-value": "Records unit keeps the list.",
            f"{text}-note": "Confirmed in May.",
        }
    )
    refused = client.post(section_url(draft, "CAP"), fields)
    corrected = {**form_fields(refused), f"{choice}-na_reason": "The county has no jail."}

    response = client.post(section_url(draft, "CAP"), corrected)

    assert refused.status_code == 400
    assert response.status_code == 302
    assert stored(draft, "CAP-01").not_applicable is True
    assert stored(draft, "CAP-01").na_reason == "The county has no jail."
    assert stored(draft, "CAP-10").value == "Records unit keeps the list."
    assert stored(draft, "CAP-10").note == "Confirmed in May."


def test_save_and_next_opens_the_next_step(client_for, draft, preparer):
    client = client_for(preparer)
    page = client.get(section_url(draft, "CAP"))
    fields = form_fields(page)
    fields[f"{prefix(draft, 'CAP-01')}-value"] = "yes"

    response = client.post(section_url(draft, "CAP"), {**fields, "next": ""})

    assert "Save and go to step 2" in page.content.decode()
    assert response.status_code == 302
    assert response.url == section_url(draft, "ICE")
    assert stored(draft, "CAP-01").value == "yes"


def test_save_and_next_on_the_last_step_returns_to_the_overview(client_for, draft, preparer):
    client = client_for(preparer)
    page = client.get(section_url(draft, "COM"))

    response = client.post(section_url(draft, "COM"), {**form_fields(page), "next": ""})

    assert "Save and return to the overview" in page.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("assessment", args=[draft.pk])


# Where a step stands: the progress count and the next unanswered question


def step_codes(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'<fieldset class="question[^"]*" id="([A-Z]+-\d+)"', page)


def step_progress_text(response) -> str:
    found = re.search(r'<p class="step-progress"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert found, "the step shows no progress line"
    return text_of(found.group(1))


def test_a_step_counts_its_answered_questions_and_links_the_first_unanswered(
    client_for, draft, preparer
):
    client = client_for(preparer)
    codes = step_codes(client.get(section_url(draft, "CAP")))
    answer_questions(draft, preparer, skip=[codes[2], codes[5], "ICE", "TRN", "POL", "COM"])

    response = client.get(section_url(draft, "CAP"))

    assert step_progress_text(response) == (
        f"{len(codes) - 2} of {len(codes)} answered in this step · "
        f"Next unanswered question: {codes[2]}"
    )
    assert f'<a href="#{codes[2]}">Next unanswered question' in response.content.decode()
    assert f'id="{codes[2]}"' in response.content.decode()  # the link's target


def test_a_question_marked_not_applicable_counts_as_answered(client_for, draft, preparer):
    client = client_for(preparer)
    codes = step_codes(client.get(section_url(draft, "CAP")))
    answer_questions(draft, preparer, skip=["ICE", "TRN", "POL", "COM"], not_applicable=codes[:1])

    response = client.get(section_url(draft, "CAP"))

    assert step_progress_text(response).startswith(f"{len(codes)} of {len(codes)} answered")


def test_a_complete_step_links_to_the_unanswered_questions_of_the_other_steps(
    client_for, draft, preparer
):
    client = client_for(preparer)
    answer_questions(draft, preparer, skip=["ICE", "TRN", "POL", "COM"])

    response = client.get(section_url(draft, "CAP"))

    assert "Next unanswered question" not in response.content.decode()
    assert step_progress_text(response).endswith("Unanswered questions in other steps")
    overview = reverse("assessment", args=[draft.pk])
    assert f'href="{overview}?show=unanswered#filtered"' in response.content.decode()


def test_a_refused_save_counts_what_is_saved_not_what_was_typed(client_for, draft, preparer):
    client = client_for(preparer)
    page = client.get(section_url(draft, "CAP"))
    codes = step_codes(page)
    fields = form_fields(page)
    fields[f"{prefix(draft, codes[0])}-value"] = "na"  # without a reason: refused

    response = client.post(section_url(draft, "CAP"), fields)

    assert response.status_code == 400
    assert step_progress_text(response) == (
        f"0 of {len(codes)} answered in this step · Next unanswered question: {codes[0]}"
    )


def test_the_reason_for_not_applicable_is_labelled_as_only_for_not_applicable(
    client_for, draft, preparer
):
    """Without script every reason field is shown; the label says when it is needed, and a field
    with an error is marked to stay shown (static/js/na-reason.js hides the others)."""
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    target = prefix(draft, "CAP-01")
    fields[f"{target}-value"] = "na"

    response = client.post(section_url(draft, "CAP"), fields)

    refused = fieldset(response, "CAP-01")
    assert "Reason it is not applicable (only if you choose Not applicable; required then)" in (
        text_of(refused)
    )
    assert f'id="{target}-na_reason-box" data-na-reason data-keep-shown>' in refused
    other = fieldset(response, "CAP-04")
    assert "data-na-reason>" in other and "data-keep-shown" not in other
    assert " hidden" not in other
    assert "js/na-reason.js" in response.content.decode()


def test_an_unknown_section_is_not_found(client_for, draft, preparer):
    assert client_for(preparer).get(section_url(draft, "XYZ")).status_code == 404


# Questions limited to the models under consideration


def test_a_wso_question_is_asked_when_wso_is_considered(client_for, draft, preparer):
    response = client_for(preparer).get(section_url(draft, "ICE"))

    assert response.status_code == 200
    assert 'id="ICE-07"' in response.content.decode()


def test_a_wso_question_is_not_asked_of_a_jem_only_assessment(
    client_for, questionnaire, agency, command, preparer
):
    jem_only = AssessmentFactory(agency=agency, created_by=command, models=["JEM"])

    response = client_for(preparer).get(section_url(jem_only, "ICE"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="ICE-07"' not in content
    assert 'id="ICE-08"' in content


def test_a_jem_and_tfm_question_is_not_asked_of_a_wso_only_assessment(
    client_for, questionnaire, agency, command, preparer
):
    wso_only = AssessmentFactory(agency=agency, created_by=command, models=["WSO"])

    response = client_for(preparer).get(section_url(wso_only, "ICE"))

    content = response.content.decode()
    assert 'id="ICE-08"' not in content
    assert 'id="ICE-07"' in content


def test_a_question_outside_the_models_cannot_be_answered_by_post(
    client_for, questionnaire, agency, command, preparer
):
    jem_only = AssessmentFactory(agency=agency, created_by=command, models=["JEM"])
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(jem_only, "ICE")))
    fields[f"{prefix(jem_only, 'ICE-07')}-value"] = "yes"

    client.post(section_url(jem_only, "ICE"), fields)

    assert not Answer.objects.filter(assessment=jem_only, question__code="ICE-07").exists()


@pytest.mark.parametrize(
    ("models", "cap", "ice", "overall"),
    quick_first(
        (["JEM"], "0 of 2", "0 of 2", "0 of 4"),
        (["WSO"], "0 of 3", "0 of 1", "0 of 4"),
        (["JEM", "WSO"], "0 of 3", "0 of 2", "0 of 5"),
        (["TFM"], "0 of 3", "0 of 2", "0 of 5"),
    ),
)
def test_the_overview_counts_only_the_questions_of_the_chosen_models(
    client_for, small_questionnaire, agency, command, preparer, models, cap, ice, overall
):
    assessment = AssessmentFactory(agency=agency, created_by=command, models=models)

    response = client_for(preparer).get(reverse("assessment", args=[assessment.pk]))

    assert response.status_code == 200
    assert answered_cell(response, assessment, "CAP") == cap
    assert answered_cell(response, assessment, "ICE") == ice
    assert f"Overall: {overall} applicable questions answered (0%)" in text_of(
        response.content.decode()
    )


# Progress


def test_the_overview_shows_progress_after_saving(
    client_for, small_questionnaire, agency, command, preparer
):
    assessment = AssessmentFactory(agency=agency, created_by=command, models=["JEM", "WSO"])
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(assessment, "CAP")))
    fields.update(
        {
            f"{prefix(assessment, 'CAP-01')}-value": "yes",
            f"{prefix(assessment, 'CAP-02')}-value": "na",
            f"{prefix(assessment, 'CAP-02')}-na_reason": "No warrant service planned.",
            # A note alone does not answer the question.
            f"{prefix(assessment, 'CAP-04')}-note": "Ask the jail commander.",
        }
    )
    assert client.post(section_url(assessment, "CAP"), fields).status_code == 302

    response = client.get(reverse("assessment", args=[assessment.pk]))

    assert answered_cell(response, assessment, "CAP") == "2 of 3"
    assert answered_cell(response, assessment, "ICE") == "0 of 2"
    assert "Overall: 2 of 5 applicable questions answered (40%)" in text_of(
        response.content.decode()
    )


# Two people editing the same section


def test_a_stale_save_of_the_same_question_is_a_conflict_that_shows_both_values(
    client_for, draft, preparer, command
):
    first, second = client_for(preparer), client_for(command)
    first_fields = form_fields(first.get(section_url(draft, "CAP")))
    second_fields = form_fields(second.get(section_url(draft, "CAP")))
    target = prefix(draft, "CAP-01")

    saved = first.post(section_url(draft, "CAP"), {**first_fields, f"{target}-value": "yes"})
    response = second.post(section_url(draft, "CAP"), {**second_fields, f"{target}-value": "no"})

    assert saved.status_code == 302
    assert response.status_code == 409
    assert stored(draft, "CAP-01").value == "yes"
    assert stored(draft, "CAP-01").updated_by == preparer
    assert form_fields(response)[f"{target}-value"] == "no"
    notice = re.search(
        r'<div class="alert alert-warning py-2">(.*?)</div>', fieldset(response, "CAP-01"), re.S
    )
    assert notice, "the conflict is not shown next to CAP-01"
    assert "Stored version by Preparer Tester" in text_of(notice.group(1))
    assert ": Yes." in text_of(notice.group(1))
    assert "changed by someone else while you were editing" in response.content.decode()


def test_saving_again_from_the_conflict_page_keeps_the_second_value(
    client_for, draft, preparer, command
):
    first, second = client_for(preparer), client_for(command)
    first_fields = form_fields(first.get(section_url(draft, "CAP")))
    second_fields = form_fields(second.get(section_url(draft, "CAP")))
    target = prefix(draft, "CAP-01")
    first.post(section_url(draft, "CAP"), {**first_fields, f"{target}-value": "yes"})
    conflict = second.post(section_url(draft, "CAP"), {**second_fields, f"{target}-value": "no"})

    response = second.post(section_url(draft, "CAP"), form_fields(conflict))

    assert conflict.status_code == 409
    assert response.status_code == 302
    answer = stored(draft, "CAP-01")
    assert answer.value == "no"
    assert answer.updated_by == command
    assert answer.version == 2


def test_edits_to_different_questions_of_a_section_never_conflict(
    client_for, draft, preparer, command
):
    first, second = client_for(preparer), client_for(command)
    first_fields = form_fields(first.get(section_url(draft, "CAP")))
    second_fields = form_fields(second.get(section_url(draft, "CAP")))
    first_target, second_target = prefix(draft, "CAP-01"), prefix(draft, "CAP-04")

    first_response = first.post(
        section_url(draft, "CAP"),
        {**first_fields, f"{first_target}-value": "yes", f"{first_target}-note": "Mine."},
    )
    second_response = second.post(
        section_url(draft, "CAP"), {**second_fields, f"{second_target}-value": "partial"}
    )

    assert first_response.status_code == 302
    assert second_response.status_code == 302
    assert (stored(draft, "CAP-01").value, stored(draft, "CAP-01").note) == ("yes", "Mine.")
    assert stored(draft, "CAP-01").updated_by == preparer
    assert stored(draft, "CAP-04").value == "partial"
    assert stored(draft, "CAP-04").updated_by == command


# Filters on the overview


@pytest.fixture
def partly_answered(draft, preparer):
    """CAP-01 answered and flagged, CAP-04 with only a note, CAP-06 answered with a note."""
    services.answers_save(
        assessment=draft,
        user=preparer,
        data=[
            services.AnswerInput(
                question_id=question(draft, "CAP-01").pk, value="yes", flagged=True
            ),
            services.AnswerInput(question_id=question(draft, "CAP-04").pk, note="Ask finance."),
            services.AnswerInput(
                question_id=question(draft, "CAP-06").pk, value="2", note="Plan in binder 3."
            ),
        ],
    )
    return draft


def test_the_unanswered_filter_lists_every_question_without_an_answer(
    client_for, partly_answered, preparer
):
    response = client_for(preparer).get(
        reverse("assessment", args=[partly_answered.pk]), {"show": "unanswered"}
    )

    codes = filtered_codes(response)
    assert "CAP-01" not in codes
    assert "CAP-06" not in codes
    assert "CAP-04" in codes
    assert "CAP-02" in codes
    assert "ICE-07" in codes
    assert "POL-03" not in codes  # TFM only: not part of a JEM + WSO assessment
    expected = partly_answered.applicable_questions().count() - 2
    assert len(codes) == expected
    assert f"Unanswered questions ({expected})" in response.content.decode()


def test_the_flagged_filter_lists_questions_marked_for_review(
    client_for, partly_answered, preparer
):
    response = client_for(preparer).get(
        reverse("assessment", args=[partly_answered.pk]), {"show": "flagged"}
    )

    assert filtered_codes(response) == ["CAP-01"]
    assert f'href="{section_url(partly_answered, "CAP")}#CAP-01"' in response.content.decode()


def test_the_notes_filter_lists_questions_with_notes_and_their_notes(
    client_for, partly_answered, preparer
):
    response = client_for(preparer).get(
        reverse("assessment", args=[partly_answered.pk]), {"show": "notes"}
    )

    content = response.content.decode()
    assert filtered_codes(response) == ["CAP-04", "CAP-06"]
    assert "Note: Ask finance." in content
    assert "Note: Plan in binder 3." in content


def test_without_a_filter_the_overview_lists_no_questions(client_for, partly_answered, preparer):
    response = client_for(preparer).get(
        reverse("assessment", args=[partly_answered.pk]), {"show": "everything"}
    )

    assert response.status_code == 200
    assert 'id="filtered"' not in response.content.decode()


# Queries do not grow with the number of questions


@pytest.fixture
def sized_assessment(db, tmp_path, agency, command, preparer):
    """A JEM assessment of a questionnaire whose CAP step has 5 questions and ICE step 50,
    every question answered."""
    questionnaire = load_questionnaire_text(
        tmp_path, questionnaire_toml(slug="sized", version=99, sections={"CAP": 5, "ICE": 50})
    )
    assessment = AssessmentFactory(agency=agency, created_by=command, models=["JEM"])
    assert assessment.questionnaire == questionnaire
    answer_questions(assessment, preparer)
    return assessment


@pytest.mark.slow
@pytest.mark.parametrize(("code", "size"), [("CAP", 5), ("ICE", 50)])
def test_the_section_page_queries_do_not_grow_with_its_questions(
    client_for, sized_assessment, preparer, django_assert_max_num_queries, code, size
):
    client = client_for(preparer)
    # The questionnaire's layout is read on the first page of this version in the process.
    client.get(section_url(sized_assessment, "CAP"))

    with django_assert_max_num_queries(SECTION_PAGE_QUERIES):
        response = client.get(section_url(sized_assessment, code))

    assert response.status_code == 200
    assert response.content.decode().count("<fieldset") == size
    # The progress count comes from the answers the page reads anyway.
    assert f"<strong>{size} of {size}</strong> answered in this step" in response.content.decode()


@pytest.mark.slow
@pytest.mark.parametrize(("code", "size"), [("CAP", 5), ("ICE", 50)])
def test_a_section_save_queries_do_not_grow_with_its_questions(
    client_for, sized_assessment, preparer, django_assert_max_num_queries, code, size
):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(sized_assessment, code)))
    changed = {name: "no" for name in fields if name.endswith("-value")}
    assert len(changed) == size

    with django_assert_max_num_queries(SECTION_SAVE_QUERIES):
        response = client.post(section_url(sized_assessment, code), {**fields, **changed})

    assert response.status_code == 302
    assert (
        Answer.objects.filter(
            assessment=sized_assessment, question__section__code=code, value="no", version=2
        ).count()
        == size
    )


@pytest.mark.slow
def test_the_section_page_takes_as_many_queries_for_50_questions_as_for_5(
    client_for, sized_assessment, preparer
):
    client = client_for(preparer)
    client.get(section_url(sized_assessment, "CAP"))  # reads the layout, once per process
    counts = {}
    for code, size in (("CAP", 5), ("ICE", 50)):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(section_url(sized_assessment, code))
        counts[code] = len(captured)
        # Two refusals (a redirect, a 404) would take as many queries as each other too.
        assert response.status_code == 200
        assert response.content.decode().count("<fieldset") == size

    assert counts["CAP"] == counts["ICE"]


@pytest.mark.slow
@pytest.mark.parametrize("show", ["", "unanswered", "flagged", "notes"])
def test_the_overview_queries_are_bounded(
    client_for, sized_assessment, preparer, django_assert_max_num_queries, show
):
    client = client_for(preparer)
    client.get(reverse("assessment", args=[sized_assessment.pk]))  # the layout, once per process

    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        response = client.get(reverse("assessment", args=[sized_assessment.pk]), {"show": show})

    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("extra", [0, 6])
def test_the_dashboard_queries_are_bounded(
    client_for, sized_assessment, agency, command, preparer, django_assert_max_num_queries, extra
):
    for number in range(extra):
        review = AssessmentFactory(
            agency=agency, created_by=command, title=f"Review {number}", models=["JEM", "TFM"]
        )
        answer_questions(review, preparer)
    client = client_for(preparer)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.content.decode().count("<progress") == extra + 1
