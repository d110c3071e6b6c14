"""Attaching, replacing and removing evidence. Each asks `agencies.access`, checks the file by
its content (not its name), records an audit event and raises ValidationError with a message
the user can act on. Files are written through the storage API and never changed afterwards."""

from __future__ import annotations

import datetime
import hashlib
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import Action, may, require
from agencies.models import Membership
from audit.models import Event
from audit.services import event_record
from questionnaires.models import Question

from .models import Evidence

# What may be attached, by content: MIME type → what the user calls it.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text (.odt)",
    "text/plain": "plain text",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
ALLOWED_TEXT = "PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG"
TITLE_MAX_LENGTH = 200
REFERENCE_MAX_LENGTH = 500
SNIFF_BYTES = 8192


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def content_type_of(head: bytes) -> str | None:
    """The MIME type the file's own bytes show (`filetype`), or text/plain for UTF-8 text with
    no control characters; None when neither."""
    guessed = filetype.guess(head)
    if guessed is not None:
        return guessed.mime
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a character: allow a cut of up to three bytes.
        try:
            text = head[:-3].decode("utf-8") if len(head) > 3 else ""
        except UnicodeDecodeError:
            return None
    if text and not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return "text/plain"
    return None


def _describe(mime: str | None) -> str:
    if mime is None:
        return "a file of a kind Readiness does not recognise"
    if mime in (
        "application/x-msdownload",
        "application/x-executable",
        "application/x-mach-binary",
    ):
        return "a program"
    return f"a {mime} file"


def check_upload(upload, *, agency_id: int) -> tuple[str, str, int]:
    """(content type, SHA-256, size) of an acceptable upload; ValidationError naming the
    problem otherwise. Reads the file once, in chunks."""
    name = upload.name or ""
    if not name.strip():
        raise ValidationError({"file": gettext("The file has no name.")})
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise ValidationError(
            {"file": gettext("The file name must not contain folders: rename it.")}
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(
            {"file": gettext("“%(name)s” is empty: choose the document itself.") % {"name": name}}
        )
    limit = settings.READINESS_EVIDENCE_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "file": gettext("“%(name)s” is %(size)s; files may be up to %(limit)s.")
                % {"name": name, "size": _megabytes(size), "limit": _megabytes(limit)}
            }
        )
    used = Evidence.objects.filter(agency_id=agency_id).aggregate(total=Sum("size"))["total"] or 0
    quota = settings.READINESS_EVIDENCE_AGENCY_QUOTA_BYTES
    if used + size > quota:
        raise ValidationError(
            {
                "file": gettext(
                    "The agency's evidence would exceed its %(quota)s limit (%(used)s used). Ask "
                    "the site administrator for more room, or attach a reference instead."
                )
                % {"quota": _megabytes(quota), "used": _megabytes(used)}
            }
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    mime = content_type_of(head)
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": gettext(
                    "“%(name)s” is %(mime)s, whatever its name says. Attach %(allowed)s."
                )
                % {"name": name, "mime": _describe(mime), "allowed": ALLOWED_TEXT}
            }
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return mime, digest.hexdigest(), size


def _check_details(title: str, document_number: str) -> tuple[str, str]:
    title, document_number = title.strip(), document_number.strip()
    if not title:
        raise ValidationError(
            {"title": gettext("Give the evidence a title, e.g. General Order 114.")}
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {
                "title": gettext("Keep the title within %(limit)s characters.")
                % {"limit": TITLE_MAX_LENGTH}
            }
        )
    if len(document_number) > 100:
        raise ValidationError(
            {"document_number": gettext("Keep the document number within 100 characters.")}
        )
    return title, document_number


def _lock_draft(assessment):
    """The assessment row, locked; evidence changes only while it is a draft."""
    locked = type(assessment).objects.select_for_update().get(pk=assessment.pk)
    if locked.status != "draft":
        raise ValidationError(
            gettext("This assessment is %(status)s: its evidence is frozen.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _record(kind: str, item: Evidence, user, ip_address, **fields) -> None:
    event_record(
        kind=kind,
        actor=user,
        agency_id=item.agency_id,
        assessment_id=item.assessment_id,
        question_id=item.question_id,
        ip_address=ip_address,
        **fields,
    )


def _payload(item: Evidence) -> dict:
    return {
        "evidence": item.pk,
        "title": item.title,
        "version": item.version,
        "name": item.original_name or item.reference,
        "sha256": item.sha256,
    }


@transaction.atomic
def evidence_attach(
    *,
    assessment,
    question: Question,
    user,
    membership: Membership,
    title: str,
    upload=None,
    reference: str = "",
    document_number: str = "",
    effective_date: datetime.date | None = None,
    replaces: Evidence | None = None,
    ip_address: str | None = None,
) -> Evidence:
    """Attach a file (`upload`) or a `reference` to the assessment's answer to `question`;
    with `replaces`, as its next version (the old one is kept, marked superseded)."""
    require(membership, Action.EVIDENCE, agency_id=assessment.agency_id)
    locked = _lock_draft(assessment)
    if question.questionnaire_id != locked.questionnaire_id:
        raise ValidationError(gettext("This question is not part of this assessment."))
    title, document_number = _check_details(title, document_number)
    reference = _check_source(upload, reference)
    previous = None
    if replaces is not None:
        previous = Evidence.objects.select_for_update().get(pk=replaces.pk)
        if (previous.assessment_id, previous.question_id) != (locked.pk, question.pk):
            raise ValidationError(gettext("A new version replaces evidence of the same answer."))
        if not previous.is_current:
            raise ValidationError(gettext("Only the current version can be replaced."))
    item = Evidence(
        agency_id=locked.agency_id,
        assessment_id=locked.pk,
        question=question,
        title=title,
        document_number=document_number,
        effective_date=effective_date,
        version=previous.version + 1 if previous else 1,
        replaces=previous,
        uploaded_by=user,
    )
    _fill(item, upload, reference)
    item.save()
    if previous is not None:
        previous.superseded_at = timezone.now()
        previous.save(update_fields=["superseded_at"])
    _record(Event.Kind.EVIDENCE_ATTACHED, item, user, ip_address, new=_payload(item))
    return item


def _check_source(upload, reference: str) -> str:
    reference = reference.strip()
    if (upload is None) == (not reference):
        raise ValidationError(
            {
                "file": gettext(
                    "Attach a file, or give a reference (a web address or where the record "
                    "is kept), not both."
                )
            }
        )
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            {
                "reference": gettext("Keep the reference within %(limit)s characters.")
                % {"limit": REFERENCE_MAX_LENGTH}
            }
        )
    return reference


def _fill(item: Evidence, upload, reference: str) -> None:
    """The file (checked, stored under a name that says nothing of it) or the reference."""
    if upload is not None:
        content_type, sha256, size = check_upload(upload, agency_id=item.agency_id)
        item.kind = Evidence.Kind.FILE
        item.original_name = upload.name[:255]
        item.content_type, item.sha256, item.size = content_type, sha256, size
        item.file.save(f"{item.agency_id}/{uuid.uuid4().hex}", File(upload), save=False)
    else:
        item.kind = Evidence.Kind.REFERENCE
        item.reference = reference


@transaction.atomic
def evidence_attach_to_plan_item(
    *,
    plan_item,
    user,
    membership: Membership,
    title: str,
    upload=None,
    reference: str = "",
    document_number: str = "",
    effective_date: datetime.date | None = None,
    ip_address: str | None = None,
) -> Evidence:
    """Evidence that a plan item was done (the signed policy, the minutes). Its owner or
    command staff attach it, whatever the item's status."""
    require(membership, Action.EVIDENCE, agency_id=plan_item.agency_id)
    if plan_item.owner_id != user.pk and not may(membership, Action.PLAN):
        raise PermissionDenied(
            gettext("Only the item's owner or command staff can attach evidence to it.")
        )
    title, document_number = _check_details(title, document_number)
    reference = _check_source(upload, reference)
    item = Evidence(
        agency_id=plan_item.agency_id,
        plan_item=plan_item,
        title=title,
        document_number=document_number,
        effective_date=effective_date,
        uploaded_by=user,
    )
    _fill(item, upload, reference)
    item.save()
    _record(Event.Kind.EVIDENCE_ATTACHED, item, user, ip_address, new=_payload(item))
    return item


@transaction.atomic
def evidence_remove(
    *, item: Evidence, user, membership: Membership, ip_address: str | None = None
) -> Evidence:
    """Mark the evidence removed: it leaves the answer's list, the file stays stored (and in the
    audit trail: who, when, name and hash)."""
    require(membership, Action.EVIDENCE, agency_id=item.agency_id)
    if item.uploaded_by_id != user.pk and not may(membership, Action.APPROVE):
        raise PermissionDenied(
            gettext("Only who attached it, or command staff, can remove evidence.")
        )
    if item.assessment_id is not None:
        _lock_draft(item.assessment)
    locked = Evidence.objects.select_for_update().get(pk=item.pk)
    if locked.removed_at is not None:
        return locked
    locked.removed_at = timezone.now()
    locked.removed_by = user
    locked.save(update_fields=["removed_at", "removed_by"])
    _record(Event.Kind.EVIDENCE_REMOVED, locked, user, ip_address, old=_payload(locked))
    return locked


def evidence_carry(*, source, target) -> int:
    """Give a new revision the current evidence of the one it was reopened from: new rows on
    the same stored files (which never change). Returns how many. Two queries."""
    items = Evidence.objects.filter(
        assessment_id=source.pk, removed_at__isnull=True, superseded_at__isnull=True
    )
    copies = [
        Evidence(
            agency_id=item.agency_id,
            assessment_id=target.pk,
            question_id=item.question_id,
            kind=item.kind,
            title=item.title,
            document_number=item.document_number,
            effective_date=item.effective_date,
            file=item.file.name,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            reference=item.reference,
            uploaded_by_id=item.uploaded_by_id,
        )
        for item in items
    ]
    Evidence.objects.bulk_create(copies)
    return len(copies)
