"""The answer sheet: every asked question of an assessment (or of one step) with its answer,
note, reason, evidence, flag, last change and comments, for reading and printing.

A read in a fixed number of queries whatever the number of questions: the assessment's answers,
its comments, its current evidence, the newest earlier approved assessment and that one's
answers (the questionnaire layouts are read once per process).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext, gettext_lazy

from evidence.selectors import current_evidence
from questionnaires.models import Question, Section
from questionnaires.selectors import questionnaire_layout

from . import selectors
from .comparison import AnswerView, changed_answers, earlier_codes
from .models import Answer, Assessment, Comment

# The GET parameters of the filters, each with how the page names it when it is on.
FILTER_LABELS = {
    "flagged": gettext_lazy("marked for review"),
    "critical": gettext_lazy("critical"),
    "changed": gettext_lazy("changed since the last approved assessment"),
    "comments": gettext_lazy("with comments"),
    "open": gettext_lazy("with open comments"),
}


@dataclass(frozen=True)
class SheetFilters:
    """Which questions to show: all of them, or those meeting every filter that is on."""

    flagged: bool = False
    critical: bool = False
    changed: bool = False
    comments: bool = False
    open: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> SheetFilters:
        """On for each parameter sent as "1" (`?flagged=1&critical=1`); anything else is off."""
        return cls(**{name: query.get(name) == "1" for name in FILTER_LABELS})

    @property
    def on(self) -> list[str]:
        return [name for name in FILTER_LABELS if getattr(self, name)]

    @property
    def description(self) -> str:
        """The filters that are on, as the page says them: "marked for review and critical"."""
        labels = [str(FILTER_LABELS[name]) for name in self.on]
        if len(labels) < 2:
            return "".join(labels)
        return gettext("%(first)s and %(last)s") % {
            "first": ", ".join(labels[:-1]),
            "last": labels[-1],
        }


@dataclass(frozen=True)
class Thread:
    """A comment and its replies, oldest first; open until someone resolves the comment."""

    comment: Comment
    replies: list[Comment]

    @property
    def is_open(self) -> bool:
        return self.comment.is_open


@dataclass(frozen=True)
class SheetRow:
    question: Question
    prompt: str  # in the words asked in the assessment's phase
    answer: Answer | None
    evidence: list = field(default_factory=list)  # current evidence.models.Evidence, oldest first
    threads: list[Thread] = field(default_factory=list)
    earlier: AnswerView | None = None  # the baseline's answer, when this one differs from it

    @property
    def answer_text(self) -> str:
        return self.answer.display_value if self.answer and self.answer.is_answered else ""

    @property
    def changed(self) -> bool:
        return self.earlier is not None

    @property
    def has_open_comments(self) -> bool:
        return any(thread.is_open for thread in self.threads)

    def meets(self, filters: SheetFilters) -> bool:
        return (
            (not filters.flagged or (self.answer is not None and self.answer.flagged))
            and (not filters.critical or self.question.critical)
            and (not filters.changed or self.changed)
            and (not filters.comments or bool(self.threads))
            and (not filters.open or self.has_open_comments)
        )


@dataclass(frozen=True)
class SheetStep:
    section: Section
    rows: list[SheetRow]


@dataclass(frozen=True)
class AnswerSheet:
    steps: list[SheetStep]  # the steps in scope, each with the rows that meet the filters
    shown: int
    total: int  # the asked questions in scope, filtered or not
    filters: SheetFilters  # as applied: "changed" is off without a baseline
    baseline: Assessment | None  # the newest approved assessment before this one
    has_evidence: bool  # whether any question in scope has current evidence


def changed_since(assessment: Assessment, baseline: Assessment) -> dict[str, AnswerView]:
    """This assessment's question codes whose answer differs from the baseline's, each with the
    baseline's answer: the compare page's rule (across questionnaire versions, through the
    carry-over table). One query: the baseline's answers."""
    layout = questionnaire_layout(assessment.questionnaire)
    if baseline.questionnaire_id == assessment.questionnaire_id:
        codes = {q.code: q.code for q in layout.questions}  # what codes_carried_from reads
    else:
        codes = assessment.questionnaire.codes_carried_from(baseline.questionnaire)
    baseline.agency = assessment.agency  # the same agency: its state law needs no query
    changed = changed_answers(
        answers_then=selectors.answer_views(baseline),
        answers_now=selectors.answer_views(assessment),
        earlier_of=earlier_codes(codes, (q.code for q in selectors.asked_questions(baseline))),
        asked=[q.code for q in selectors.asked_questions(assessment)],
    )
    return {code: before for code, (_, before, _) in changed.items()}


def answer_sheet(
    assessment: Assessment,
    *,
    section: Section | None = None,
    filters: SheetFilters | None = None,
) -> AnswerSheet:
    """The sheet of the whole assessment, or of `section`, with the rows that meet `filters`.
    At most five queries (the answers, comments, current evidence, the baseline and, when
    there is one, its answers), whatever the number of questions."""
    filters = filters or SheetFilters()
    questions = selectors.asked_questions(assessment)
    if section is not None:
        questions = [q for q in questions if q.section_id == section.pk]
    answers = selectors.assessment_answers(assessment)
    threads = {
        question_id: [Thread(comment, comment.thread) for comment in listed]
        for question_id, listed in selectors.assessment_comments(assessment).items()
    }
    evidence = current_evidence(assessment.pk)
    baseline = selectors.comparison_baseline(assessment)
    earlier = changed_since(assessment, baseline) if baseline is not None else {}
    if baseline is None and filters.changed:
        filters = replace(filters, changed=False)
    rows_by_section: dict[int, list[SheetRow]] = defaultdict(list)
    shown = 0
    for question in questions:
        row = SheetRow(
            question=question,
            prompt=question.prompt_for(assessment.phase),
            answer=answers.get(question.pk),
            evidence=evidence.get(question.pk, []),
            threads=threads.get(question.pk, []),
            earlier=earlier.get(question.code),
        )
        if row.meets(filters):
            rows_by_section[question.section_id].append(row)
            shown += 1
    sections = [section] if section is not None else selectors.assessment_sections(assessment)
    return AnswerSheet(
        # A step none of whose questions is shown is left out, the one step asked for excepted.
        steps=[
            SheetStep(s, rows_by_section.get(s.pk, []))
            for s in sections
            if s.pk in rows_by_section or section is not None
        ],
        shown=shown,
        total=len(questions),
        filters=filters,
        baseline=baseline,
        has_evidence=any(q.pk in evidence for q in questions),
    )
