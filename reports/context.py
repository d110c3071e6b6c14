"""The report's context: plain values and lists, built in a fixed number of queries.

The report shows what every member of the agency may see and nothing about who downloads it,
so one rendered PDF serves them all (see `reports.services`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from agencies.models import Membership, person_name
from assessments import scoring, selectors
from assessments.models import Answer, Assessment
from assessments.results import method_blocks, results_context
from evidence.selectors import current_evidence
from questionnaires.models import PartnershipModel, Question

TOP_ACTIONS = 5
# The family report.css gives the shipped DejaVu Sans files.
REPORT_FONT = "Report Sans"


@dataclass(frozen=True)
class QuestionRow:
    code: str
    prompt: str
    answer: str
    answered: bool
    na_reason: str
    note: str
    answered_by: str
    flagged: bool
    critical: bool
    recommended: bool = False
    state_duty: str = ""
    evidence: tuple = ()  # evidence.models.Evidence, current, oldest first


@dataclass(frozen=True)
class Step:
    position: int
    code: str
    title: str
    summary: str
    score: int | None
    completion_percent: int | None
    answered: int
    applicable: int
    questions: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class ActionRow:
    rank: int
    code: str
    step: str
    prompt: str
    answer: str
    recommendation: str
    critical: bool


@dataclass(frozen=True)
class WeightRow:
    code: str
    step: int
    capacity: int
    policy: int
    community: int
    critical: bool


def _person_with_title(user) -> str:
    """'James Carter, Chief Deputy' when the user's membership names a title. One query."""
    name = person_name(user)
    title = Membership.objects.filter(user=user).values_list("title", flat=True).first()
    return f"{name}, {title}" if name and title else name


def _answer_text(question: Question, answer: Answer | None) -> str:
    if answer is None:
        return "Unanswered"
    answer.question = question  # already loaded: spares `display_value` a query per row
    return answer.display_value


def _question_row(
    question: Question, answer: Answer | None, phase: str, evidence=()
) -> QuestionRow:
    return QuestionRow(
        code=question.code,
        prompt=question.prompt_for(phase),
        answer=_answer_text(question, answer),
        answered=answer is not None and answer.is_answered,
        na_reason=answer.na_reason if answer and answer.not_applicable else "",
        note=answer.note.strip() if answer else "",
        answered_by=person_name(answer.updated_by) if answer and answer.is_answered else "",
        flagged=bool(answer and answer.flagged),
        critical=question.critical,
        recommended=question.recommended_practice,
        state_duty=question.get_state_duty_display() if question.state_duty else "",
        evidence=tuple(evidence),
    )


def _date(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def chart_svg(chart) -> SafeString:
    """The results page's chart partial, drawn in the report's own font.

    WeasyPrint draws SVG text in the font named on the SVG itself (the document's CSS does not
    reach it), else the system's sans-serif, which differs from server to server. The partial
    is rendered (and escaped) by its own template; only the root tag gains the attribute.
    """
    svg = render_to_string("assessments/_dimension_chart.html", {"chart": chart})
    return mark_safe(svg.replace("<svg ", f'<svg font-family="{REPORT_FONT}" ', 1))


def report_context(assessment: Assessment) -> dict:
    """Everything `reports/report.html` shows. About ten queries, whatever the answer count.

    Scores come from `selectors.assessment_result`: the frozen snapshot once approved.
    """
    result = selectors.assessment_result(assessment)
    context = results_context(result, timezone.localdate())
    context["compared"] = selectors.assessment_comparison(assessment, result)
    context["plan_rows"] = selectors.plan_rows(assessment, [a.code for a in result.actions])
    sections = selectors.assessment_sections(assessment)
    questions = list(
        assessment.applicable_questions().select_related("section").order_by("position")
    )
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related("updated_by")
    }
    evidence = current_evidence(assessment.pk)
    section_results = {s.code: s for s in context["section_rows"]}
    titles = {s.code: s.title for s in sections}
    by_code = {q.code: q for q in questions}

    steps = []
    for section in sections:
        figures = section_results.get(section.code)
        own = [q for q in questions if q.section_id == section.pk]
        steps.append(
            Step(
                position=section.position,
                code=section.code,
                title=section.title,
                summary=section.summary,
                score=figures.score if figures else None,
                completion_percent=figures.completion_percent if figures else None,
                answered=figures.answered if figures else 0,
                applicable=figures.applicable if figures else len(own),
                questions=tuple(
                    _question_row(q, answers.get(q.pk), assessment.phase, evidence.get(q.pk, ()))
                    for q in own
                ),
            )
        )

    actions = []
    for rank, action in enumerate(result.actions, start=1):
        question = by_code.get(action.code)
        actions.append(
            ActionRow(
                rank=rank,
                code=action.code,
                step=titles.get(action.section_code, action.section_code),
                prompt=action.prompt,
                answer=_answer_text(question, answers.get(question.pk))
                if question
                else "Unanswered",
                recommendation=action.recommendation,
                critical=action.critical,
            )
        )

    status = assessment.Status(assessment.status)
    agency = assessment.agency
    title = assessment.title
    questionnaire = assessment.questionnaire
    is_draft = status != assessment.Status.APPROVED
    context.update(
        document_title=f"{title} — {agency.name} 287(g) readiness report",
        document_author=agency.name,
        document_subject=(
            f"Self-assessment of readiness for a 287(g) partnership, revision "
            f"{assessment.revision}, {status.label.lower()}."
        ),
        is_draft=is_draft,
        agency_name=agency.name,
        agency_place=", ".join(part for part in (agency.county, agency.state) if part),
        title=title,
        models=[f"{PartnershipModel(code).label} ({code})" for code in sorted(assessment.models)],
        phase=assessment.get_phase_display(),
        status=status.label,
        revision=assessment.revision,
        started=_date(assessment.created_at),
        started_by=person_name(assessment.created_by),
        submitted=_date(assessment.submitted_at) if status != assessment.Status.DRAFT else "",
        submitted_by=person_name(assessment.submitted_by)
        if status != assessment.Status.DRAFT
        else "",
        approved=_date(assessment.approved_at) if not is_draft else "",
        approver=_person_with_title(assessment.approved_by) if not is_draft else "",
        questionnaire=f"{questionnaire.title}, version {questionnaire.version}",
        generated=timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
        chart_svg=chart_svg(context["chart"]),
        overall_score=result.overall_score,
        gap_rows=[a for a in actions if a.critical],
        top_actions=actions[:TOP_ACTIONS],
        actions=actions,
        steps=steps,
        evidence_appendix=[
            (step.code, row.code, item)
            for step in steps
            for row in step.questions
            for item in row.evidence
        ],
        method_blocks=method_blocks(),
        method_version=result.method_version or scoring.METHOD_VERSION,
        weights=[
            WeightRow(
                code=q.code,
                step=q.section.position,
                capacity=q.weight_capacity,
                policy=q.weight_policy,
                community=q.weight_community,
                critical=q.critical,
            )
            for q in questions
        ],
    )
    return context
