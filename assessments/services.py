"""Writes: every change to an assessment goes through these functions.

Each is atomic, asks `agencies.access` whether the member may act (PermissionDenied if not),
enforces the workflow rules, records its audit event through `audit.services` with the client
address it is given, and raises a `ValidationError` (or `WorkflowError`) with a message the user
can act on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import Action, may, membership_or_none, require
from agencies.models import Agency, Membership, person_name
from audit.models import Event
from audit.services import event_build, event_record, events_record
from evidence.services import evidence_carry
from fastquery import PreparedQuery
from notifications.models import Kind as NewsKind
from notifications.services import News, notify
from questionnaires.models import AnswerType, Phase, Question, QuestionnaireVersion
from questionnaires.selectors import questionnaire_layout

from . import scoring
from .models import Answer, Assessment, Comment, ScoreSnapshot
from .signals import assessment_approved

NOTE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 1000
TEXT_ANSWER_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 200


class WorkflowError(Exception):
    """An action that the assessment's status does not allow."""


class AssessmentIncomplete(WorkflowError):
    """Submitting refused: `missing` lists the applicable questions without an answer, in
    questionnaire order, with their sections."""

    def __init__(self, missing: list[Question]) -> None:
        self.missing = missing
        codes = ", ".join(q.code for q in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        super().__init__(
            f"{len(missing)} question(s) still need an answer before submitting: {codes}{more}."
        )


class AnswersInvalid(ValidationError):
    """Posted answers that cannot be saved; `by_question` maps question id to field messages."""

    def __init__(self, by_question: dict[int, dict[str, str]]) -> None:
        self.by_question = by_question
        super().__init__([m for fields in by_question.values() for m in fields.values()])


@dataclass(frozen=True)
class AnswerInput:
    """What a user posted for one question.

    `base_version` is the answer version the user's page showed (0: no answer yet) and
    `base_digest` the digest of the values it showed; together they tell an edit made on stale
    data from a question the user did not touch.
    """

    question_id: int
    value: str = ""
    not_applicable: bool = False
    na_reason: str = ""
    note: str = ""
    flagged: bool = False
    base_version: int = 0
    base_digest: str = ""

    @property
    def content(self) -> dict:
        return {
            "value": self.value,
            "not_applicable": self.not_applicable,
            "na_reason": self.na_reason,
            "note": self.note,
            "flagged": self.flagged,
        }


@dataclass(frozen=True)
class Conflict:
    question: Question
    mine: AnswerInput
    stored: Answer


@dataclass
class SaveResult:
    saved: list[Answer] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def answer_content(answer: Answer | None) -> dict:
    if answer is None:
        return {"value": "", "not_applicable": False, "na_reason": "", "note": "", "flagged": False}
    return {
        "value": answer.value,
        "not_applicable": answer.not_applicable,
        "na_reason": answer.na_reason,
        "note": answer.note,
        "flagged": answer.flagged,
    }


def content_digest(content: dict) -> str:
    """A short fingerprint of an answer's values, carried by the form to spot untouched rows."""
    text = "\x1f".join(str(content[key]) for key in sorted(content))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _record(*, assessment: Assessment, user, kind: str, ip_address: str | None, **fields) -> Event:
    return event_record(
        kind=kind, assessment=assessment, actor=user, ip_address=ip_address, **fields
    )


def _require(user, action: Action, assessment: Assessment, membership=None) -> Membership:
    """The acting member, if `access` lets them do `action` to this agency's assessment."""
    membership = membership or membership_or_none(user)
    require(membership, action, agency_id=assessment.agency_id)
    return membership


def latest_published_questionnaire() -> QuestionnaireVersion:
    questionnaire = (
        QuestionnaireVersion.objects.filter(published=True).order_by("-version", "-id").first()
    )
    if questionnaire is None:
        raise WorkflowError(
            gettext(
                "No published questionnaire is loaded. An administrator must run "
                "`manage.py load_questionnaire` first."
            )
        )
    return questionnaire


@transaction.atomic
def assessment_start(
    *,
    agency: Agency,
    user,
    membership: Membership,
    title: str,
    models: Iterable[str],
    phase: str = Phase.PREPARING,
    carry_from: Assessment | None = None,
    questionnaire: QuestionnaireVersion | None = None,
    ip_address: str | None = None,
) -> Assessment:
    """Start a draft on the newest published questionnaire (or `questionnaire`, for data
    brought from elsewhere, such as the demo's earlier year). With `carry_from` (an earlier
    assessment of the same agency), copy the answers whose questions carry over: the same
    question on the same version, or one the new version's carry-over table maps to."""
    require(membership, Action.START, agency_id=agency.pk)
    title = title.strip()
    models = set(models)
    if not title:
        raise ValidationError(
            {"title": gettext("Give the assessment a title, e.g. 2027 readiness review.")}
        )
    if not models:
        raise ValidationError(
            {"models": gettext("Choose at least one 287(g) model: JEM, TFM or WSO.")}
        )
    unknown = models - scoring.MODELS
    if unknown:
        raise ValidationError(
            {
                "models": gettext("Unknown model %(unknown)s.")
                % {"unknown": ", ".join(sorted(unknown))}
            }
        )
    if phase not in Phase.values:
        raise ValidationError({"phase": gettext("Choose how far along the agency is.")})
    if carry_from is not None and carry_from.agency_id != agency.pk:
        raise ValidationError({"carry_from": gettext("Choose one of this agency's assessments.")})
    assessment = Assessment.objects.create(
        agency=agency,
        questionnaire=questionnaire or latest_published_questionnaire(),
        title=title[:TITLE_MAX_LENGTH],
        considers_jem="JEM" in models,
        considers_tfm="TFM" in models,
        considers_wso="WSO" in models,
        phase=phase,
        carried_from=carry_from,
        created_by=user,
    )
    new = {"title": assessment.title, "models": sorted(models), "phase": phase}
    if carry_from is not None:
        _answers_carry_over(source=carry_from, target=assessment)
        new["carried_from"] = carry_from.pk
    _record(
        assessment=assessment,
        user=user,
        kind=Event.Kind.ASSESSMENT_STARTED,
        new=new,
        ip_address=ip_address,
    )
    return assessment


def _answers_carry_over(*, source: Assessment, target: Assessment) -> None:
    """Copy the carried-over answers into the new draft; acknowledgements do not carry."""
    codes = target.questionnaire.codes_carried_from(source.questionnaire)
    wanted = {q.code: q for q in target.applicable_questions()}
    Answer.objects.bulk_create(
        Answer(
            assessment=target,
            question=wanted[codes[answer.question.code]],
            **answer_content(answer),
            updated_by_id=answer.updated_by_id,
        )
        for answer in source.answers.select_related("question")
        if codes.get(answer.question.code) in wanted
    )


CHOICE_VALUES = tuple(scoring.CHOICE_CREDIT)


def typed_length(text: str) -> int:
    """The length a browser counts against a textarea's maxlength: it counts a line break as one
    character but sends it as CRLF, so a text the page allowed must not be refused here."""
    return len(text.replace("\r\n", "\n"))


def validate_answer(question: Question, data: AnswerInput) -> dict[str, str]:
    """Problems with one posted answer, by field name; empty when it can be saved."""
    errors: dict[str, str] = {}
    code = question.code
    if data.not_applicable:
        if not data.na_reason.strip():
            errors["na_reason"] = gettext("Question %(code)s: say why it is not applicable.") % {
                "code": code
            }
        if data.value:
            errors["value"] = gettext(
                "Question %(code)s: an answer cannot be both a value and N/A."
            ) % {"code": code}
    elif data.value:
        if question.answer_type == AnswerType.CHOICE and data.value not in CHOICE_VALUES:
            errors["value"] = gettext(
                "Question %(code)s: choose Yes, Partial, No or Not applicable."
            ) % {"code": code}
        elif question.answer_type == AnswerType.SCALE and data.value not in scoring.SCALE_VALUES:
            errors["value"] = gettext(
                "Question %(code)s: choose a level from 0 to 4 or Not applicable."
            ) % {"code": code}
        elif question.answer_type == AnswerType.NUMBER:
            try:
                number = Decimal(data.value)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number < 0:
                errors["value"] = gettext(
                    "Question %(code)s: enter a number of 0 or more, e.g. 1200."
                ) % {"code": code}
            elif abs(number) >= Decimal("1e10"):
                errors["value"] = gettext(
                    "Question %(code)s: enter a number below 10,000,000,000."
                ) % {"code": code}
        elif (
            question.answer_type == AnswerType.TEXT
            and typed_length(data.value) > TEXT_ANSWER_MAX_LENGTH
        ):
            errors["value"] = gettext(
                "Question %(code)s: keep the answer within %(limit)s characters "
                "(it has %(length)s)."
            ) % {
                "code": code,
                "limit": TEXT_ANSWER_MAX_LENGTH,
                "length": typed_length(data.value),
            }
    if typed_length(data.note) > NOTE_MAX_LENGTH:
        errors["note"] = gettext(
            "Question %(code)s: keep the note within %(limit)s characters (it has %(length)s)."
        ) % {"code": code, "limit": NOTE_MAX_LENGTH, "length": typed_length(data.note)}
    if typed_length(data.na_reason) > REASON_MAX_LENGTH:
        errors["na_reason"] = gettext(
            "Question %(code)s: keep the reason within %(limit)s characters (it has %(length)s)."
        ) % {
            "code": code,
            "limit": REASON_MAX_LENGTH,
            "length": typed_length(data.na_reason),
        }
    for name, text in data.content.items():
        if isinstance(text, str) and "\x00" in text:
            errors[name] = gettext(
                "Question %(code)s: the text contains a NUL character; remove it."
            ) % {"code": code}
    return errors


# Up to this many changed answers are written one UPDATE each, more in one bulk UPDATE: a save
# stays within a fixed number of queries whatever the number of questions.
FEW_CHANGES = 2

LOCKED_ASSESSMENT = PreparedQuery(lambda pk: Assessment.objects.select_for_update().filter(pk=pk))


def _lock_for_edit(assessment: Assessment) -> Assessment:
    """Lock the assessment row so saves and status changes happen one after the other."""
    locked = LOCKED_ASSESSMENT.first(assessment.pk)
    if locked is None:
        raise Assessment.DoesNotExist(f"Assessment {assessment.pk} no longer exists.")
    # The state-law profile that decides which questions are asked: the caller's, read once.
    locked.agency = assessment.agency
    locked.questionnaire = assessment.questionnaire
    locked._state_law = assessment.state_law
    if not locked.is_editable:
        raise WorkflowError(
            gettext("This assessment is %(status)s: its answers can no longer be changed.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def answers_save(
    *,
    assessment: Assessment,
    user,
    data: Sequence[AnswerInput],
    force: bool = False,
    ip_address: str | None = None,
) -> SaveResult:
    """Save a section's posted answers. A fixed number of queries plus one write per change.

    An answer changed by someone else since the user's page was loaded is not overwritten: it is
    returned as a conflict, unless `force` (the user saw both values and chose theirs).
    Raises AnswersInvalid when any answer is invalid; then nothing is saved.
    """
    _require(user, Action.ANSWER, assessment)
    locked = _lock_for_edit(assessment)
    question_ids = [item.question_id for item in data]
    wanted = set(question_ids)
    questions = {
        q.pk: q
        for q in questionnaire_layout(locked.questionnaire).questions
        if q.pk in wanted and locked.asks(q)
    }
    errors = {}
    for item in data:
        question = questions.get(item.question_id)
        if question is None:
            errors[item.question_id] = {
                "value": gettext("This question is not part of this assessment.")
            }
            continue
        problems = validate_answer(question, item)
        if problems:
            errors[item.question_id] = problems
    if errors:
        raise AnswersInvalid(errors)
    # Lock the answers only: Answer's default ordering joins Question, and a plain FOR UPDATE
    # would lock those rows too, shared by every agency's assessments (deadlocks under load).
    stored = {
        a.question_id: a
        for a in Answer.objects.select_for_update(of=("self",))
        .filter(assessment=locked, question_id__in=question_ids)
        .order_by("pk")
    }
    result = SaveResult()
    now = timezone.now()
    to_create, to_update, events = [], [], []
    for item in data:
        question = questions[item.question_id]
        answer = stored.get(item.question_id)
        old = answer_content(answer)
        new = item.content
        if new == old:
            continue
        current_version = answer.version if answer else 0
        # Only a stored answer can be overwritten; a page claiming a version of an answer that
        # does not exist (a pasted or forged form) has nothing to conflict with.
        if answer is not None and item.base_version != current_version and not force:
            if item.base_digest and content_digest(new) == item.base_digest:
                continue  # The user did not touch this question; keep the newer stored answer.
            result.conflicts.append(Conflict(question=question, mine=item, stored=answer))
            continue
        if answer is None:
            if new == answer_content(None):
                continue
            answer = Answer(assessment=locked, question=question, version=1)
            to_create.append(answer)
        else:
            answer.version = current_version + 1
            to_update.append(answer)
        for name, value in new.items():
            setattr(answer, name, value)
        if _acknowledged_content(old) != _acknowledged_content(new):
            answer.na_acknowledged_by = None
            answer.na_acknowledged_at = None
        answer.updated_by = user
        answer.updated_at = now
        result.saved.append(answer)
        events.append(
            event_build(
                kind=Event.Kind.ANSWER_CHANGED,
                assessment=locked,
                actor=user,
                question=question,
                old=old,
                new=new,
                ip_address=ip_address,
            )
        )
    Answer.objects.bulk_create(to_create)
    changed_fields = [
        *answer_content(None),
        "version",
        "updated_by",
        "updated_at",
        "na_acknowledged_by",
        "na_acknowledged_at",
    ]
    if len(to_update) <= FEW_CHANGES:
        # A plain UPDATE each: far cheaper to build than bulk_update's CASE per column.
        for answer in to_update:
            answer.save(update_fields=changed_fields)
    else:
        Answer.objects.bulk_update(to_update, changed_fields)
    events_record(events)
    if result.saved:
        Assessment.objects.filter(pk=locked.pk).update(updated_at=now)
    return result


def _acknowledged_content(content: dict) -> tuple:
    """What command staff accept when they acknowledge a critical N/A: the mark and its reason."""
    return (content["not_applicable"], content["na_reason"], content["value"])


@transaction.atomic
def not_applicable_acknowledge(
    *,
    assessment: Assessment,
    user,
    membership: Membership,
    question_id: int,
    ip_address: str | None = None,
) -> Answer:
    """Command staff accept a critical question's Not applicable and its reason, so it leaves
    the scores (until then it counts as No). Changing the answer withdraws the acknowledgement."""
    _require(user, Action.APPROVE, assessment, membership)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == Assessment.Status.APPROVED:
        raise WorkflowError(
            gettext("This assessment is approved: its answers can no longer change.")
        )
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question")
        .filter(assessment=locked, question_id=question_id)
        .first()
    )
    if answer is None or not answer.not_applicable or not answer.question.critical:
        raise WorkflowError(gettext("Only a critical question marked Not applicable needs this."))
    if answer.na_acknowledged_by_id is None:
        answer.na_acknowledged_by = user
        answer.na_acknowledged_at = timezone.now()
        answer.save(update_fields=["na_acknowledged_by", "na_acknowledged_at"])
        _record(
            assessment=locked,
            user=user,
            kind=Event.Kind.NA_ACKNOWLEDGED,
            question=answer.question,
            new={"reason": answer.na_reason},
            ip_address=ip_address,
        )
    return answer


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user, ip_address: str | None = None) -> Assessment:
    """Send a complete draft for review. The completeness rule lives here: an incomplete draft
    is refused with `AssessmentIncomplete`, which lists the questions still unanswered."""
    from .selectors import unanswered_questions

    _require(user, Action.SUBMIT, assessment)
    locked = _lock_for_edit(assessment)
    missing = unanswered_questions(locked)
    if missing:
        raise AssessmentIncomplete(missing)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = timezone.now()
    locked.returned_at = None
    locked.save(
        update_fields=["status", "submitted_by", "submitted_at", "returned_at", "updated_at"]
    )
    _record(
        assessment=locked,
        user=user,
        kind=Event.Kind.SUBMITTED,
        old={"status": Assessment.Status.DRAFT},
        new={"status": Assessment.Status.SUBMITTED},
        ip_address=ip_address,
    )
    from .selectors import command_staff

    notify(
        recipients=command_staff(locked.agency_id),
        actor=user,
        news=News(
            kind=NewsKind.SUBMITTED,
            subject=gettext("Awaiting your review: %(assessment)s")
            % {"assessment": _named(locked)},
            summary=gettext("%(person)s submitted %(assessment)s for review.")
            % {"person": person_name(user), "assessment": _named(locked)},
            url=reverse("assessment", args=[locked.pk]),
        ),
    )
    return locked


def _named(assessment: Assessment) -> str:
    return gettext("“%(title)s” (rev. %(revision)s)") % {
        "title": assessment.title,
        "revision": assessment.revision,
    }


def _lock_submitted(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != Assessment.Status.SUBMITTED:
        raise WorkflowError(
            gettext("This assessment is %(status)s, not submitted for review.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def assessment_approve(
    *,
    assessment: Assessment,
    user,
    membership: Membership,
    attested: bool,
    flags_confirmed: bool = False,
    ip_address: str | None = None,
) -> Assessment:
    """Lock the assessment, record the approver and the statement they confirmed
    (`READINESS_APPROVAL_STATEMENT`), clear the "marked for review" flags (which the approver
    must confirm when there are any) and freeze the scores as a snapshot."""
    from .selectors import assessment_live_result, assessment_workers

    _require(user, Action.APPROVE, assessment, membership)
    locked = _lock_submitted(assessment)
    flagged = Answer.objects.filter(assessment_id=locked.pk, flagged=True)
    flag_count = flagged.count()
    problems = {}
    if not attested:
        problems["attest"] = "Confirm the statement to approve."
    if flag_count and not flags_confirmed:
        problems["confirm_flags"] = (
            f"{flag_count} question{'s are' if flag_count != 1 else ' is'} still marked for "
            "review: confirm the answers as they stand (the flags are then cleared), or return "
            "the assessment so the preparers can settle them."
        )
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    if flag_count:
        flagged.update(flagged=False)
        locked.__dict__.pop("_answers", None)
    result = assessment_live_result(locked)
    locked.status = Assessment.Status.APPROVED
    locked.approved_by = user
    locked.approved_at = now
    locked.attestation = settings.READINESS_APPROVAL_STATEMENT
    # The profile it was scored with: a later version of the state-law file does not change it.
    locked.state_profile = locked.state_law
    locked.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "attestation",
            "state_profile",
            "updated_at",
        ]
    )
    ScoreSnapshot.objects.create(assessment=locked, result=result.to_dict())
    _record(
        assessment=locked,
        user=user,
        kind=Event.Kind.APPROVED,
        old={"status": Assessment.Status.SUBMITTED},
        new={
            "status": Assessment.Status.APPROVED,
            "attestation": locked.attestation,
            "flags_cleared": flag_count,
        },
        ip_address=ip_address,
    )
    notify(
        recipients=assessment_workers(locked),
        actor=user,
        news=News(
            kind=NewsKind.APPROVED,
            subject=gettext("Approved: %(assessment)s") % {"assessment": _named(locked)},
            summary=gettext("%(person)s approved %(assessment)s.")
            % {"person": person_name(user), "assessment": _named(locked)},
            url=reverse("assessment", args=[locked.pk]),
        ),
    )
    transaction.on_commit(
        lambda: assessment_approved.send(sender=Assessment, assessment=locked), robust=True
    )
    return locked


@transaction.atomic
def assessment_return(
    *,
    assessment: Assessment,
    user,
    membership: Membership,
    comment: str,
    ip_address: str | None = None,
) -> Assessment:
    """Send a submitted assessment back to draft with a comment for the preparers."""
    _require(user, Action.RETURN, assessment, membership)
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            {"comment": gettext("Say what must change before it can be approved.")}
        )
    if len(comment) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": gettext("Keep the comment within %(limit)s characters.")
                % {"limit": NOTE_MAX_LENGTH}
            }
        )
    locked = _lock_submitted(assessment)
    locked.status = Assessment.Status.DRAFT
    locked.returned_by = user
    locked.returned_at = timezone.now()
    locked.return_comment = comment
    locked.save(
        update_fields=["status", "returned_by", "returned_at", "return_comment", "updated_at"]
    )
    _record(
        assessment=locked,
        user=user,
        kind=Event.Kind.RETURNED,
        comment=comment,
        old={"status": Assessment.Status.SUBMITTED},
        new={"status": Assessment.Status.DRAFT},
        ip_address=ip_address,
    )
    from .selectors import assessment_workers

    notify(
        recipients=assessment_workers(locked),
        actor=user,
        news=News(
            kind=NewsKind.RETURNED,
            subject=gettext("Returned for changes: %(assessment)s")
            % {"assessment": _named(locked)},
            summary=gettext("%(person)s returned %(assessment)s for changes.")
            % {"person": person_name(user), "assessment": _named(locked)},
            detail=comment,
            url=reverse("assessment", args=[locked.pk]),
        ),
    )
    return locked


@transaction.atomic
def assessment_reopen(
    *, assessment: Assessment, user, membership: Membership, ip_address: str | None = None
) -> Assessment:
    """Start a new draft revision from an approved assessment's answers; the approved one stays."""
    _require(user, Action.REOPEN, assessment, membership)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != Assessment.Status.APPROVED:
        raise WorkflowError(
            gettext("Only an approved assessment can be reopened as a new revision.")
        )
    if Assessment.objects.filter(reopened_from=locked).exists():
        raise WorkflowError(
            gettext("This revision has already been reopened; work on the newer one.")
        )
    revision = Assessment.objects.create(
        agency_id=locked.agency_id,
        questionnaire_id=locked.questionnaire_id,
        title=locked.title,
        considers_jem=locked.considers_jem,
        considers_tfm=locked.considers_tfm,
        considers_wso=locked.considers_wso,
        phase=locked.phase,
        revision=locked.revision + 1,
        reopened_from=locked,
        created_by=user,
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=revision,
            question_id=answer.question_id,
            **answer_content(answer),
            updated_by_id=answer.updated_by_id,
            na_acknowledged_by_id=answer.na_acknowledged_by_id,
            na_acknowledged_at=answer.na_acknowledged_at,
        )
        for answer in locked.answers.all()
    )
    evidence_carry(source=locked, target=revision)
    _record(
        assessment=revision,
        user=user,
        kind=Event.Kind.REOPENED,
        old={"revision": locked.revision, "assessment": locked.pk},
        new={"revision": revision.revision, "status": Assessment.Status.DRAFT},
        ip_address=ip_address,
    )
    return revision


COMMENT_MAX_LENGTH = 2000


def _comment_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write the comment before posting it.")})
    if typed_length(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": gettext("Keep a comment within %(limit)s characters; split a longer one.")
                % {"limit": COMMENT_MAX_LENGTH}
            }
        )
    return body


def _lock_open_for_comments(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == Assessment.Status.APPROVED:
        raise WorkflowError(
            gettext(
                "This assessment is approved: it is the agency's record and takes no more "
                "comments. "
                "Reopen it as a new revision to discuss a change."
            )
        )
    return locked


@transaction.atomic
def comment_add(
    *,
    assessment: Assessment,
    question: Question,
    user,
    membership: Membership | None = None,
    body: str,
    reply_to: Comment | None = None,
    ip_address: str | None = None,
) -> Comment:
    """Comment on a question of a draft or submitted assessment (command staff), or reply to a
    comment (any member). A reply to a resolved thread opens it again. Never changes an answer;
    tells the other side."""
    from .selectors import assessment_workers, command_staff

    membership = _require(
        user, Action.REPLY if reply_to else Action.COMMENT, assessment, membership
    )
    body = _comment_body(body)
    locked = _lock_open_for_comments(assessment)
    if not locked.asks(question):
        raise WorkflowError(
            gettext("Question %(code)s is not asked in this assessment.") % {"code": question.code}
        )
    if reply_to is not None and (
        reply_to.assessment_id != locked.pk
        or reply_to.question_id != question.pk
        or reply_to.reply_to_id is not None
    ):
        raise WorkflowError(gettext("Reply to a comment on this question."))
    comment = Comment.objects.create(
        assessment=locked, question=question, reply_to=reply_to, author=user, body=body
    )
    if reply_to is not None:
        Comment.objects.filter(pk=reply_to.pk, resolved_at__isnull=False).update(
            resolved_by=None, resolved_at=None
        )
    _record(
        assessment=locked,
        user=user,
        kind=Event.Kind.QUESTION_COMMENTED,
        question=question,
        comment=body,
        new={"comment": comment.pk, **({"reply_to": reply_to.pk} if reply_to else {})},
        ip_address=ip_address,
    )
    # The other side: command staff hear from preparers; preparers who answered or submitted
    # hear from command staff; everyone already in the thread hears of a reply.
    if may(membership, Action.COMMENT):
        recipients = list(assessment_workers(locked))
    else:
        recipients = command_staff(locked.agency_id)
    if reply_to is not None:
        recipients.append(reply_to.author)
        recipients += [c.author for c in reply_to.replies.select_related("author")]
    notify(
        recipients=recipients,
        actor=user,
        news=News(
            kind=NewsKind.COMMENT,
            subject=gettext("Comment on %(code)s: %(assessment)s")
            % {"code": question.code, "assessment": _named(locked)},
            summary=gettext("%(person)s commented on %(code)s of %(assessment)s.")
            % {"person": person_name(user), "code": question.code, "assessment": _named(locked)},
            detail=body,
            url=reverse("question_comments", args=[locked.pk, question.pk]),
        ),
    )
    return comment


@transaction.atomic
def comment_resolve(
    *, comment: Comment, user, membership: Membership | None = None, ip_address: str | None = None
) -> Comment:
    """Mark a comment thread resolved (any member of the agency)."""
    _require(user, Action.REPLY, comment.assessment, membership)
    locked = _lock_open_for_comments(comment.assessment)
    if comment.reply_to_id is not None:
        raise WorkflowError(gettext("Resolve the comment this reply answers."))
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if current.resolved_at is not None:
        raise WorkflowError(gettext("This comment is already resolved."))
    current.resolved_by = user
    current.resolved_at = timezone.now()
    current.save(update_fields=["resolved_by", "resolved_at"])
    _record(
        assessment=locked,
        user=user,
        kind=Event.Kind.COMMENT_RESOLVED,
        question=current.question,
        new={"comment": current.pk},
        ip_address=ip_address,
    )
    return current


DOWNLOAD_KINDS = frozenset(
    {
        Event.Kind.REPORT_DOWNLOADED,
        Event.Kind.EXPORT_DOWNLOADED,
        Event.Kind.ANSWERS_CSV_DOWNLOADED,
    }
)


def download_record(*, assessment: Assessment, user, kind: str, ip_address: str | None) -> Event:
    """Record that `user` downloaded the report, the JSON export or the answers CSV of the
    assessment as it stood (revision and status). One query."""
    if kind not in DOWNLOAD_KINDS:
        raise ValueError(f"{kind!r} is not a download.")
    return _record(
        assessment=assessment,
        user=user,
        kind=kind,
        new={"revision": assessment.revision, "status": assessment.status},
        ip_address=ip_address,
    )


def plan_from_actions(
    *,
    assessment: Assessment,
    user,
    membership: Membership,
    codes: Iterable[str],
    ip_address: str | None = None,
):
    """Turn the chosen lines (`codes`) of the assessment's action list into plan items, in the
    list's order (critical first, then the larger gain). Items already in the plan are skipped
    and named in the outcome."""
    from plans import services as plan_services

    from .selectors import assessment_result

    require(membership, Action.PLAN, agency_id=assessment.agency_id)
    wanted = set(codes)
    result = assessment_result(assessment)
    questions = {
        q.code: q for q in Question.objects.filter(questionnaire_id=assessment.questionnaire_id)
    }
    specs = [
        plan_services.ActionSpec(
            question_id=questions[action.code].pk,
            question_code=action.code,
            section_code=action.section_code,
            title=action.recommendation,
            critical=action.critical,
            gain=Decimal(action.gain.numerator) / Decimal(action.gain.denominator),
            priority=rank,
            weight_capacity=questions[action.code].weight_capacity,
            weight_policy=questions[action.code].weight_policy,
            weight_community=questions[action.code].weight_community,
        )
        for rank, action in enumerate(result.actions, start=1)
        if action.code in wanted and action.code in questions
    ]
    return plan_services.items_create_from_actions(
        agency=assessment.agency,
        assessment=assessment,
        actions=specs,
        user=user,
        membership=membership,
        ip_address=ip_address,
    )
