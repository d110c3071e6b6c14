"""The report of an assessment: rendered once per unchanged revision, then served from the cache."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from assessments import scoring, selectors
from assessments.models import Assessment
from evidence.selectors import evidence_version
from plans.selectors import plan_version

from . import pdf
from .context import report_context
from .models import CachedReport

# Bump when the template, the stylesheet or the context changes what a report shows, so
# reports cached by the previous code are rendered again.
REPORT_VERSION = "4"
TEMPLATE = "reports/report.html"


@dataclass(frozen=True)
class Report:
    pdf: bytes
    filename: str
    from_cache: bool


def report_fingerprint(assessment: Assessment) -> str:
    """Changes whenever the report's content may change. At most five queries (the snapshot,
    the state-law profile, the plan's and the evidence's last change, the comparison's baseline).

    `updated_at` moves on every answer save and every status change (the services bump it),
    so answers need not be read here. A new state-law profile changes a draft's report, and a
    deadline's days left change with the date.
    """
    snapshot = getattr(assessment, "snapshot", None)
    law = assessment.state_law
    parts = (
        REPORT_VERSION,
        scoring.METHOD_VERSION,
        assessment.pk,
        assessment.status,
        assessment.revision,
        assessment.updated_at.isoformat(),
        snapshot.created_at.isoformat() if snapshot else "no snapshot",
        assessment.agency.name,
        assessment.title,
        law.pk if law else "no state law",
        timezone.localdate() if law and law.deadline else "",
        # The plan table and the comparison page follow the plan and the last approval.
        plan_version(assessment.agency_id),
        evidence_version(assessment.pk),
        getattr(selectors.comparison_baseline(assessment), "pk", "no baseline"),
    )
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def report_filename(assessment: Assessment) -> str:
    """`example-county-sheriffs-office-readiness-2027-01-15.pdf`: the approval date, or today."""
    when = assessment.approved_at if assessment.status == Assessment.Status.APPROVED else None
    day = timezone.localdate(when) if when else timezone.localdate()
    agency = slugify(assessment.agency.name) or "agency"
    return f"{agency}-readiness-{day:%Y-%m-%d}.pdf"


def report_render(assessment: Assessment) -> bytes:
    """Build the context, render the template, make the PDF. About a second; no cache."""
    html = render_to_string(TEMPLATE, report_context(assessment))
    return pdf.render_pdf(html)


def report_for(*, assessment: Assessment, user=None) -> Report:
    """The assessment's report, from the cache when its revision has not changed.

    The PDF holds nothing specific to `user`, so every member of the agency shares one
    rendering. A render that raises stores nothing.
    """
    fingerprint = report_fingerprint(assessment)
    filename = report_filename(assessment)
    cached = (
        CachedReport.objects.filter(assessment=assessment, fingerprint=fingerprint)
        .values_list("pdf", flat=True)
        .first()
    )
    if cached is not None:
        return Report(pdf=bytes(cached), filename=filename, from_cache=True)
    data = report_render(assessment)
    _cache_store(assessment=assessment, fingerprint=fingerprint, data=data)
    return Report(pdf=data, filename=filename, from_cache=False)


def _cache_store(*, assessment: Assessment, fingerprint: str, data: bytes) -> None:
    """Keep `data` as the assessment's only cached report.

    Two servers may render the same revision at once: the second insert fails on the unique
    constraint and is dropped, both PDFs being the same report.
    """
    try:
        with transaction.atomic():
            CachedReport.objects.create(assessment=assessment, fingerprint=fingerprint, pdf=data)
    except IntegrityError:
        return
    CachedReport.objects.filter(assessment=assessment).exclude(fingerprint=fingerprint).delete()
