"""The report of an assessment: rendered once per unchanged revision, then served from the cache."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from assessments import scoring, selectors
from assessments.models import Assessment
from evidence.selectors import evidence_version
from plans.selectors import plan_version

from . import pdf
from .context import report_context
from .models import CachedReport, ReportRender

logger = logging.getLogger(__name__)

# Bump when the template, the stylesheet or the context changes what a report shows, so
# reports cached by the previous code are rendered again.
REPORT_VERSION = "5"
TEMPLATE = "reports/report.html"


@dataclass(frozen=True)
class Report:
    pdf: bytes
    filename: str
    from_cache: bool


def report_fingerprint(assessment: Assessment) -> str:
    """Changes whenever the report's content may change. At most six queries (the snapshot,
    the state-law profile, the plan's, the evidence's and the comments' last change, the
    comparison's baseline).

    `updated_at` moves on every answer save and every status change (the services bump it),
    so answers need not be read here. A new state-law profile changes a draft's report, and a
    deadline's days left change with the date. Comments, the agency's letterhead and the
    approver's attestation are printed too.
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
        selectors.comment_version(assessment.pk),
        assessment.agency.logo_updated_at.isoformat()
        if assessment.agency.logo_updated_at
        else "no logo",
        hashlib.sha256(assessment.attestation.encode()).hexdigest(),
        getattr(selectors.comparison_baseline(assessment), "pk", "no baseline"),
    )
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def report_filename(assessment: Assessment) -> str:
    """`example-county-sheriffs-office-2027-readiness-review-rev2-approved-2027-01-15.pdf`:
    ASCII only; the approval date for an approved assessment, else "draft" and today's date
    (a submitted assessment is still a draft report)."""
    approved = assessment.status == Assessment.Status.APPROVED and assessment.approved_at
    day = timezone.localdate(assessment.approved_at) if approved else timezone.localdate()
    agency = slugify(assessment.agency.slug or assessment.agency.name) or "agency"
    title = slugify(assessment.title) or "assessment"
    state = "approved" if approved else "draft"
    return f"{agency}-{title}-rev{assessment.revision}-{state}-{day:%Y-%m-%d}.pdf"


def report_render(assessment: Assessment) -> bytes:
    """Build the context, render the template, make the PDF. About a second; no cache."""
    html = render_to_string(TEMPLATE, report_context(assessment))
    return pdf.render_pdf(html)


def _cached(assessment: Assessment, fingerprint: str) -> Report | None:
    cached = (
        CachedReport.objects.filter(assessment=assessment, fingerprint=fingerprint)
        .values_list("pdf", flat=True)
        .first()
    )
    if cached is None:
        return None
    return Report(pdf=bytes(cached), filename=report_filename(assessment), from_cache=True)


def report_or_render(assessment: Assessment) -> tuple[Report | None, ReportRender | None]:
    """The assessment's report as it stands now if it has been made; otherwise its render,
    queued when none is (and the report, when the queue ran the render at once). Never renders
    in the caller's process otherwise."""
    fingerprint = report_fingerprint(assessment)
    report = _cached(assessment, fingerprint)
    if report is not None:
        return report, None
    render = report_request(assessment=assessment, fingerprint=fingerprint)
    if render.status == ReportRender.Status.DONE:
        report = _cached(assessment, fingerprint)
    return report, render


def render_stalled_after() -> timedelta:
    """A render still "being made" this long after it started was lost with its worker (the
    worker stops its own renders at the time limit)."""
    return timedelta(seconds=settings.READINESS_REPORT_TIMEOUT_SECONDS + 120)


def report_request(
    *, assessment: Assessment, retry: bool = False, fingerprint: str = ""
) -> ReportRender:
    """The render of the assessment's report as it stands now (`fingerprint`, when the caller
    has it): queued for a background worker when none is, or (with `retry`) when the last one
    failed, took too long or was lost. The PDF holds nothing specific to the person asking, so
    every member shares one render."""
    fingerprint = fingerprint or report_fingerprint(assessment)
    render, created = ReportRender.objects.get_or_create(
        assessment=assessment,
        fingerprint=fingerprint,
        defaults={"requested_at": timezone.now()},
    )
    queue = created
    if not created and retry:
        again = Q(status__in=[ReportRender.Status.FAILED, ReportRender.Status.TIMED_OUT]) | Q(
            status=ReportRender.Status.RUNNING,
            started_at__lt=timezone.now() - render_stalled_after(),
        )
        queue = bool(
            ReportRender.objects.filter(again, pk=render.pk).update(
                status=ReportRender.Status.QUEUED,
                requested_at=timezone.now(),
                started_at=None,
                finished_at=None,
            )
        )
    if queue:
        from .tasks import render_report

        result = render_report.enqueue(render.pk)
        ReportRender.objects.filter(pk=render.pk, task_id="").update(task_id=str(result.id)[:64])
        render.refresh_from_db()
    return render


def report_render_run(render_id: int) -> str:
    """Make the report a render row asks for (the background task's body). Claims the row
    first, so two workers never make the same render; a failure is recorded on the row and
    logged, and nothing is cached from it. Returns the row's final status."""
    claimed = ReportRender.objects.filter(pk=render_id, status=ReportRender.Status.QUEUED).update(
        status=ReportRender.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "not queued"
    render = ReportRender.objects.get(pk=render_id)
    assessment = selectors.assessment_by_id(render.assessment_id)
    # Made as the assessment stands now: a change since the request is in this report, stored
    # under the new fingerprint, which the waiting page asks for.
    fingerprint = report_fingerprint(assessment)
    status = ReportRender.Status.DONE
    try:
        data = report_render(assessment)
    except pdf.RenderTimedOut as error:
        logger.warning("Report of assessment %s stopped: %s", assessment.pk, error)
        status = ReportRender.Status.TIMED_OUT
    except Exception as error:  # any failure: recorded for the waiting page, and logged
        logger.error("Report of assessment %s failed: %s", assessment.pk, error, exc_info=True)
        status = ReportRender.Status.FAILED
    else:
        _cache_store(assessment=assessment, fingerprint=fingerprint, data=data)
    ReportRender.objects.filter(pk=render_id).update(status=status, finished_at=timezone.now())
    if status == ReportRender.Status.DONE:
        # Renders of earlier states of the assessment are history now (their PDFs are gone too).
        ReportRender.objects.filter(assessment_id=assessment.pk).exclude(pk=render_id).exclude(
            status__in=[ReportRender.Status.QUEUED, ReportRender.Status.RUNNING]
        ).delete()
    return status


def report_render_shown(render: ReportRender) -> str:
    """The state the waiting page shows: the row's, or "lost" for a render whose worker
    stopped without finishing it."""
    if (
        render.status == ReportRender.Status.RUNNING
        and render.started_at
        and render.started_at < timezone.now() - render_stalled_after()
    ):
        return "lost"
    return render.status


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
