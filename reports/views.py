"""The PDF report: served when made; otherwise queued for a background worker, with a page that
checks again every few seconds until it is ready."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from assessments.services import download_record
from assessments.views import get_assessment_for_user
from audit.models import Event
from audit.request import client_ip

from . import services

REFRESH_SECONDS = 3
# A render queued this long with no worker taking it: the page says a worker may be missing.
UNCLAIMED_SECONDS = 60

# The status page's code by what it shows: a failed render is an error; preparing and ready are OK.
SHOWN_STATUS = {"failed": 500, "timed_out": 503, "lost": 503}


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    report, _ = services.report_or_render(assessment)
    if report is None:
        return redirect("report_status", pk=assessment.pk)
    download_record(
        assessment=assessment,
        user=request.user,
        kind=Event.Kind.REPORT_DOWNLOADED,
        ip_address=client_ip(request),
    )
    return pdf_download(report.pdf, report.filename)


def pdf_download(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF as a download named `filename`, kept by no browser or proxy."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's state: "Preparing your report" checks again every few seconds (a script
    asking for this state as JSON; without script a <noscript> refresh) until the report is
    ready, then offers the download; a failed render says so and offers to try again."""
    assessment, _ = get_assessment_for_user(request, pk)
    report, made = services.report_or_render(assessment)
    shown = "done" if report is not None else services.report_render_shown(made)
    if request.headers.get("Accept") == "application/json":
        # For the page's script (static/js/report-status.js), which reloads it on a change.
        return JsonResponse({"shown": shown})
    return _status_page(request, assessment, shown, made)


@login_required
@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    services.report_request(assessment=assessment, retry=True)
    return redirect("report_status", pk=assessment.pk)


def _status_page(request: HttpRequest, assessment, shown: str, made) -> HttpResponse:
    preparing = shown in ("queued", "running")
    waited = (timezone.now() - made.requested_at).total_seconds() if made else 0
    response = render(
        request,
        "reports/report_status.html",
        {
            "assessment": assessment,
            "shown": shown,
            "preparing": preparing,
            "unclaimed": shown == "queued" and waited > UNCLAIMED_SECONDS,
            "refresh_seconds": REFRESH_SECONDS,
            "timeout_seconds": settings.READINESS_REPORT_TIMEOUT_SECONDS,
        },
        status=SHOWN_STATUS.get(shown, 200),
    )
    return response
