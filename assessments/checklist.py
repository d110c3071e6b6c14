"""The checklist section form: posted fields in, `AnswerInput`s out, and rows for the template.

A section page is rendered by a plain template loop over these rows, not by Django form widgets:
a 50-question section must render fast and in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace

from django.conf import settings
from django.http import QueryDict
from django.template import engines
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agencies.models import person_name as agency_person_name
from assessments.models import Answer
from questionnaires.models import CHOICE_LABELS, SCALE_LABELS, AnswerType, Question

from .services import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_ANSWER_MAX_LENGTH,
    AnswerInput,
    Conflict,
    answer_content,
    content_digest,
)

NOT_APPLICABLE = "na"


def field_name(question: Question, name: str) -> str:
    return f"q{question.pk}-{name}"


def _as_int(raw: str | None) -> int:
    try:
        return max(0, int(raw or 0))
    except ValueError:
        return 0


def parse_section_post(questions: list[Question], post: QueryDict) -> list[AnswerInput]:
    """One AnswerInput per question of the page. Unknown fields are ignored."""
    inputs = []
    for question in questions:
        value = post.get(field_name(question, "value"), "")
        not_applicable = value == NOT_APPLICABLE or post.get(field_name(question, "na")) == "on"
        if value == NOT_APPLICABLE:
            value = ""
        inputs.append(
            AnswerInput(
                question_id=question.pk,
                value=value.strip(),
                not_applicable=not_applicable,
                na_reason=post.get(field_name(question, "na_reason"), "").strip(),
                note=post.get(field_name(question, "note"), "").strip(),
                flagged=post.get(field_name(question, "flagged")) == "on",
                base_version=_as_int(post.get(field_name(question, "version"))),
                base_digest=post.get(field_name(question, "digest"), "")[:64],
            )
        )
    return inputs


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class QuestionRow:
    """Everything the template needs for one question."""

    question: Question
    answer: Answer | None
    content: dict  # the values to show in the controls
    version: int
    digest: str
    errors: dict[str, str] = field(default_factory=dict)
    conflict: Conflict | None = None

    @property
    def prefix(self) -> str:
        return f"q{self.question.pk}"

    @property
    def has_radio(self) -> bool:
        return self.question.answer_type in (AnswerType.CHOICE, AnswerType.SCALE)

    @property
    def options(self) -> list[Option]:
        labels = CHOICE_LABELS if self.question.answer_type == AnswerType.CHOICE else SCALE_LABELS
        current = NOT_APPLICABLE if self.content["not_applicable"] else self.content["value"]
        items = [*labels.items(), (NOT_APPLICABLE, "Not applicable")]
        return [Option(value, label, value == current) for value, label in items]

    @property
    def error_list(self) -> list[str]:
        return list(dict.fromkeys(self.errors.values()))


def person_name(user) -> str:
    return agency_person_name(user) or "a former user"


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _comment_context(thread) -> SimpleNamespace:
    author = thread.author
    return SimpleNamespace(
        author=author.get_full_name() or author.get_username(),
        body=thread.body,
        is_open=thread.is_open,
        replies=len(thread.thread),
    )


def row_texts() -> dict[str, str]:
    """The texts `row_context` fills in, in the active language: gettext runs once per language
    and process, not once per question."""
    return _row_texts(get_language())


@cache
def _row_texts(language: str | None) -> dict[str, str]:
    return {
        "last_changed": _("Last changed by %(who)s on %(when)s."),
        "not_answered": _("Not answered yet."),
        "not_applicable_because": _("Not applicable (%(reason)s)"),
    }


def row_context(
    row: QuestionRow,
    phase: str = "",
    plan_item=None,
    evidence=(),
    comments=(),
    texts: dict[str, str] | None = None,
) -> SimpleNamespace:
    """One question as a flat namespace of plain values: Jinja2 reads an attribute at the first
    try (a dict key only after a failed attribute lookup), which keeps a long step fast to
    render. `phase` picks the wording asked of an agency still preparing, where the
    questionnaire has one. `texts`: row_texts(), passed in by a caller making many rows."""
    texts = texts or row_texts()
    question, content, errors = row.question, row.content, row.errors
    prefix = row.prefix
    context = {
        "code": question.code,
        "prompt": question.prompt_for(phase),
        "guidance": question.guidance_for(phase),
        "source": question.source,
        "critical": question.critical,
        "recommended": question.recommended_practice,
        "state_duty": question.get_state_duty_display() if question.state_duty else "",
        "plan_item": plan_item,
        "evidence": evidence,
        "comments": [_comment_context(thread) for thread in comments],
        "open_comments": sum(thread.is_open for thread in comments),
        "question_id": question.pk,
        "na_pending": (
            question.critical
            and content["not_applicable"]
            and not (row.answer and row.answer.na_acknowledged_by_id)
        ),
        "p": prefix,
        "has_radio": row.has_radio,
        "is_number": question.answer_type == AnswerType.NUMBER,
        "options": [
            SimpleNamespace(
                id=f"{prefix}-value-{o.value}", value=o.value, label=o.label, on=o.checked
            )
            for o in row.options
        ]
        if row.has_radio
        else (),
        "value": content["value"],
        "na": content["not_applicable"],
        "na_reason": content["na_reason"],
        "note": content["note"],
        "flagged": content["flagged"],
        "version": row.version,
        "digest": row.digest,
        "errors": row.error_list,
        "err_value": "value" in errors,
        "err_na_reason": "na_reason" in errors,
        "err_note": "note" in errors,
        "conflict": None,
        "changed": (
            texts["last_changed"]
            % {"who": person_name(row.answer.updated_by), "when": _when(row.answer.updated_at)}
            if row.answer
            else texts["not_answered"]
        ),
    }
    if row.conflict:
        stored = row.conflict.stored
        context["conflict"] = SimpleNamespace(
            who=person_name(stored.updated_by),
            when=_when(stored.updated_at),
            value=(
                texts["not_applicable_because"] % {"reason": stored.na_reason}
                if stored.not_applicable
                else stored.display_value
            ),
            note=stored.note,
            flagged=stored.flagged,
        )
    return SimpleNamespace(**context)


@dataclass(frozen=True)
class StepProgress:
    """How much of a step is answered, as saved, and where its first unanswered question is."""

    answered: int
    total: int
    next_code: str  # "" when every question of the step is answered

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def step_progress(rows: list[QuestionRow]) -> StepProgress:
    """From the rows' stored answers (not what a re-shown form holds): no query."""
    unanswered = [row.question.code for row in rows if not (row.answer and row.answer.is_answered)]
    return StepProgress(len(rows) - len(unanswered), len(rows), unanswered[0] if unanswered else "")


def section_template_context(
    *,
    assessment,
    sections,
    section,
    rows: list[QuestionRow],
    refused_input: bool = False,
    plan_items: dict | None = None,
    evidence: dict | None = None,
    comments: dict | None = None,
    may_comment: bool = False,
) -> dict:
    """The whole context of templates/assessments/section.html. `refused_input`: the rows hold
    what the user sent to an assessment that stopped being editable meanwhile, shown so that it
    can be copied, with no way to save it."""
    index = sections.index(section)
    texts = row_texts()
    context = {
        "assessment": assessment,
        "sections": sections,
        "section": section,
        "rows": [
            row_context(
                row,
                assessment.phase,
                (plan_items or {}).get(row.question.code),
                (evidence or {}).get(row.question.pk, ()),
                (comments or {}).get(row.question.pk, ()),
                texts,
            )
            for row in rows
        ],
        "may_comment": may_comment,
        "error_rows": [
            {"code": row.question.code, "messages": row.error_list} for row in rows if row.errors
        ],
        "conflict_codes": [row.question.code for row in rows if row.conflict],
        "progress": step_progress(rows),
        "previous_section": sections[index - 1] if index > 0 else None,
        "next_section": sections[index + 1] if index + 1 < len(sections) else None,
        "editable": assessment.is_editable,
        "refused_input": refused_input,
        "limits": LIMITS,
    }
    context["questions_html"] = questions_html(context)
    return context


def questions_html(context: dict) -> SafeString:
    """The step's questions as HTML, rendered by Jinja2 (templates/jinja2/assessments/
    _questions.html) with autoescaping; the page's Django template includes it as is."""
    # "<name>@<language>": the template with its texts translated once, when Jinja2 compiles it
    # for that language (readiness/jinja2.py), so that the loop makes no gettext call.
    language = get_language() or settings.LANGUAGE_CODE
    template = engines["jinja2"].get_template(f"assessments/_questions.html@{language}")
    return mark_safe(template.render(context))  # noqa: S308 -- escaped by Jinja2 itself


LIMITS = {
    "note": NOTE_MAX_LENGTH,
    "na_reason": REASON_MAX_LENGTH,
    "text": TEXT_ANSWER_MAX_LENGTH,
}


def build_rows(
    questions: list[Question],
    answers: dict[int, Answer],
    *,
    posted: list[AnswerInput] | None = None,
    errors: dict[int, dict[str, str]] | None = None,
    conflicts: list[Conflict] | None = None,
    refused: bool = False,
) -> list[QuestionRow]:
    """Rows showing the stored answers, or what the user posted when it must be shown again:
    with errors, with conflicts, or when the whole save was `refused`.

    For a conflict the row shows the user's values but carries the stored version, so saving
    again is the user's informed choice to replace the stored answer.
    """
    posted_by_id = {item.question_id: item for item in posted or []}
    conflicts_by_id = {c.question.pk: c for c in conflicts or []}
    errors = errors or {}
    rows = []
    for question in questions:
        answer = answers.get(question.pk)
        stored_content = answer_content(answer)
        mine = posted_by_id.get(question.pk)
        conflict = conflicts_by_id.get(question.pk)
        if mine is not None and (conflict or errors or refused):
            content = mine.content
            if conflict:
                version, digest = (answer.version if answer else 0), content_digest(stored_content)
            else:
                version, digest = mine.base_version, mine.base_digest
        else:
            content = stored_content
            version, digest = (answer.version if answer else 0), content_digest(stored_content)
        rows.append(
            QuestionRow(
                question=question,
                answer=answer,
                content=content,
                version=version,
                digest=digest,
                errors=errors.get(question.pk, {}),
                conflict=conflict,
            )
        )
    return rows
