"""The database guards the invariants, whatever code writes to it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Answer, Assessment
from questionnaires.models import Question


def first_question(assessment: Assessment, answer_type: str = "choice") -> Question:
    return assessment.applicable_questions().filter(answer_type=answer_type).order_by("position")[0]


def test_it_rejects_a_second_answer_to_the_same_question(draft):
    question = first_question(draft)
    Answer.objects.create(assessment=draft, question=question, value="yes")

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=draft, question=question, value="no")

    assert list(draft.answers.values_list("question_id", "value")) == [(question.pk, "yes")]


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

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=draft, question=question, not_applicable=True)

    assert not draft.answers.exists()


def test_it_accepts_not_applicable_with_a_reason(draft):
    question = first_question(draft)

    answer = Answer.objects.create(
        assessment=draft, question=question, not_applicable=True, na_reason="No union."
    )

    assert answer.is_answered
    assert answer.display_value == "Not applicable"


def test_it_rejects_not_applicable_with_a_value(draft):
    question = first_question(draft)

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            assessment=draft, question=question, value="yes", not_applicable=True, na_reason="x"
        )

    assert not draft.answers.exists()


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

    with pytest.raises(IntegrityError), transaction.atomic():
        make(4)

    assert make(3).weight_total == 3
    assert not questionnaire.questions.filter(code="CAP-94").exists()


def test_it_rejects_an_assessment_with_no_model(questionnaire, agency, command):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            agency=agency, questionnaire=questionnaire, title="No model", created_by=command
        )

    assert not Assessment.objects.exists()


def test_it_rejects_an_approved_assessment_without_an_approver(questionnaire, agency, command):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            agency=agency,
            questionnaire=questionnaire,
            title="Approved by nobody",
            considers_jem=True,
            status=Assessment.Status.APPROVED,
            approved_at=timezone.now(),
            created_by=command,
        )

    assert not Assessment.objects.exists()


def test_it_rejects_approving_a_draft_without_recording_who_approved(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.APPROVED)

    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_it_accepts_an_approval_with_approver_and_time(draft, command):
    updated = Assessment.objects.filter(pk=draft.pk).update(
        status=Assessment.Status.APPROVED, approved_by=command, approved_at=timezone.now()
    )

    assert updated == 1
    draft.refresh_from_db()
    assert draft.approved_by == command
