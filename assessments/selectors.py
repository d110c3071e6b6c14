"""Reads: each selector loads what a page needs in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from agencies.access import COMMAND_ROLES
from agencies.models import Agency, Membership, person_name
from audit import selectors as audit_selectors
from audit.models import Event
from fastquery import PreparedQuery
from fastquery.kept import Kept
from jurisdictions.models import StateProfile
from jurisdictions.selectors import current_profile, current_profile_annotations
from questionnaires.models import Question, Section
from questionnaires.selectors import questionnaire_layout

from . import scoring
from .models import Answer, Assessment, Comment

# What the pages of one assessment show with it (its agency and state law among them).
ASSESSMENT_RELATED = (
    "agency",
    "questionnaire",
    "approved_by",
    "returned_by",
    "state_profile__law",
)
# The agency's logo (up to a few hundred KB) is read by the report alone (reports.context).
ASSESSMENT_DEFERRED = ("agency__logo_png",)


def _comment_count():
    counted = (
        Comment.objects.filter(assessment_id=OuterRef("pk"))
        .order_by()
        .values("assessment_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


MEMBER_ASSESSMENT = PreparedQuery(
    lambda pk, agency_id: (
        Assessment.objects.select_related(*ASSESSMENT_RELATED, "carried_from__questionnaire")
        .defer(*ASSESSMENT_DEFERRED)
        .annotate(**current_profile_annotations("agency__state"))
        .annotate(comment_count=_comment_count())
        .filter(pk=pk, agency_id=agency_id)
    )
)


def assessment_for_member(*, membership: Membership, pk: int) -> Assessment:
    """The assessment if it belongs to the member's agency, else 404 (never 403), with the
    state-law profile that applies to it. One query (the profile is read once per process)."""
    pk = int(pk)
    # A number no row can have (the address is typed by anyone) is not sent to the database.
    assessment = MEMBER_ASSESSMENT.first(pk, membership.agency_id) if 0 < pk < 2**63 else None
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


def assessment_by_id(pk: int) -> Assessment:
    """An assessment for background work (no member to check: the request that queued the
    work did). One query."""
    return (
        Assessment.objects.select_related(*ASSESSMENT_RELATED)
        .defer(*ASSESSMENT_DEFERRED)
        .get(pk=pk)
    )


def agency_assessments(agency: Agency) -> QuerySet[Assessment]:
    return agency.assessments.select_related(
        "questionnaire", "approved_by", "created_by", "state_profile__law", "snapshot"
    )


AGENCY_ASSESSMENTS = PreparedQuery(
    lambda agency_id: Assessment.objects.filter(agency_id=agency_id).select_related(
        *ASSESSMENT_RELATED, "created_by", "snapshot"
    )
)


def agency_assessment_list(agency: Agency) -> list[Assessment]:
    """`agency_assessments` as a list, for the dashboard. One prepared query."""
    return AGENCY_ASSESSMENTS.all(agency.pk)


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


def preload_state_law(
    assessments: list[Assessment], known: dict[str, StateProfile | None] | None = None
) -> None:
    """Give each assessment its state-law profile with one query per state, not per row
    (none for a state in `known`). An approved assessment keeps the profile it was scored with."""
    by_state = dict(known or {})
    for assessment in assessments:
        if "_state_law" in assessment.__dict__:
            continue
        if assessment.status == Assessment.Status.APPROVED and assessment.state_profile_id:
            continue
        state = assessment.agency.state
        if state not in by_state:
            by_state[state] = current_profile(state)
        assessment._state_law = by_state[state]


def unanswered_questions(assessment: Assessment) -> list[Question]:
    """Applicable questions without an answer, in questionnaire order. One query."""
    answered_ids = Answer.objects.filter(assessment=assessment).filter(ANSWERED).values("question")
    return list(
        assessment.applicable_questions()
        .exclude(pk__in=answered_ids)
        .select_related("section")
        .order_by("position")
    )


def scoring_question(question: Question, phase: str | None = None) -> scoring.ScoringQuestion:
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
        prompt=question.prompt_for(phase) if phase else question.prompt,
        threshold_full=question.threshold_full,
        threshold_partial=question.threshold_partial,
        phases=question.phases,
        state_duty=question.state_duty,
    )


def scoring_state_law(profile: StateProfile | None) -> scoring.StateLaw | None:
    if profile is None:
        return None
    first = profile.citations[0] if profile.citations else {"title": "", "url": ""}
    return scoring.StateLaw(
        state=profile.state,
        name=profile.name,
        status=profile.status,
        status_label=profile.get_status_display(),
        verified=profile.verified,
        checked_on=profile.checked_on.isoformat(),
        summary=profile.summary,
        citation=first["title"],
        url=first["url"],
        law_version=profile.law.version,
        deadline=profile.deadline.isoformat() if profile.deadline else None,
        applies_to=profile.applies_to,
        enforced_by=profile.enforced_by,
        ending=profile.ending,
        notes=profile.notes,
        duties=tuple(profile.duties),
        duty_labels=tuple(profile.duty_labels),
    )


def scoring_answer(answer: Answer, code: str = "") -> scoring.ScoringAnswer:
    """The answer as scoring takes it; `code` spares loading the question."""
    return scoring.ScoringAnswer(
        code or answer.question.code,
        answer.value,
        answer.not_applicable,
        na_reason=answer.na_reason,
        marked_by=person_name(answer.updated_by),
        acknowledged_by=person_name(answer.na_acknowledged_by),
    )


_PROFILE = object()  # the assessment's own state-law profile


def layout_scoring(layout, phase: str) -> tuple[list, list]:
    """The layout's sections and questions as scoring takes them, in the words of `phase`:
    made once per layout and phase (frozen values, shared by every request)."""
    return layout.derive(
        ("scoring", phase),
        lambda: (
            [scoring.ScoringSection(s.code, s.title, s.position) for s in layout.sections],
            [scoring_question(q, phase) for q in layout.questions],
        ),
    )


def assessment_live_result(
    assessment: Assessment, state_law: scoring.StateLaw | None | object = _PROFILE
) -> scoring.AssessmentResult:
    """Score the assessment's current answers: `assessment_answers` (one query) and the
    version's layout (read once per process)."""
    sections, questions = layout_scoring(
        questionnaire_layout(assessment.questionnaire), assessment.phase
    )
    answers = assessment_answers(assessment)
    return scoring.score_assessment(
        sections=sections,
        questions=questions,
        answers={a.question.code: scoring_answer(a) for a in answers.values()},
        models=assessment.models,
        phase=assessment.phase,
        state_law=(scoring_state_law(assessment.state_law) if state_law is _PROFILE else state_law),
    )


# An approved assessment never changes: what is derived from it (its frozen result, its answers
# as the comparison shows them) is kept per process, keyed by the approval, for the pages that
# compare a draft with it. A derived copy: any server rebuilds it from the database.
APPROVED_KEPT = 256
_approved = Kept(APPROVED_KEPT)


def _kept_if_approved(assessment: Assessment, what: str, make):
    if assessment.status != Assessment.Status.APPROVED or assessment.approved_at is None:
        return make()
    return _approved.get((assessment.pk, assessment.approved_at, what), make)


def approved_forget() -> None:
    """Drop what is kept of approved assessments (tests that rewrite one in place)."""
    _approved.clear()


def assessment_result(assessment: Assessment) -> scoring.AssessmentResult:
    """The approved snapshot when there is one (kept per process once read), else the live
    result."""

    def frozen_or_live() -> scoring.AssessmentResult:
        if assessment.status == Assessment.Status.APPROVED:
            snapshot = getattr(assessment, "snapshot", None)
            if snapshot is not None:
                return scoring.AssessmentResult.from_dict(snapshot.result)
        return assessment_live_result(assessment)

    return _kept_if_approved(assessment, "result", frozen_or_live)


def assessment_sections(assessment: Assessment) -> list[Section]:
    """The steps of the assessment's questionnaire, in order (read once per process)."""
    return list(questionnaire_layout(assessment.questionnaire).sections)


def asked_questions(assessment: Assessment) -> list[Question]:
    """The questions asked of the assessment (`applicable_questions`), in order, from the
    version's layout: no query. Shared objects: read them, never change them."""
    return [
        q for q in questionnaire_layout(assessment.questionnaire).questions if assessment.asks(q)
    ]


def section_questions(assessment: Assessment, section: Section) -> list[Question]:
    """The section's applicable questions, in order (read once per process)."""
    layout = questionnaire_layout(assessment.questionnaire)
    return [q for q in layout.questions_of(section) if assessment.asks(q)]


SECTION_ANSWERS = PreparedQuery(
    lambda assessment_id, section_id: Answer.objects.filter(
        assessment_id=assessment_id, question__section_id=section_id
    ).select_related("updated_by")
)


def answers_by_question(assessment: Assessment, questions: list[Question]) -> dict[int, Answer]:
    """This assessment's answers to `questions`, with who last changed them. One query (a
    prepared one when the questions are of one step, as on the checklist)."""
    wanted = {q.pk for q in questions}
    sections = {q.section_id for q in questions}
    if len(sections) == 1:
        answers = SECTION_ANSWERS.all(assessment.pk, sections.pop())
    else:
        answers = Answer.objects.filter(
            assessment=assessment, question_id__in=sorted(wanted)
        ).select_related("updated_by")
    return {answer.question_id: answer for answer in answers if answer.question_id in wanted}


@dataclass(frozen=True)
class SectionProgress:
    section: Section
    progress: Progress


ASSESSMENT_ANSWERS = PreparedQuery(
    lambda assessment_id: (
        Answer.objects.filter(assessment_id=assessment_id)
        .select_related("updated_by", "na_acknowledged_by")
        .order_by()
    )
)


def assessment_answers(assessment: Assessment) -> dict[int, Answer]:
    """Every answer of the assessment by question id, each with its question from the version's
    layout (no query for it). One prepared query, then kept on the assessment for the request."""
    if "_answers" not in assessment.__dict__:
        questions = {q.pk: q for q in questionnaire_layout(assessment.questionnaire).questions}
        answers = {}
        for answer in ASSESSMENT_ANSWERS.all(assessment.pk):
            answer.question = questions[answer.question_id]
            answers[answer.question_id] = answer
        assessment._answers = answers
    return assessment._answers


def sections_progress(assessment: Assessment, sections: list[Section]) -> list[SectionProgress]:
    """Answered / applicable per section: the applicable questions of each, and the answers
    (N/A counted answered) given in it. From `assessment_answers` and the layout."""
    applicable: dict[int, int] = defaultdict(int)
    for question in asked_questions(assessment):
        applicable[question.section_id] += 1
    answered: dict[int, int] = defaultdict(int)
    for answer in assessment_answers(assessment).values():
        if answer.is_answered:
            answered[answer.question.section_id] += 1
    return [
        SectionProgress(s, Progress(answered.get(s.pk, 0), applicable.get(s.pk, 0)))
        for s in sections
    ]


def filtered_questions(assessment: Assessment, show: str) -> list[tuple[Question, Answer | None]]:
    """Applicable questions that are unanswered, flagged or have notes. From the layout and
    `assessment_answers`."""
    answers = assessment_answers(assessment)
    rows = []
    for question in asked_questions(assessment):
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


def critical_not_applicable(assessment: Assessment) -> list[Answer]:
    """Critical questions marked Not applicable, with who marked and who accepted them, in
    questionnaire order. From `assessment_answers`."""
    listed = [
        answer
        for answer in assessment_answers(assessment).values()
        if answer.not_applicable and answer.question.critical and assessment.asks(answer.question)
    ]
    return sorted(listed, key=lambda answer: answer.question.position)


@dataclass(frozen=True)
class NewQuestion:
    code: str
    section_code: str
    asked_prompt: str  # in the words asked in the assessment's phase


@dataclass(frozen=True)
class CarryOver:
    """What changed when a draft started from an assessment on an earlier questionnaire."""

    source: Assessment
    carried: list[tuple[str, str]]  # (earlier code, this version's code), answers copied
    new_questions: list[NewQuestion]  # asked here, with no earlier answer carried to them
    dropped: list[str]  # earlier codes whose answers did not carry over


def carry_over_changes(assessment: Assessment) -> CarryOver | None:
    """None unless the draft started from an assessment on another questionnaire version.
    The earlier assessment's answers: one query (none once read, when it is approved)."""
    source = assessment.carried_from
    if source is None or source.questionnaire_id == assessment.questionnaire_id:
        return None
    table = assessment.questionnaire.codes_carried_from(source.questionnaire)
    answered = _kept_if_approved(
        source,
        "answered codes",
        lambda: [
            answer.question.code
            for answer in sorted(
                assessment_answers(source).values(), key=lambda answer: answer.question.position
            )
            if answer.is_answered
        ],
    )
    questions = asked_questions(assessment)
    asked = {q.code for q in questions}
    carried = [(old, table[old]) for old in answered if table.get(old) in asked]
    targets = {new for _, new in carried}
    return CarryOver(
        source=source,
        carried=carried,
        new_questions=[
            NewQuestion(q.code, q.section.code, q.prompt_for(assessment.phase))
            for q in questions
            if q.code not in targets
        ],
        dropped=[old for old in answered if table.get(old) not in asked],
    )


def open_plan_items(assessment: Assessment, questions: list[Question]) -> dict:
    """The agency's unfinished plan item for each question, by this version's code: an item
    raised on an earlier questionnaire version counts for the question its code carried over
    to. One query."""
    from plans.selectors import open_items_by_code

    earlier = {}
    table = (assessment.questionnaire.carry_over or {}).get("codes", {})
    for old, new in table.items():
        earlier.setdefault(new, []).append(old)
    codes = {q.code for q in questions}
    wanted = codes | {old for code in codes for old in earlier.get(code, [])}
    items = open_items_by_code(assessment.agency_id, sorted(wanted))
    found = {}
    for code in codes:
        for candidate in [code, *earlier.get(code, [])]:
            if candidate in items:
                found[code] = items[candidate]
                break
    return found


def _approved_before(agency_id, pk) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(agency_id=agency_id, status=Assessment.Status.APPROVED)
        .exclude(pk=pk)
        .select_related("questionnaire", "snapshot", "approved_by", "state_profile__law")
        .order_by("-approved_at", "-pk")
    )


# A draft's baseline is the newest approved one: asked on every results page of a draft.
NEWEST_APPROVED = PreparedQuery(lambda agency_id, pk: _approved_before(agency_id, pk)[:1])


def comparison_baseline(assessment: Assessment) -> Assessment | None:
    """The agency's last approved assessment before this one (approved before it was, for an
    approved one). One query."""
    if assessment.approved_at is None:
        return NEWEST_APPROVED.first(assessment.agency_id, assessment.pk)
    return (
        _approved_before(assessment.agency_id, assessment.pk)
        .filter(approved_at__lt=assessment.approved_at)
        .first()
    )


def answer_views(assessment: Assessment) -> dict:
    """The assessment's answers as the comparison reads them, by question code. From
    `assessment_answers`; an approved assessment's are kept per process once read (do not
    change the dict)."""
    from .comparison import AnswerView

    def read() -> dict:
        views = {}
        for answer in assessment_answers(assessment).values():
            text = answer.display_value if answer.is_answered else "Unanswered"
            views[answer.question.code] = AnswerView(text, person_name(answer.updated_by))
        return views

    return _kept_if_approved(assessment, "answers", read)


@dataclass(frozen=True)
class ComparisonView:
    baseline: Assessment
    comparison: object  # comparison.Comparison
    done_since: list


def assessment_comparison(
    assessment: Assessment, result: scoring.AssessmentResult | None = None
) -> ComparisonView | None:
    """This assessment against the agency's last approved one, or None when there is none.
    About ten queries, whatever the number of questions and answers."""
    from plans.selectors import items_done_since

    from .comparison import compare

    baseline = comparison_baseline(assessment)
    if baseline is None:
        return None
    now = result or assessment_result(assessment)
    then = assessment_result(baseline)
    codes = assessment.questionnaire.codes_carried_from(baseline.questionnaire)
    asked_now = {
        q.code: (q.section.code, q.prompt_for(assessment.phase))
        for q in asked_questions(assessment)
    }
    asked_then = {q.code for q in asked_questions(baseline)}
    comparison = compare(
        then=then,
        now=now,
        answers_then=answer_views(baseline),
        answers_now=answer_views(assessment),
        codes=codes,
        asked_now=asked_now,
        asked_then=asked_then,
    )
    return ComparisonView(
        baseline=baseline,
        comparison=comparison,
        done_since=items_done_since(assessment.agency_id, baseline.approved_at),
    )


ANSWERS_OF = PreparedQuery(
    lambda assessment_ids: (
        Answer.objects.filter(assessment_id__in=assessment_ids)
        .select_related("updated_by", "na_acknowledged_by")
        .order_by()
    )
)


def assessments_results(
    assessments: list[Assessment], known_profiles: dict[str, StateProfile | None] | None = None
) -> dict[int, scoring.AssessmentResult]:
    """Each assessment's result: the frozen snapshot when approved, else scored now. One query
    whatever the number of assessments, questions and answers (with the snapshots loaded, as
    `agency_assessments` loads them; the layouts read once per process), and one per state not
    in `known_profiles`."""
    results: dict[int, scoring.AssessmentResult] = {}
    live = []
    for assessment in assessments:
        snapshot = (
            getattr(assessment, "snapshot", None) if assessment.status == "approved" else None
        )
        if snapshot is not None:
            results[assessment.pk] = _kept_if_approved(
                assessment,
                "result",
                lambda snapshot=snapshot: scoring.AssessmentResult.from_dict(snapshot.result),
            )
        else:
            live.append(assessment)
    if not live:
        return results
    preload_state_law(live, known_profiles)
    codes = {}
    for assessment in live:
        for question in questionnaire_layout(assessment.questionnaire).questions:
            codes[question.pk] = question.code
    answers = defaultdict(dict)
    for answer in ANSWERS_OF.all([a.pk for a in live]):
        code = codes[answer.question_id]
        answers[answer.assessment_id][code] = scoring_answer(answer, code)
    for assessment in live:
        sections, questions = layout_scoring(
            questionnaire_layout(assessment.questionnaire), assessment.phase
        )
        results[assessment.pk] = scoring.score_assessment(
            sections=sections,
            questions=questions,
            answers=answers[assessment.pk],
            models=assessment.models,
            phase=assessment.phase,
            state_law=scoring_state_law(assessment.state_law),
        )
    return results


def plan_rows(assessment: Assessment, action_codes: list[str]) -> list:
    """Plan items for the report: raised by this assessment, or still open for one of its
    actions' questions; in the plan's priority order, each with `owner_name`. One query."""
    from plans.models import PlanItem
    from plans.selectors import OPEN_STATUSES

    items = list(
        PlanItem.objects.filter(agency_id=assessment.agency_id)
        .filter(
            Q(assessment_id=assessment.pk)
            | Q(question_code__in=action_codes, status__in=OPEN_STATUSES)
        )
        .select_related("owner")
        .order_by("priority", "pk")
    )
    for item in items:
        item.owner_name = person_name(item.owner) + (
            " (deactivated)" if item.owner and not item.owner.is_active else ""
        )
    return items


def critical_yes_without_evidence(assessment: Assessment) -> list[Question]:
    """Critical questions answered Yes (or at the top of their scale) with no evidence attached:
    a warning for the submit and approve steps, not a block. One query and
    `assessment_answers`."""
    from evidence.selectors import question_ids_with_evidence

    with_evidence = question_ids_with_evidence(assessment.pk)
    answers = sorted(
        (
            answer
            for answer in assessment_answers(assessment).values()
            if answer.question.critical and answer.value in ("yes", "4")
        ),
        key=lambda answer: answer.question.position,
    )
    return [a.question for a in answers if a.question_id not in with_evidence]


COMMENTS_OF = PreparedQuery(
    lambda assessment_id: (
        Comment.objects.filter(assessment_id=assessment_id)
        .select_related("author", "resolved_by")
        .order_by("created_at", "pk")
    )
)


def assessment_comments(
    assessment: Assessment, question_ids: set[int] | None = None
) -> dict[int, list[Comment]]:
    """Each question's comment threads, oldest first: the top-level comments with their replies
    in `thread` (oldest first), keyed by question id; only `question_ids`' when given. One
    query, none when the query that loaded the assessment counted no comment; the questions
    come from the layout."""
    if getattr(assessment, "comment_count", None) == 0:
        return {}
    questions = {question.pk: question for question in asked_questions(assessment)}
    if question_ids is not None:
        questions = {pk: q for pk, q in questions.items() if pk in question_ids}
    threads: dict[int, list[Comment]] = defaultdict(list)
    by_pk: dict[int, Comment] = {}
    for comment in COMMENTS_OF.all(assessment.pk):
        question = questions.get(comment.question_id)
        if question is None:  # the question is no longer asked (the phase or a model changed)
            continue
        comment.question = question
        comment.thread = []
        if comment.reply_to_id is None:
            by_pk[comment.pk] = comment
            threads[comment.question_id].append(comment)
        elif comment.reply_to_id in by_pk:
            by_pk[comment.reply_to_id].thread.append(comment)
    return dict(threads)


def open_comments(comments: dict[int, list[Comment]]) -> list[Comment]:
    """The open threads of `assessment_comments`, in questionnaire order."""
    listed = [c for threads in comments.values() for c in threads if c.is_open]
    return sorted(listed, key=lambda c: (c.question.position, c.created_at, c.pk))


@dataclass(frozen=True)
class ReviewSummary:
    """What a submitter or an approver should look at before confirming."""

    unanswered: list[Question]
    flagged: list[Answer]
    critical_gaps: list  # scoring.Action: critical questions answered below full credit
    critical_not_applicable: list[Answer]
    without_evidence: list[Question]
    open_comments: list[Comment]
    result: scoring.AssessmentResult

    @property
    def attention_count(self) -> int:
        return (
            len(self.flagged)
            + len(self.critical_gaps)
            + len(self.without_evidence)
            + len(self.open_comments)
        )


def review_summary(assessment: Assessment) -> ReviewSummary:
    """The submit and approve screens' list. From `assessment_answers`, the comments (one
    query), evidence (one query) and the live result."""
    answers = assessment_answers(assessment)
    asked = asked_questions(assessment)
    result = assessment_live_result(assessment)
    by_code = {question.code: question for question in asked}
    flagged = sorted(
        (a for a in answers.values() if a.flagged and assessment.asks(a.question)),
        key=lambda answer: answer.question.position,
    )
    return ReviewSummary(
        unanswered=[by_code[code] for code in result.unanswered_codes if code in by_code],
        flagged=flagged,
        critical_gaps=[gap for gap in result.critical_gaps if not gap.unanswered],
        critical_not_applicable=critical_not_applicable(assessment),
        without_evidence=critical_yes_without_evidence(assessment),
        open_comments=open_comments(assessment_comments(assessment)),
        result=result,
    )


def command_staff(agency_id: int) -> list:
    """The agency's active command staff and agency administrators (users). One query."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            membership__agency_id=agency_id,
            membership__role__in=sorted(COMMAND_ROLES),
        )
        .order_by("pk")
    )


def assessment_workers(assessment: Assessment) -> list:
    """Who worked on the assessment: the members of its agency who answered a question or
    submitted it (users, active ones). One query."""
    answered = Answer.objects.filter(assessment_id=assessment.pk).values("updated_by_id")
    return list(
        get_user_model()
        .objects.filter(is_active=True, membership__agency_id=assessment.agency_id)
        .filter(Q(pk__in=answered) | Q(pk=assessment.submitted_by_id or 0))
        .order_by("pk")
    )


def comment_version(assessment_id: int) -> str:
    """Changes whenever the assessment's comments do (added, resolved, reopened). One query."""
    stamp = Comment.objects.filter(assessment_id=assessment_id).aggregate(
        count=Count("pk"),
        added=Max("created_at"),
        resolved=Count("resolved_at"),
        last_resolved=Max("resolved_at"),
    )
    return f"{stamp['count']}:{stamp['added']}:{stamp['resolved']}:{stamp['last_resolved']}"
