"""The PDF report: fetched through the access helper, rendered or served by `services`."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from assessments.services import download_record
from assessments.views import get_assessment_for_user
from audit.models import Event
from audit.request import client_ip

from . import pdf, services

logger = logging.getLogger(__name__)


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    try:
        report = services.report_for(assessment=assessment, user=request.user)
    except pdf.RenderBusy:
        logger.warning("Report of assessment %s refused: every render slot busy", assessment.pk)
        response = _render_error(request, assessment, reason="busy", status=503)
        response["Retry-After"] = "30"
        return response
    except pdf.RenderTimedOut as error:
        logger.warning("Report of assessment %s stopped: %s", assessment.pk, error)
        return _render_error(request, assessment, reason="timed_out", status=503)
    except pdf.RenderFailed as error:
        logger.error("Report of assessment %s failed: %s", assessment.pk, error, exc_info=True)
        return _render_error(request, assessment, reason="failed", status=500)
    download_record(
        assessment=assessment,
        user=request.user,
        kind=Event.Kind.REPORT_DOWNLOADED,
        ip_address=client_ip(request),
    )
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report.filename)
    response["Cache-Control"] = "no-store"
    return response


def _render_error(request: HttpRequest, assessment, *, reason: str, status: int):
    """Nothing was cached and no download was recorded: the next request renders afresh."""
    return render(
        request,
        "reports/report_error.html",
        {
            "assessment": assessment,
            "reason": reason,
            "timeout_seconds": settings.READINESS_REPORT_TIMEOUT_SECONDS,
        },
        status=status,
    )
