"""Data that moves: an assessment as JSON (export and import) and its answers as CSV.

The JSON export holds what an agency needs to take an assessment elsewhere and bring it back:
the questionnaire it answers (slug, version, content hash, question codes), its title, models,
status, revision and people, every answer with who changed it last and when, the activity
trail and the scores. `import_assessment_data` reads it back into an agency as a new
assessment with the same answers and the same scores.

People travel by username. On import a username names an account only when that account is a
member of the receiving agency: the same name elsewhere in the installation may be someone else.
Anyone else is kept as a name in the activity trail (`Event.username`) and left empty in the
answer's "changed by". The two fields an assessment cannot leave empty, who started it and (once
approved) who approved it, fall back to the account doing the import.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, person_name
from assessments.models import Answer, Assessment, Comment, ScoreSnapshot
from audit.models import Event
from audit.services import event_build, event_record, events_record, upgraded_payload
from evidence.models import Evidence
from evidence.services import ALLOWED_TYPES, content_type_of
from plans.exports import csv_document
from plans.models import PlanItem, PlanProgress
from questionnaires.models import PartnershipModel, Phase, Question, QuestionnaireVersion

from . import scoring, selectors
from .services import COMMENT_MAX_LENGTH, TITLE_MAX_LENGTH, AnswerInput, validate_answer

FORMAT = "readiness-assessment"
FORMAT_VERSION = 2
# Version 1 had no evidence; an installation still reads it.
READABLE_VERSIONS = (1, 2)
MODEL_CODES = {choice.value for choice in PartnershipModel}
STATUSES = {choice.value for choice in Assessment.Status}
EVENT_KINDS = {choice.value for choice in Event.Kind}
ANSWER_FIELDS = ("value", "not_applicable", "na_reason", "note", "flagged")


class TransferError(Exception):
    """The file cannot be imported; `problems` lists every reason with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# --- Export --------------------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


@transaction.atomic
def export_assessment_data(*, assessment: Assessment) -> dict[str, Any]:
    """The assessment as a JSON-serialisable dict. At most seven queries, whatever its size."""
    assessment = Assessment.objects.select_related(
        "agency", "questionnaire", "created_by", "submitted_by", "approved_by"
    ).get(pk=assessment.pk)
    questionnaire = assessment.questionnaire
    codes = list(
        Question.objects.filter(questionnaire=questionnaire)
        .order_by("position")
        .values_list("code", flat=True)
    )
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "updated_by", "na_acknowledged_by")
        .order_by("question__position")
    )
    events = (
        Event.objects.filter(assessment=assessment)
        .select_related("actor", "question")
        .order_by("created_at", "id")
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "questionnaire": {
            "slug": questionnaire.slug,
            "version": questionnaire.version,
            "title": questionnaire.title,
            "content_hash": questionnaire.content_hash,
            "question_codes": codes,
        },
        "agency": {"slug": assessment.agency.slug, "name": assessment.agency.name},
        "id": assessment.pk,
        "title": assessment.title,
        "models": sorted(assessment.models),
        "phase": assessment.phase,
        "status": assessment.status,
        "revision": assessment.revision,
        "created_by": _username(assessment.created_by),
        "created_at": _time(assessment.created_at),
        "submitted_by": _username(assessment.submitted_by),
        "submitted_at": _time(assessment.submitted_at),
        "approved_by": _username(assessment.approved_by),
        "approved_at": _time(assessment.approved_at),
        "attestation": assessment.attestation,
        "updated_at": _time(assessment.updated_at),
        "answers": [
            {
                "question": answer.question.code,
                "value": answer.value,
                "not_applicable": answer.not_applicable,
                "na_reason": answer.na_reason,
                "note": answer.note,
                "flagged": answer.flagged,
                "version": answer.version,
                "updated_by": _username(answer.updated_by),
                "updated_at": _time(answer.updated_at),
                "na_acknowledged_by": _username(answer.na_acknowledged_by),
                "na_acknowledged_at": _time(answer.na_acknowledged_at),
            }
            for answer in answers
        ],
        "events": [
            {
                "kind": event.kind,
                "actor": _username(event.actor) or event.username or None,
                "at": _time(event.created_at),
                "question": event.question.code if event.question else None,
                "old": event.old,
                "new": event.new,
                "comment": event.comment,
            }
            for event in events
        ],
        "comments": _comments_out(assessment),
        "evidence": _evidence_out(assessment),
        "plan_items": _plan_out(assessment),
        "scores": selectors.assessment_result(assessment).to_dict(),
    }


def _comments_out(assessment: Assessment) -> list[dict]:
    """Comments on questions, oldest first; a reply names its thread by the thread's `id`."""
    comments = (
        Comment.objects.filter(assessment=assessment)
        .select_related("question", "author", "resolved_by")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": comment.pk,
            "question": comment.question.code,
            "reply_to": comment.reply_to_id,
            "author": _username(comment.author),
            "body": comment.body,
            "created_at": _time(comment.created_at),
            "resolved_by": _username(comment.resolved_by),
            "resolved_at": _time(comment.resolved_at),
        }
        for comment in comments
    ]


def _plan_out(assessment: Assessment) -> list[dict]:
    """The plan items this assessment raised, with their progress logs."""
    items = (
        PlanItem.objects.filter(assessment=assessment)
        .select_related("question", "owner", "created_by")
        .prefetch_related("progress__author")
        .order_by("priority", "pk")
    )
    return [
        {
            "question": item.question.code if item.question else None,
            "title": item.title,
            "owner": _username(item.owner),
            "target_date": item.target_date.isoformat() if item.target_date else None,
            "status": item.status,
            "wont_do_reason": item.wont_do_reason,
            "priority": item.priority,
            "critical": item.critical,
            "created_by": _username(item.created_by),
            "created_at": _time(item.created_at),
            "done_at": _time(item.done_at),
            "progress": [
                {
                    "author": _username(entry.author),
                    "at": _time(entry.created_at),
                    "note": entry.note,
                    "status_from": entry.status_from,
                    "status_to": entry.status_to,
                }
                for entry in item.progress.all()
            ],
        }
        for item in items
    ]


def _evidence_out(assessment: Assessment) -> list[dict]:
    """Every piece of evidence ever attached, oldest first; a new version names the earlier one
    by its place in this list. The files go in the ZIP export under `evidence/<sha256>`."""
    items = list(
        Evidence.objects.filter(assessment=assessment)
        .select_related("question", "uploaded_by", "removed_by")
        .order_by("uploaded_at", "pk")
    )
    place = {item.pk: index for index, item in enumerate(items)}
    return [
        {
            "question": item.question.code,
            "kind": item.kind,
            "title": item.title,
            "document_number": item.document_number,
            "effective_date": item.effective_date.isoformat() if item.effective_date else None,
            "original_name": item.original_name,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "reference": item.reference,
            "version": item.version,
            "replaces": place.get(item.replaces_id),
            "uploaded_by": _username(item.uploaded_by),
            "uploaded_at": _time(item.uploaded_at),
            "removed_by": _username(item.removed_by),
            "removed_at": _time(item.removed_at),
            "superseded_at": _time(item.superseded_at),
        }
        for item in items
    ]


# --- CSV -----------------------------------------------------------------------------------------

CSV_HEADER = (
    "Code",
    "Step",
    "Prompt",
    "Answer",
    "N/A reason",
    "Note",
    "Flagged",
    "Changed by",
    "Changed at",
)


def answers_csv(*, assessment: Assessment) -> str:
    """One row per applicable question, in order; UTF-8 with a BOM so Excel reads the accents.

    Three queries.
    """
    questions = list(
        assessment.applicable_questions().select_related("section").order_by("position")
    )
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(assessment=assessment).select_related("updated_by")
    }
    rows = []
    for question in questions:
        answer = answers.get(question.pk)
        if answer is not None:
            answer.question = question
        changed = answer is not None and answer.updated_by_id is not None
        row = (
            question.code,
            f"{question.section.position}. {question.section.title}",
            question.prompt_for(assessment.phase),
            answer.display_value if answer and answer.is_answered else "Unanswered",
            answer.na_reason if answer and answer.not_applicable else "",
            answer.note if answer else "",
            "Yes" if answer and answer.flagged else "No",
            person_name(answer.updated_by) if changed else "",
            timezone.localtime(answer.updated_at).strftime("%Y-%m-%d %H:%M") if answer else "",
        )
        rows.append(row)
    return csv_document(CSV_HEADER, rows)


# --- Import --------------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _get(data: dict, key: str, kind: type, where: str, problems: _Problems, **opts):
    """`data[key]` if it has the right type; else a problem and None. `optional`: None allowed."""
    if key not in data:
        if opts.get("optional"):
            return opts.get("default")
        problems.add(where, f"'{key}' is missing.")
        return None
    value = data[key]
    if value is None and opts.get("optional"):
        return opts.get("default")
    # In Python True is an int too: a whole number must not be a boolean.
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        expected = EXPECTED.get(kind, "an object")
        problems.add(where, f"'{key}' must be {expected}, not {json_type(value)}.")
        return None
    return value


EXPECTED = {str: "text", bool: "true or false", int: "a whole number", list: "a list"}


# What any value of an export may be: nested no deeper, numbers within a database integer.
MAX_DEPTH = 32
MAX_INTEGER = 2_147_483_647
MAX_PROBLEMS_OF_A_KIND = 20
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def scan_document(data: object, problems: _Problems) -> None:
    """Refuse what no page could show or no database could store, wherever it is in the file:
    nesting deeper than MAX_DEPTH, NUL characters and lone surrogates in any text or key,
    numbers beyond a database integer or not finite. Walks the document without recursion."""
    stack: list[tuple[object, str, int]] = [(data, "file", 0)]
    found = 0
    while stack and found < MAX_PROBLEMS_OF_A_KIND:
        value, where, depth = stack.pop()
        problem = None
        if depth > MAX_DEPTH:
            problem = f"nested more than {MAX_DEPTH} levels deep."
        elif isinstance(value, str):
            problem = _text_problem(value)
        elif isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                problem = f"the number {value} is too large."
        elif isinstance(value, float):
            if not math.isfinite(value) or abs(value) > MAX_INTEGER:
                problem = "the number is too large or not a number."
        elif isinstance(value, dict):
            for key, item in value.items():
                key_problem = _text_problem(key) if isinstance(key, str) else None
                if key_problem:
                    problems.add(where, f"a key: {key_problem}")
                    found += 1
                    continue
                stack.append((item, f"{where}.{key}" if where != "file" else key, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, f"{where}[{index}]", depth + 1))
        if problem:
            problems.add(where, problem)
            found += 1


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "the text contains a NUL character."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "the text contains a character that is not valid Unicode (a lone surrogate)."
    return None


def json_type(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
    }.get(type(value), "an object")


def _when(data: dict, key: str, where: str, problems: _Problems, *, optional: bool = False):
    text = _get(data, key, str, where, problems, optional=optional)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        problems.add(where, f"'{key}' must be a date and time like 2027-01-15T14:30:00+00:00.")
        return None
    if timezone.is_naive(value):
        problems.add(where, f"'{key}' must include its time zone, e.g. +00:00.")
        return None
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        problems.add(where, f"'{key}' must be between 1970 and 2099, not {text!r}.")
        return None
    return value


@dataclass(frozen=True)
class _AnswerRow:
    question: Question
    content: dict
    version: int
    updated_by: str | None
    updated_at: datetime | None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class _EventRow:
    kind: str
    actor: str | None
    at: datetime | None
    question: Question | None
    old: Any
    new: Any
    comment: str


@dataclass(frozen=True)
class ImportOutcome:
    assessment: Assessment
    answers: int
    events: int
    unknown_people: tuple[str, ...]
    evidence: int = 0
    files_left_out: int = 0

    @property
    def message(self) -> str:
        a = self.assessment
        text = (
            f"Imported “{a.title}” (revision {a.revision}, {a.get_status_display().lower()}) "
            f"into {a.agency.name} as assessment {a.pk}: {self.answers} answer(s), "
            f"{self.events} event(s), {self.evidence} evidence item(s)."
        )
        if self.files_left_out:
            text += (
                f" {self.files_left_out} evidence file(s) left out: a JSON export carries no "
                "files; import the ZIP export to bring them."
            )
        if self.unknown_people:
            text += (
                " Not members of this agency, kept by name in the activity trail only: "
                + ", ".join(self.unknown_people)
                + "."
            )
        return text


def _people(agency: Agency, usernames: Iterable[str | None]) -> dict[str, Any]:
    """The receiving agency's members among `usernames`, by username. One query."""
    wanted = {name for name in usernames if name}
    users = (
        get_user_model()
        .objects.filter(username__in=wanted, membership__agency=agency)
        .select_related("membership")
    )
    return {user.get_username(): user for user in users}


@transaction.atomic
def import_assessment_data(
    *, data: object, agency: Agency, user=None, files: Mapping[str, bytes] | None = None
) -> ImportOutcome:
    """Create a new assessment of `agency` from an export; everything is checked first.

    `files`: the evidence files of a ZIP export, by SHA-256 (None for a JSON-only export, whose
    file evidence is then left out and counted). `user` is the account doing the import: it is
    recorded on the import's activity entry and
    stands in as creator (and approver) when the exported one is not a member of `agency`.
    Raises TransferError listing every problem, with its place, before anything is written.
    An approved export is imported approved, its snapshot recomputed from the imported answers;
    a recomputed score that differs from the exported one is a problem.
    """
    problems = _Problems()
    if not isinstance(data, dict):
        raise TransferError(["file: must be a JSON object, as written by export_assessment."])
    if data.get("format") != FORMAT:
        problems.add("format", f"must be {FORMAT!r}: this is not an assessment export.")
    if data.get("format_version") not in READABLE_VERSIONS:
        problems.add(
            "format_version",
            f"this installation reads versions {', '.join(map(str, READABLE_VERSIONS))}, "
            f"not {data.get('format_version')!r}.",
        )
    scan_document(data, problems)
    if problems.items:
        raise TransferError(problems.items)

    questionnaire, questions = _check_questionnaire(data, problems)
    title = _get(data, "title", str, "title", problems)
    if title is not None:
        title = title.strip()
        if not title:
            problems.add("title", "must not be empty.")
        elif len(title) > TITLE_MAX_LENGTH:
            problems.add("title", f"must be within {TITLE_MAX_LENGTH} characters.")
    models = _get(data, "models", list, "models", problems)
    if models is not None:
        if not models:
            problems.add("models", "choose at least one of JEM, TFM and WSO.")
        unknown = [m for m in models if not isinstance(m, str) or m not in MODEL_CODES]
        if unknown:
            problems.add("models", f"unknown model(s) {', '.join(map(str, unknown))}.")
        models = {m for m in models if isinstance(m, str)} & MODEL_CODES
    # Exports made before questionnaire version 2 carry no phase: every question was asked.
    phase = _get(data, "phase", str, "phase", problems, optional=True, default=Phase.PREPARING)
    if phase is not None and phase not in Phase.values:
        problems.add("phase", f"must be one of {', '.join(Phase.values)}, not {phase!r}.")
        phase = None
    status = _get(data, "status", str, "status", problems)
    if status is not None and status not in STATUSES:
        problems.add("status", f"must be one of {', '.join(sorted(STATUSES))}, not {status!r}.")
        status = None
    revision = _get(data, "revision", int, "revision", problems)
    if revision is not None and revision < 1:
        problems.add("revision", "must be 1 or more.")
    created_by = _get(data, "created_by", str, "created_by", problems, optional=True)
    created_at = _when(data, "created_at", "created_at", problems, optional=True)
    submitted_by = _get(data, "submitted_by", str, "submitted_by", problems, optional=True)
    submitted_at = _when(data, "submitted_at", "submitted_at", problems, optional=True)
    approved_by = _get(data, "approved_by", str, "approved_by", problems, optional=True)
    approved_at = _when(data, "approved_at", "approved_at", problems, optional=True)
    updated_at = _when(data, "updated_at", "updated_at", problems, optional=True)
    if status == Assessment.Status.APPROVED and (not approved_by or approved_at is None):
        problems.add("approved_by", "an approved assessment needs its approver and approval time.")

    # Without valid models every answer would "not apply": check applicability only with them.
    applicable = {
        code: q
        for code, q in questions.items()
        if (not models or q.models & models) and (phase is None or phase in q.phases)
    }
    answers = _check_answers(data, questions, applicable, problems)
    events = _check_events(data, questions, problems)
    evidence = _check_evidence(data, questions, files, problems)
    plan = _check_plan(data, questions, problems)
    comments = _check_comments(data, questions, problems)
    attestation = _get(data, "attestation", str, "attestation", problems, optional=True)
    scores = data.get("scores")
    if status == Assessment.Status.APPROVED and not isinstance(scores, dict):
        problems.add("scores", "an approved assessment needs the scores frozen at its approval.")
    elif status == Assessment.Status.APPROVED:
        _check_scores(scores, problems)

    people = _people(
        agency,
        [created_by, submitted_by, approved_by]
        + [a.updated_by for a in answers]
        + [a.acknowledged_by for a in answers]
        + [e["uploaded_by"] for e in evidence]
        + [i["owner"] for i in plan]
        + [i["created_by"] for i in plan]
        + [entry["author"] for i in plan for entry in i["progress"]]
        + [e["removed_by"] for e in evidence]
        + [e.actor for e in events]
        + [c["author"] for c in comments]
        + [c["resolved_by"] for c in comments],
    )
    creator = people.get(created_by) or user
    if creator is None:
        problems.add(
            "created_by",
            f"{created_by or 'nobody'} is not a member of {agency.name}; name the account "
            "doing the import (--user) to record as having started it.",
        )
    approver = people.get(approved_by) or user
    if status == Assessment.Status.APPROVED and approved_by and approver is None:
        problems.add(
            "approved_by",
            f"{approved_by} is not a member of {agency.name}; name the account doing the "
            "import (--user) to record as approver (the trail keeps the original name).",
        )
    if problems.items:
        raise TransferError(problems.items)

    assessment = Assessment.objects.create(
        agency=agency,
        questionnaire=questionnaire,
        title=title,
        considers_jem="JEM" in models,
        considers_tfm="TFM" in models,
        considers_wso="WSO" in models,
        phase=phase,
        status=status,
        revision=revision,
        created_by=creator,
        submitted_by=people.get(submitted_by),
        submitted_at=submitted_at,
        approved_by=approver if status == Assessment.Status.APPROVED else None,
        approved_at=approved_at if status == Assessment.Status.APPROVED else None,
        attestation=(attestation or "") if status == Assessment.Status.APPROVED else "",
    )
    # auto_now and auto_now_add stamp "now" on create: put the exported times back.
    stored_answers = Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question=row.question,
            version=row.version,
            updated_by=people.get(row.updated_by),
            # An acceptance by someone who is not a member here is not carried: command staff
            # of this agency accept it again (the trail keeps the original event).
            na_acknowledged_by=people.get(row.acknowledged_by),
            na_acknowledged_at=row.acknowledged_at if people.get(row.acknowledged_by) else None,
            **row.content,
        )
        for row in answers
    )
    for answer, row in zip(stored_answers, answers, strict=True):
        answer.updated_at = row.updated_at or timezone.now()
    Answer.objects.bulk_update(stored_answers, ["updated_at"])
    stored_events = events_record(
        [
            event_build(
                kind=row.kind,
                assessment=assessment,
                question=row.question,
                actor=people.get(row.actor),
                username=row.actor or "",
                old=row.old,
                new=row.new,
                comment=row.comment,
                ip_address=None,
            )
            for row in events
        ]
    )
    for event, row in zip(stored_events, events, strict=True):
        event.created_at = row.at or timezone.now()
    Event.objects.bulk_update(stored_events, ["created_at"])

    stored_evidence = _store_evidence(assessment, evidence, people, creator, files)
    _store_plan(assessment, plan, people, creator)
    _store_comments(assessment, comments, people, creator)

    if status == Assessment.Status.APPROVED:
        # Scored with the state law it was approved under (the exporting agency's state), which
        # the frozen result carries; the receiving agency's own state does not change it.
        frozen_law = scores.get("state_law")
        law = scoring.StateLaw.from_dict(frozen_law) if isinstance(frozen_law, dict) else None
        result = selectors.assessment_live_result(assessment, state_law=law).to_dict()
        if result != scores:
            raise TransferError([_score_difference(scores, result)])
        ScoreSnapshot.objects.create(assessment=assessment, result=result)

    named = {created_by, submitted_by, approved_by}
    named |= {row.updated_by for row in answers} | {row.actor for row in events}
    unknown = sorted(name for name in named if name and name not in people)
    origin = data.get("agency") if isinstance(data.get("agency"), dict) else {}
    note = (
        f"Imported from an export of assessment {data.get('id', '?')} of "
        f"{origin.get('name') or origin.get('slug') or 'another agency'}, made "
        f"{data.get('exported_at') or 'at an unknown time'}."
    )
    if unknown:
        note += " Not members of this agency, named in this trail only: " + ", ".join(unknown)
        note += "."
    event_record(
        kind=Event.Kind.COMMENTED,
        assessment=assessment,
        actor=user,
        comment=note,
        ip_address=None,
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=created_at or assessment.created_at,
        updated_at=updated_at or assessment.updated_at,
    )
    assessment.refresh_from_db()
    return ImportOutcome(
        assessment=assessment,
        answers=len(stored_answers),
        events=len(stored_events),
        unknown_people=tuple(unknown),
        evidence=stored_evidence,
        files_left_out=sum(1 for e in evidence if e["kind"] == "file" and files is None),
    )


def _check_questionnaire(
    data: dict, problems: _Problems
) -> tuple[QuestionnaireVersion | None, dict[str, Question]]:
    """The questionnaire the export names, and its questions by code. Two queries."""
    raw = _get(data, "questionnaire", dict, "questionnaire", problems)
    if raw is None:
        return None, {}
    slug = _get(raw, "slug", str, "questionnaire", problems)
    version = _get(raw, "version", int, "questionnaire", problems)
    codes = _get(raw, "question_codes", list, "questionnaire", problems)
    if slug is None or version is None:
        return None, {}
    questionnaire = QuestionnaireVersion.objects.filter(slug=slug, version=version).first()
    if questionnaire is None:
        problems.add(
            "questionnaire",
            f"{slug} version {version} is not loaded here. Load the same questionnaire file "
            "first (manage.py load_questionnaire FILE).",
        )
        return None, {}
    content_hash = raw.get("content_hash")
    if content_hash and content_hash != questionnaire.content_hash:
        problems.add(
            "questionnaire",
            f"{slug} version {version} here differs from the one the export answers (its "
            "content hash differs): load the same file on both installations.",
        )
    questions = {
        q.code: q
        for q in Question.objects.filter(questionnaire=questionnaire).select_related("section")
    }
    for index, code in enumerate(codes or []):
        if not isinstance(code, str) or code not in questions:
            problems.add(
                f"questionnaire.question_codes[{index}]",
                f"question {code} is not in {slug} version {version} here.",
            )
    return questionnaire, questions


def _check_answers(
    data: dict, questions: dict[str, Question], applicable: dict[str, Question], problems
) -> list[_AnswerRow]:
    raw_answers = _get(data, "answers", list, "answers", problems)
    rows: list[_AnswerRow] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_answers or []):
        where = f"answers[{index}]"
        if not isinstance(raw, dict):
            problems.add(where, "each answer must be an object.")
            continue
        code = _get(raw, "question", str, where, problems)
        if code is None:
            continue
        where = f"answers[{index}] ({code})"
        content = {
            "value": _get(raw, "value", str, where, problems, optional=True, default=""),
            "not_applicable": _get(
                raw, "not_applicable", bool, where, problems, optional=True, default=False
            ),
            "na_reason": _get(raw, "na_reason", str, where, problems, optional=True, default=""),
            "note": _get(raw, "note", str, where, problems, optional=True, default=""),
            "flagged": _get(raw, "flagged", bool, where, problems, optional=True, default=False),
        }
        version = _get(raw, "version", int, where, problems, optional=True, default=1)
        updated_by = _get(raw, "updated_by", str, where, problems, optional=True)
        updated_at = _when(raw, "updated_at", where, problems, optional=True)
        acknowledged_by = _get(raw, "na_acknowledged_by", str, where, problems, optional=True)
        acknowledged_at = _when(raw, "na_acknowledged_at", where, problems, optional=True)
        if code in seen:
            problems.add(where, f"question {code} is answered twice.")
            continue
        seen.add(code)
        question = questions.get(code)
        if question is None:
            if questions:
                problems.add(where, f"question {code} is not in this questionnaire.")
            continue
        if code not in applicable:
            problems.add(
                where, f"question {code} is not asked for the models and phase considered."
            )
            continue
        if None in content.values() or version is None:
            continue
        if version < 1:
            problems.add(where, "'version' must be 1 or more.")
            continue
        for field_problem in validate_answer(
            question, AnswerInput(question.pk, **content)
        ).values():
            problems.add(where, field_problem)
        if acknowledged_by and not (question.critical and content["not_applicable"]):
            problems.add(
                where, "only a critical question marked not applicable is accepted as such."
            )
            continue
        rows.append(
            _AnswerRow(
                question, content, version, updated_by, updated_at, acknowledged_by, acknowledged_at
            )
        )
    return rows


def _check_events(data: dict, questions: dict[str, Question], problems) -> list[_EventRow]:
    raw_events = _get(data, "events", list, "events", problems, optional=True, default=[])
    rows: list[_EventRow] = []
    for index, raw in enumerate(raw_events or []):
        where = f"events[{index}]"
        if not isinstance(raw, dict):
            problems.add(where, "each event must be an object.")
            continue
        kind = _get(raw, "kind", str, where, problems)
        if kind is not None and kind not in EVENT_KINDS:
            problems.add(where, f"unknown kind {kind!r}.")
            kind = None
        actor = _get(raw, "actor", str, where, problems, optional=True)
        at = _when(raw, "at", where, problems)
        code = _get(raw, "question", str, where, problems, optional=True)
        question = None
        if code is not None:
            question = questions.get(code)
            if question is None and questions:
                problems.add(where, f"question {code} is not in this questionnaire.")
        comment = _get(raw, "comment", str, where, problems, optional=True, default="")
        old, new = raw.get("old"), raw.get("new")
        plain = True
        for name, value in (("old", old), ("new", new)):
            if value is not None and not isinstance(value, dict):
                problems.add(where, f"'{name}' must be an object or null.")
                plain = False
            elif value and not all(_payload_value(item) for item in value.values()):
                problems.add(
                    where,
                    f"'{name}' values must be text, numbers, true/false, null or a list of text.",
                )
                plain = False
        if kind is None or comment is None or not plain:
            continue
        kind, old, new = upgraded_payload(kind, old, new)
        try:
            event_build(kind=kind, old=old, new=new, ip_address=None)
        except ValueError as error:
            problems.add(where, str(error))
            continue
        rows.append(_EventRow(kind, actor, at, question, old, new, comment))
    return rows


def _payload_value(value: object) -> bool:
    if value is None or isinstance(value, str | int | bool | float):
        return True
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_scores(scores: object, problems: _Problems) -> None:
    """The frozen scores of an approved export must read as a result this installation writes."""
    try:
        scoring.AssessmentResult.from_dict(scores)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError):
        problems.add("scores", "not the scores an export writes (their shape is wrong).")


def _score_difference(exported: dict, recomputed: dict) -> str:
    def brief(scores: dict) -> str:
        dims = ", ".join(
            f"{d.get('key')} {d.get('score')}" for d in scores.get("dimensions", []) or []
        )
        return (
            f"overall {scores.get('overall_score')} ({dims}; method {scores.get('method_version')})"
        )

    return (
        "scores: the answers give "
        + brief(recomputed)
        + " here, but the approved export froze "
        + brief(exported)
        + ". An approved assessment must keep its scores: import it where the same questionnaire "
        f"and scoring method (version {scoring.METHOD_VERSION} here) are in use."
    )


EVIDENCE_KINDS = ("file", "reference")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _check_evidence(data: dict, questions: dict, files, problems: _Problems) -> list[dict]:
    """The export's evidence, checked: each a file (with its bytes when `files` is given, hash
    and type checked) or a reference, on a question of the questionnaire."""
    raw_items = _get(data, "evidence", list, "evidence", problems, optional=True, default=[])
    rows: list[dict] = []
    for index, raw in enumerate(raw_items or []):
        where = f"evidence[{index}]"
        if not isinstance(raw, dict):
            problems.add(where, "each evidence item must be an object.")
            continue

        def text(key: str, raw=raw, where=where) -> str:
            return _get(raw, key, str, where, problems, optional=True, default="") or ""

        row = {
            "question": questions.get(_get(raw, "question", str, where, problems) or ""),
            "kind": _get(raw, "kind", str, where, problems),
            "title": (_get(raw, "title", str, where, problems) or "").strip(),
            "document_number": text("document_number"),
            "original_name": text("original_name"),
            "sha256": text("sha256"),
            "reference": text("reference"),
            "version": _get(raw, "version", int, where, problems, optional=True, default=1),
            "replaces": _get(raw, "replaces", int, where, problems, optional=True),
            "uploaded_by": _get(raw, "uploaded_by", str, where, problems, optional=True),
            "uploaded_at": _when(raw, "uploaded_at", where, problems, optional=True),
            "removed_by": _get(raw, "removed_by", str, where, problems, optional=True),
            "removed_at": _when(raw, "removed_at", where, problems, optional=True),
            "superseded_at": _when(raw, "superseded_at", where, problems, optional=True),
            "effective_date": None,
        }  # fmt: skip
        effective = _get(raw, "effective_date", str, where, problems, optional=True)
        if effective:
            try:
                row["effective_date"] = date.fromisoformat(effective)
            except ValueError:
                problems.add(where, "'effective_date' must be a date like 2026-03-01.")
        if row["question"] is None:
            problems.add(where, "'question' is not a question of this questionnaire.")
        if row["kind"] not in EVIDENCE_KINDS:
            problems.add(where, "'kind' must be file or reference.")
            continue
        if not row["title"] or len(row["title"]) > 200:
            problems.add(where, "'title' must be text of 1 to 200 characters.")
        if row["version"] is not None and row["version"] < 1:
            problems.add(where, "'version' must be 1 or more.")
        replaces = row["replaces"]
        if replaces is not None and not 0 <= replaces < index:
            problems.add(where, "'replaces' must name an earlier evidence item.")
        if row["kind"] == "reference":
            if not (row["reference"] or "").strip() or len(row["reference"]) > 500:
                problems.add(where, "a reference needs its location (1 to 500 characters).")
        elif not SHA256.match(row["sha256"] or ""):
            problems.add(where, "'sha256' must be 64 lowercase hexadecimal digits.")
        elif files is not None:
            content = files.get(row["sha256"])
            if content is None:
                problems.add(where, f"the file evidence/{row['sha256']} is not in the ZIP.")
            elif hashlib.sha256(content).hexdigest() != row["sha256"]:
                problems.add(where, "the file's content does not match its SHA-256.")
            elif content_type_of(content[:8192]) not in ALLOWED_TYPES:
                problems.add(where, "the file is not a type evidence may be.")
            else:
                row["content"] = content
                row["content_type"] = content_type_of(content[:8192])
            name = row["original_name"] or ""
            if not name or "/" in name or "\\" in name or len(name) > 255:
                problems.add(where, "'original_name' must be a plain file name.")
        rows.append(row)
    return rows


def _store_evidence(assessment, rows, people, creator, files) -> int:
    """Write the checked evidence: files into the evidence storage, rows in order."""
    stored: list[Evidence | None] = []
    for row in rows:
        if row["kind"] == "file" and files is None:
            stored.append(None)  # a JSON-only export: the file is not here
            continue
        replaces = row["replaces"]
        item = Evidence(
            agency_id=assessment.agency_id,
            assessment=assessment,
            question=row["question"],
            kind=row["kind"],
            title=row["title"],
            document_number=row["document_number"] or "",
            effective_date=row["effective_date"],
            reference=row["reference"] or "" if row["kind"] == "reference" else "",
            version=row["version"] or 1,
            replaces=stored[replaces] if replaces is not None else None,
            uploaded_by=people.get(row["uploaded_by"]) or creator,
            removed_by=(people.get(row["removed_by"]) or creator) if row["removed_at"] else None,
            removed_at=row["removed_at"],
            superseded_at=row["superseded_at"],
        )
        if row["kind"] == "file":
            item.original_name = row["original_name"]
            item.content_type = row["content_type"]
            item.size = len(row["content"])
            item.sha256 = row["sha256"]
            item.file.save(
                f"{assessment.agency_id}/{uuid.uuid4().hex}",
                ContentFile(row["content"]),
                save=False,
            )
        item.save()
        if row["uploaded_at"]:
            Evidence.objects.filter(pk=item.pk).update(uploaded_at=row["uploaded_at"])
        stored.append(item)
    return sum(1 for item in stored if item is not None)


PLAN_STATUSES = {choice.value for choice in PlanItem.Status}


def _check_comments(data: dict, questions: dict, problems: _Problems) -> list[dict]:
    raw_comments = _get(data, "comments", list, "comments", problems, optional=True, default=[])
    rows: list[dict] = []
    seen: set[int] = set()
    for index, raw in enumerate(raw_comments or []):
        where = f"comments[{index}]"
        if not isinstance(raw, dict):
            problems.add(where, "each comment must be an object.")
            continue
        number = _get(raw, "id", int, where, problems)
        code = _get(raw, "question", str, where, problems)
        reply_to = _get(raw, "reply_to", int, where, problems, optional=True)
        body = _get(raw, "body", str, where, problems)
        author = _get(raw, "author", str, where, problems, optional=True)
        resolved_by = _get(raw, "resolved_by", str, where, problems, optional=True)
        created_at = _when(raw, "created_at", where, problems, optional=True)
        resolved_at = _when(raw, "resolved_at", where, problems, optional=True)
        question = questions.get(code) if code is not None else None
        if code is not None and question is None and questions:
            problems.add(where, f"question {code} is not in this questionnaire.")
        if body is not None and not body.strip():
            problems.add(where, "a comment needs a body.")
        elif body is not None and len(body) > COMMENT_MAX_LENGTH:
            problems.add(where, f"a comment is at most {COMMENT_MAX_LENGTH} characters.")
        if reply_to is not None and reply_to not in seen:
            problems.add(where, f"reply to comment {reply_to}, which does not come before it.")
        if reply_to is not None and resolved_at is not None:
            problems.add(where, "a reply is not resolved on its own: its thread is.")
        if None in (number, question, body) or not body.strip():
            continue
        seen.add(number)
        rows.append(
            {
                "id": number,
                "question": question,
                "reply_to": reply_to,
                "author": author,
                "body": body,
                "created_at": created_at,
                "resolved_by": resolved_by,
                "resolved_at": resolved_at,
            }
        )
    return rows


def _store_comments(assessment, rows, people, creator) -> None:
    """Comments in order, replies linked to their threads; an author who is not a member here is
    named in the text and the importing account stands in."""
    stored: dict[int, Comment] = {}
    for row in rows:
        author = people.get(row["author"])
        body = row["body"]
        if author is None:
            author = creator
            body = f"({row['author'] or 'a former member'}, not a member here:) {body}"
        resolved = row["reply_to"] is None and row["resolved_at"] is not None
        comment = Comment.objects.create(
            assessment=assessment,
            question=row["question"],
            reply_to=stored.get(row["reply_to"]),
            author=author,
            body=body,
            resolved_by=(people.get(row["resolved_by"]) or creator) if resolved else None,
            resolved_at=row["resolved_at"] if resolved else None,
        )
        comment.created_at = row["created_at"] or comment.created_at
        stored[row["id"]] = comment
    if stored:
        Comment.objects.bulk_update(stored.values(), ["created_at"])


def _check_plan(data: dict, questions: dict, problems: _Problems) -> list[dict]:
    raw_items = _get(data, "plan_items", list, "plan_items", problems, optional=True, default=[])
    rows: list[dict] = []
    for index, raw in enumerate(raw_items or []):
        where = f"plan_items[{index}]"
        if not isinstance(raw, dict):
            problems.add(where, "each plan item must be an object.")
            continue
        code = _get(raw, "question", str, where, problems, optional=True)
        row = {
            "question": questions.get(code) if code else None,
            "title": (_get(raw, "title", str, where, problems) or "").strip(),
            "owner": _get(raw, "owner", str, where, problems, optional=True),
            "status": _get(raw, "status", str, where, problems),
            "wont_do_reason": (
                _get(raw, "wont_do_reason", str, where, problems, optional=True, default="") or ""
            ),
            "priority": _get(raw, "priority", int, where, problems, optional=True, default=0),
            "critical": _get(raw, "critical", bool, where, problems, optional=True, default=False),
            "created_by": _get(raw, "created_by", str, where, problems, optional=True),
            "created_at": _when(raw, "created_at", where, problems, optional=True),
            "done_at": _when(raw, "done_at", where, problems, optional=True),
            "target_date": None,
            "progress": [],
        }  # fmt: skip
        if code and row["question"] is None:
            problems.add(where, f"question {code} is not in this questionnaire.")
        if not row["title"] or len(row["title"]) > 300:
            problems.add(where, "'title' must be text of 1 to 300 characters.")
        if row["status"] not in PLAN_STATUSES:
            problems.add(where, f"'status' must be one of {', '.join(sorted(PLAN_STATUSES))}.")
        if row["status"] == "wont_do" and not (row["wont_do_reason"] or "").strip():
            problems.add(where, "a won't-do item needs its reason.")
        if row["priority"] is not None and row["priority"] < 0:
            problems.add(where, "'priority' must be 0 or more.")
        target = _get(raw, "target_date", str, where, problems, optional=True)
        if target:
            try:
                row["target_date"] = date.fromisoformat(target)
            except ValueError:
                problems.add(where, "'target_date' must be a date like 2027-03-31.")
        entries = _get(raw, "progress", list, where, problems, optional=True, default=[])
        for number, entry in enumerate(entries or []):
            place = f"{where}.progress[{number}]"
            if not isinstance(entry, dict):
                problems.add(place, "each progress entry must be an object.")
                continue
            status_from = _get(
                entry, "status_from", str, place, problems, optional=True, default=""
            )
            status_to = _get(entry, "status_to", str, place, problems, optional=True, default="")
            for value in (status_from, status_to):
                if value and value not in PLAN_STATUSES:
                    problems.add(place, f"unknown status {value!r}.")
            row["progress"].append(
                {
                    "author": _get(entry, "author", str, place, problems, optional=True),
                    "at": _when(entry, "at", place, problems, optional=True),
                    "note": _get(entry, "note", str, place, problems, optional=True, default=""),
                    "status_from": status_from or "",
                    "status_to": status_to or "",
                }
            )
        rows.append(row)
    return rows


def _store_plan(assessment, rows, people, creator) -> None:
    """The imported assessment's plan items, in the receiving agency; an owner who is not a
    member here is left unassigned (the trail keeps the name)."""
    for row in rows:
        question = row["question"]
        owner = people.get(row["owner"])
        item = PlanItem.objects.create(
            agency_id=assessment.agency_id,
            assessment=assessment,
            question=question,
            question_code=question.code if question else "",
            section_code=question.section.code if question else "",
            weight_capacity=question.weight_capacity if question else 0,
            weight_policy=question.weight_policy if question else 0,
            weight_community=question.weight_community if question else 0,
            critical=row["critical"] or False,
            priority=row["priority"] or 0,
            title=row["title"],
            owner=owner if owner is not None and owner.is_active else None,
            target_date=row["target_date"],
            status=row["status"],
            wont_do_reason=row["wont_do_reason"] if row["status"] == "wont_do" else "",
            done_at=(row["done_at"] or timezone.now()) if row["status"] == "done" else None,
            created_by=people.get(row["created_by"]) or creator,
        )
        for entry in row["progress"]:
            progress = PlanProgress.objects.create(
                item=item,
                author=people.get(entry["author"]),
                note=entry["note"] or "",
                status_from=entry["status_from"],
                status_to=entry["status_to"],
            )
            if entry["at"]:
                PlanProgress.objects.filter(pk=progress.pk).update(created_at=entry["at"])
        if row["created_at"]:
            PlanItem.objects.filter(pk=item.pk).update(created_at=row["created_at"])
