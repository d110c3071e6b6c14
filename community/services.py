"""Writes: publishing and unpublishing the community summary, and keeping its rendered PDFs."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import Action, require
from agencies.models import Membership
from assessments.models import Assessment
from audit.models import Event
from audit.services import event_record

from .content import summary_content
from .models import STATEMENT_MAX_LENGTH, CommunitySummary, SummaryPdf, SummaryVersion

SLUG_BYTES = 18  # 24 URL-safe characters, 144 random bits


class SummaryError(Exception):
    """An action the assessment's state does not allow; the message says why."""


def _statement(value: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > STATEMENT_MAX_LENGTH:
        raise ValidationError(
            gettext("The %(label)s statement is %(count)s characters; keep it within %(limit)s.")
            % {"label": label, "count": len(value), "limit": STATEMENT_MAX_LENGTH}
        )
    return value


@transaction.atomic
def summary_publish(
    *,
    assessment: Assessment,
    user,
    membership: Membership,
    statement_en: str = "",
    statement_es: str = "",
    ip_address: str | None = None,
) -> SummaryVersion:
    """Publish a new version of the assessment's community summary: the content generated now,
    frozen, with the statements. The live version (if any) ends; the public address stays the
    same (made on the first publish). Command staff of the agency, approved assessments only."""
    require(membership, Action.PUBLISH, agency_id=assessment.agency_id)
    if assessment.status != Assessment.Status.APPROVED:
        raise SummaryError(gettext("Only an approved assessment can have a public summary."))
    statement_en = _statement(statement_en, "English")
    statement_es = _statement(statement_es, "Spanish")
    if statement_es and not statement_en:
        raise ValidationError(
            gettext("Give the statement in English too: the English page shows it.")
        )
    summary = _summary_for_update(assessment)
    now = timezone.now()
    live = summary.versions.filter(ended_at__isnull=True).first()
    if live is not None:
        live.ended_at, live.ended_by = now, user
        live.save(update_fields=["ended_at", "ended_by"])
        SummaryPdf.objects.filter(version=live).delete()  # never served again
    number = (summary.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = SummaryVersion.objects.create(
        summary=summary,
        number=number,
        statement_en=statement_en,
        statement_es=statement_es,
        content=summary_content(assessment),
        published_by=user,
        published_at=now,
    )
    event_record(
        kind=Event.Kind.SUMMARY_PUBLISHED,
        actor=user,
        assessment=assessment,
        ip_address=ip_address,
        new={"version": number, **({"replaced": live.number} if live else {})},
        comment="\n".join(s for s in (statement_en, statement_es) if s),
    )
    return version


def _summary_for_update(assessment: Assessment) -> CommunitySummary:
    """The assessment's summary row, locked; made with a fresh random address if none."""
    summary = CommunitySummary.objects.select_for_update().filter(assessment=assessment).first()
    if summary is not None:
        return summary
    try:
        with transaction.atomic():
            return CommunitySummary.objects.create(
                assessment=assessment, slug=secrets.token_urlsafe(SLUG_BYTES)
            )
    except IntegrityError:  # another publish made it first
        return CommunitySummary.objects.select_for_update().get(assessment=assessment)


@transaction.atomic
def summary_unpublish(
    *, assessment: Assessment, user, membership: Membership, ip_address: str | None = None
) -> SummaryVersion:
    """End the live version: the public address answers 404 until the next publish."""
    require(membership, Action.PUBLISH, agency_id=assessment.agency_id)
    live = (
        SummaryVersion.objects.select_for_update()
        .filter(summary__assessment=assessment, ended_at__isnull=True)
        .first()
    )
    if live is None:
        raise SummaryError(gettext("The summary is not published."))
    live.ended_at, live.ended_by = timezone.now(), user
    live.save(update_fields=["ended_at", "ended_by"])
    SummaryPdf.objects.filter(version=live).delete()
    event_record(
        kind=Event.Kind.SUMMARY_UNPUBLISHED,
        actor=user,
        assessment=assessment,
        ip_address=ip_address,
        old={"version": live.number},
    )
    return live


def summary_pdf_keep(*, version: SummaryVersion, language: str, letterhead: str, pdf: bytes):
    """Keep a rendered PDF of a live version (a render at the same time wins or loses: both are
    the same document)."""
    SummaryPdf.objects.update_or_create(
        version=version, language=language, defaults={"letterhead": letterhead, "pdf": pdf}
    )
