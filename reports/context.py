"""The report's context: plain values and lists, built in a fixed number of queries.

The report shows what every member of the agency may see and nothing about who downloads it,
so one rendered PDF serves them all (see `reports.services`).
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from agencies.models import Agency, Membership, person_name
from assessments import scoring, selectors
from assessments.models import Answer, Assessment, Comment
from assessments.results import method_blocks, results_context
from evidence.selectors import current_evidence
from questionnaires.models import PartnershipModel, Question

# Actions beyond the critical gaps on page 2 (the gaps come first in the ranking anyway).
TOP_ACTIONS = 3
# Critical gaps told in full on page 2; the others are named by code, so the decision pages
# keep to two pages whatever the number of gaps.
GAPS_IN_FULL = 4
NOT_APPLICABLE_IN_FULL = 2
# The weights appendix sets this many questions side by side, so it takes a third of a page.
WEIGHT_COLUMNS = 3
# The family report.css gives the shipped DejaVu Sans files.
REPORT_FONT = "Report Sans"


@dataclass(frozen=True)
class CommentRow:
    author: str
    date: str
    body: str
    reply: bool


@dataclass(frozen=True)
class Thread:
    """A comment on a question and its replies; resolved or open as a whole."""

    comments: tuple[CommentRow, ...]
    resolved: bool
    resolved_by: str
    resolved_on: str


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
    threads: tuple[Thread, ...] = ()
    # `answered_by` when it differs from the step's usual author, else "".
    answered_by_shown: str = ""


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
    usual_author: str = ""


@dataclass(frozen=True)
class ActionRow:
    rank: int
    code: str
    step: str
    prompt: str
    answer: str
    recommendation: str
    critical: bool
    owner: str = ""
    target_date: str = ""
    plan_status: str = ""


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
    question: Question, answer: Answer | None, phase: str, evidence=(), threads=()
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
        threads=tuple(threads),
    )


def usual_author(rows: list[QuestionRow]) -> str:
    """Who answered most of the step's questions (the first of them on a tie); "" for nobody."""
    counts = Counter(row.answered_by for row in rows if row.answered_by)
    return counts.most_common(1)[0][0] if counts else ""


def _with_usual_author(rows: list[QuestionRow]) -> tuple[str, tuple[QuestionRow, ...]]:
    usual = usual_author(rows)
    return usual, tuple(
        replace(row, answered_by_shown=row.answered_by if row.answered_by != usual else "")
        for row in rows
    )


def comment_threads(assessment: Assessment) -> dict[int, list[Thread]]:
    """The assessment's comment threads by question id, oldest first. One query."""
    comments = (
        Comment.objects.filter(assessment=assessment)
        .select_related("author", "resolved_by")
        .order_by("created_at", "pk")
    )
    tops: dict[int, Comment] = {}
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.reply_to_id is None:
            tops[comment.pk] = comment
        else:
            replies.setdefault(comment.reply_to_id, []).append(comment)
    threads: dict[int, list[Thread]] = {}
    for top in tops.values():
        rows = tuple(
            CommentRow(
                author=person_name(c.author),
                date=_date(c.created_at),
                body=c.body.strip(),
                reply=c is not top,
            )
            for c in [top, *replies.get(top.pk, [])]
        )
        threads.setdefault(top.question_id, []).append(
            Thread(
                comments=rows,
                resolved=top.resolved_at is not None,
                resolved_by=person_name(top.resolved_by),
                resolved_on=_date(top.resolved_at),
            )
        )
    return threads


def logo_data_uri(agency: Agency) -> str:
    """The agency's logo as a `data:` URI the renderer reads without a fetch; "" for none.
    One query when the agency has a logo (pages load the agency without its bytes), else none.

    The bytes were decoded and re-encoded as PNG on upload (`agencies.services`)."""
    if agency.logo_updated_at is None:
        return ""
    data = Agency.objects.filter(pk=agency.pk).values_list("logo_png", flat=True).first()
    if not data:
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")


def weight_rows(weights: list[WeightRow], columns: int = WEIGHT_COLUMNS) -> list[list[WeightRow]]:
    """`weights` in `columns` runs down the page, read row by row: with 7 and 3 columns,
    [[1, 4, 7], [2, 5], [3, 6]]."""
    height = -(-len(weights) // columns)
    return [weights[row::height] for row in range(height)]


def _date(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def chart_svg(chart) -> SafeString:
    """The dimension chart as one SVG (the results page draws the same `chart` in HTML:
    _dimension_bars.html), in the report's own font.

    WeasyPrint draws SVG text in the font named on the SVG itself (the document's CSS does not
    reach it), else the system's sans-serif, which differs from server to server. The partial
    is rendered (and escaped) by its own template; only the root tag gains the attribute.
    """
    svg = render_to_string("assessments/_dimension_chart.html", {"chart": chart})
    return mark_safe(svg.replace("<svg ", f'<svg font-family="{REPORT_FONT}" ', 1))


def report_context(assessment: Assessment) -> dict:
    """Everything `reports/report.html` shows. About eleven queries, whatever the answer and
    comment count.

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

    threads = comment_threads(assessment)
    steps = []
    for section in sections:
        figures = section_results.get(section.code)
        own = [q for q in questions if q.section_id == section.pk]
        usual, rows = _with_usual_author(
            [
                _question_row(
                    q,
                    answers.get(q.pk),
                    assessment.phase,
                    evidence.get(q.pk, ()),
                    threads.get(q.pk, ()),
                )
                for q in own
            ]
        )
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
                questions=rows,
                usual_author=usual,
            )
        )

    # The plan item of an action's question (the first by priority), for owner and date.
    planned = {}
    for item in context["plan_rows"]:
        if item.question_code:
            planned.setdefault(item.question_code, item)
    actions = []
    for rank, action in enumerate(result.actions, start=1):
        question = by_code.get(action.code)
        item = planned.get(action.code)
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
                owner=item.owner_name if item else "",
                target_date=item.target_date.isoformat() if item and item.target_date else "",
                plan_status=item.get_status_display() if item else "",
            )
        )

    status = assessment.Status(assessment.status)
    agency = assessment.agency
    title = assessment.title
    questionnaire = assessment.questionnaire
    is_draft = status != assessment.Status.APPROVED
    gaps = [a for a in actions if a.critical]
    weights = _weights(questions)
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
        gap_rows=gaps[:GAPS_IN_FULL],
        more_gap_codes=[a.code for a in gaps[GAPS_IN_FULL:]],
        critical_na_shown=context["critical_not_applicable"][:NOT_APPLICABLE_IN_FULL],
        critical_na_more=[
            c.code for c in context["critical_not_applicable"][NOT_APPLICABLE_IN_FULL:]
        ],
        gap_count=len(gaps),
        top_actions=[a for a in actions if not a.critical][:TOP_ACTIONS],
        has_plan=bool(context["plan_rows"]),
        logo=logo_data_uri(agency),
        attestation=assessment.attestation.strip() if not is_draft else "",
        approval_statement=settings.READINESS_APPROVAL_STATEMENT,
        status_display=assessment.status_display,
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
        weight_columns=range(WEIGHT_COLUMNS),
        weights=weights,
        weight_rows=weight_rows(weights),
    )
    return context


def _weights(questions: list[Question]) -> list[WeightRow]:
    return [
        WeightRow(
            code=q.code,
            step=q.section.position,
            capacity=q.weight_capacity,
            policy=q.weight_policy,
            community=q.weight_community,
            critical=q.critical,
        )
        for q in questions
    ]
