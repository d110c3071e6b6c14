"""Reads: each selector loads what a page needs in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from agencies.models import Agency, Membership
from audit import selectors as audit_selectors
from audit.models import Event
from questionnaires.models import Question, Section

from . import scoring
from .models import Answer, Assessment


def assessment_for_member(*, membership: Membership, pk: int) -> Assessment:
    """The assessment if it belongs to the member's agency, else 404 (never 403). One query."""
    return get_object_or_404(
        Assessment.objects.select_related("agency", "questionnaire", "approved_by"),
        pk=pk,
        agency_id=membership.agency_id,
    )


def agency_assessments(agency: Agency) -> QuerySet[Assessment]:
    return agency.assessments.select_related("questionnaire", "approved_by", "created_by")


@dataclass(frozen=True)
class Progress:
    answered: int
    applicable: int

    @property
    def percent(self) -> int:
        if not self.applicable:
            return 0
        return self.answered * 100 // self.applicable

    @property
    def complete(self) -> bool:
        return self.answered >= self.applicable


ANSWERED = Q(not_applicable=True) | ~Q(value="")


def _applies(question_flags: dict, assessment: Assessment) -> bool:
    return (
        (assessment.considers_jem and question_flags["applies_jem"])
        or (assessment.considers_tfm and question_flags["applies_tfm"])
        or (assessment.considers_wso and question_flags["applies_wso"])
    )


def assessments_progress(assessments: list[Assessment]) -> dict[int, Progress]:
    """Answered / applicable for each assessment. Two queries, whatever the number of either."""
    if not assessments:
        return {}
    questions = Question.objects.filter(
        questionnaire_id__in={a.questionnaire_id for a in assessments}
    ).values("id", "questionnaire_id", "applies_jem", "applies_tfm", "applies_wso")
    by_questionnaire = defaultdict(list)
    for flags in questions:
        by_questionnaire[flags["questionnaire_id"]].append(flags)
    answered = dict(
        Answer.objects.filter(assessment__in=assessments)
        .filter(ANSWERED)
        .values("assessment")
        .annotate(n=Count("id"))
        .values_list("assessment", "n")
    )
    return {
        a.pk: Progress(
            answered=answered.get(a.pk, 0),
            applicable=sum(1 for f in by_questionnaire[a.questionnaire_id] if _applies(f, a)),
        )
        for a in assessments
    }


def unanswered_questions(assessment: Assessment) -> list[Question]:
    """Applicable questions without an answer, in questionnaire order. One query."""
    answered_ids = Answer.objects.filter(assessment=assessment).filter(ANSWERED).values("question")
    return list(
        assessment.applicable_questions()
        .exclude(pk__in=answered_ids)
        .select_related("section")
        .order_by("position")
    )


def scoring_question(question: Question) -> scoring.ScoringQuestion:
    return scoring.ScoringQuestion(
        code=question.code,
        section_code=question.section.code,
        position=question.position,
        answer_type=question.answer_type,
        weight_capacity=question.weight_capacity,
        weight_policy=question.weight_policy,
        weight_community=question.weight_community,
        critical=question.critical,
        models=question.models,
        recommendation=question.recommendation,
        prompt=question.prompt,
        threshold_full=question.threshold_full,
        threshold_partial=question.threshold_partial,
    )


def assessment_live_result(assessment: Assessment) -> scoring.AssessmentResult:
    """Score the assessment's current answers. Three queries."""
    sections = list(Section.objects.filter(questionnaire_id=assessment.questionnaire_id))
    questions = list(
        Question.objects.filter(questionnaire_id=assessment.questionnaire_id).select_related(
            "section"
        )
    )
    answers = Answer.objects.filter(assessment=assessment).select_related("question")
    return scoring.score_assessment(
        sections=[scoring.ScoringSection(s.code, s.title, s.position) for s in sections],
        questions=[scoring_question(q) for q in questions],
        answers={
            a.question.code: scoring.ScoringAnswer(a.question.code, a.value, a.not_applicable)
            for a in answers
        },
        models=assessment.models,
    )


def assessment_result(assessment: Assessment) -> scoring.AssessmentResult:
    """The approved snapshot when there is one, else the live result."""
    if assessment.status == Assessment.Status.APPROVED:
        snapshot = getattr(assessment, "snapshot", None)
        if snapshot is not None:
            return scoring.AssessmentResult.from_dict(snapshot.result)
    return assessment_live_result(assessment)


def assessment_sections(assessment: Assessment) -> list[Section]:
    return list(Section.objects.filter(questionnaire_id=assessment.questionnaire_id))


def section_questions(assessment: Assessment, section: Section) -> list[Question]:
    """The section's applicable questions, in order. One query."""
    return list(assessment.applicable_questions().filter(section=section).order_by("position"))


def answers_by_question(assessment: Assessment, questions: list[Question]) -> dict[int, Answer]:
    """This assessment's answers to `questions`, with who last changed them. One query."""
    return {
        answer.question_id: answer
        for answer in Answer.objects.filter(
            assessment=assessment, question_id__in=[q.pk for q in questions]
        ).select_related("updated_by")
    }


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    progress: Progress


def sections_progress(assessment: Assessment, sections: list[Section]) -> list[SectionProgress]:
    """Answered / applicable per section. Two queries."""
    applicable = dict(
        assessment.applicable_questions()
        .values("section")
        .annotate(n=Count("id"))
        .values_list("section", "n")
    )
    answered = dict(
        Answer.objects.filter(assessment=assessment)
        .filter(ANSWERED)
        .values("question__section")
        .annotate(n=Count("id"))
        .values_list("question__section", "n")
    )
    return [
        SectionProgress(s, Progress(answered.get(s.pk, 0), applicable.get(s.pk, 0)))
        for s in sections
    ]


def filtered_questions(assessment: Assessment, show: str) -> list[tuple[Question, Answer | None]]:
    """Applicable questions that are unanswered, flagged or have notes. Two queries."""
    questions = list(
        assessment.applicable_questions().select_related("section").order_by("position")
    )
    answers = {a.question_id: a for a in Answer.objects.filter(assessment=assessment)}
    rows = []
    for question in questions:
        answer = answers.get(question.pk)
        if show == "unanswered":
            keep = answer is None or not answer.is_answered
        elif show == "flagged":
            keep = answer is not None and answer.flagged
        elif show == "notes":
            keep = answer is not None and answer.note.strip() != ""
        else:
            keep = False
        if keep:
            rows.append((question, answer))
    return rows


def latest_return_comment(assessment: Assessment):
    """The comment of the last return to draft, while the assessment is still a draft."""
    if assessment.status != Assessment.Status.DRAFT:
        return None
    return audit_selectors.latest_event(assessment_id=assessment.pk, kind=Event.Kind.RETURNED)


def assessment_events(assessment: Assessment) -> QuerySet[Event]:
    return audit_selectors.assessment_events(assessment_id=assessment.pk)


def questionnaire_sections_with_questions(questionnaire) -> list[Section]:
    """Sections with `question_list` in order. Two queries."""
    return list(
        Section.objects.filter(questionnaire=questionnaire).prefetch_related(
            Prefetch(
                "questions", queryset=Question.objects.order_by("position"), to_attr="question_list"
            )
        )
    )
