"""The database guards the invariants, whatever code writes to it.

Each refusal is checked by the constraint it names: a rolled-back write can never be seen
afterwards, so what the database holds after it proves nothing about why it was refused.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Answer, Assessment
from questionnaires.models import Question

# The unique constraint by name (PostgreSQL) or by its columns (SQLite).
ONE_ANSWER_PER_QUESTION = (
    "one_answer_per_question"
    "|UNIQUE constraint failed: assessments_answer.assessment_id, assessments_answer.question_id"
)


def first_question(assessment: Assessment, answer_type: str = "choice") -> Question:
    return assessment.applicable_questions().filter(answer_type=answer_type).order_by("position")[0]


def test_it_rejects_a_second_answer_to_the_same_question(draft):
    question = first_question(draft)
    Answer.objects.create(assessment=draft, question=question, value="yes")

    with pytest.raises(IntegrityError, match=ONE_ANSWER_PER_QUESTION), transaction.atomic():
        Answer.objects.create(assessment=draft, question=question, value="no")


def test_it_allows_the_same_question_in_another_assessment(draft, agency, command):
    question = first_question(draft)
    other = Assessment.objects.create(
        agency=agency,
        questionnaire=draft.questionnaire,
        title="Another review",
        considers_jem=True,
        created_by=command,
    )
    Answer.objects.create(assessment=draft, question=question, value="yes")

    Answer.objects.create(assessment=other, question=question, value="no")

    assert Answer.objects.filter(question=question).count() == 2


def test_it_rejects_not_applicable_without_a_reason(draft):
    question = first_question(draft)

    with pytest.raises(IntegrityError, match="answer_na_needs_reason"), transaction.atomic():
        Answer.objects.create(assessment=draft, question=question, not_applicable=True)


def test_it_accepts_not_applicable_with_a_reason(draft):
    question = first_question(draft)

    answer = Answer.objects.create(
        assessment=draft, question=question, not_applicable=True, na_reason="No union."
    )

    assert answer.is_answered
    assert answer.display_value == "Not applicable"


def test_it_rejects_not_applicable_with_a_value(draft):
    question = first_question(draft)

    with pytest.raises(IntegrityError, match="answer_na_has_no_value"), transaction.atomic():
        Answer.objects.create(
            assessment=draft, question=question, value="yes", not_applicable=True, na_reason="x"
        )


@pytest.mark.parametrize("field", ["weight_capacity", "weight_policy", "weight_community"])
def test_it_rejects_weights_above_3(questionnaire, field):
    section = questionnaire.sections.get(code="CAP")
    last = questionnaire.questions.order_by("-position")[0].position

    def make(weight: int) -> Question:
        return Question.objects.create(
            questionnaire=questionnaire,
            section=section,
            code=f"CAP-{90 + weight}",
            position=last + 1 + weight,
            prompt="Is it ready?",
            answer_type="choice",
            source="Test data",
            **{field: weight},
        )

    with pytest.raises(IntegrityError, match="question_weights_0_to_3"), transaction.atomic():
        make(4)

    assert make(3).weight_total == 3


def test_it_rejects_an_assessment_with_no_model(questionnaire, agency, command):
    with pytest.raises(IntegrityError, match="assessment_considers_a_model"), transaction.atomic():
        Assessment.objects.create(
            agency=agency, questionnaire=questionnaire, title="No model", created_by=command
        )


def test_it_rejects_an_approved_assessment_without_an_approver(questionnaire, agency, command):
    with pytest.raises(IntegrityError, match="assessment_approval_recorded"), transaction.atomic():
        Assessment.objects.create(
            agency=agency,
            questionnaire=questionnaire,
            title="Approved by nobody",
            considers_jem=True,
            status=Assessment.Status.APPROVED,
            approved_at=timezone.now(),
            created_by=command,
        )


def test_it_rejects_approving_a_draft_without_recording_who_approved(draft):
    with pytest.raises(IntegrityError, match="assessment_approval_recorded"), transaction.atomic():
        Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.APPROVED)


def test_it_accepts_an_approval_with_approver_and_time(draft, command):
    updated = Assessment.objects.filter(pk=draft.pk).update(
        status=Assessment.Status.APPROVED, approved_by=command, approved_at=timezone.now()
    )

    assert updated == 1
    draft.refresh_from_db()
    assert draft.approved_by == command
